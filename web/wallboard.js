/*
 * The supervisor wallboard (/wallboard): today's figures, refreshed every
 * few seconds with one batch (stats.live and alerts.list {unacked}), the
 * hourly volume as SVG bars, and every open bulk-lookup alert in red until
 * a supervisor acks it here with a note (alerts.ack).
 *
 * A refresh never rebuilds an alert a supervisor is writing a note for:
 * alerts are kept by id and only added or removed. Where the service has
 * no stats.live yet, the same figures come from stats.summary and
 * stats.hourly (without the calls open now).
 */
"use strict";

(function () {
  var H = window.Hotline;
  var t = H.t, el = H.el;
  var REFRESH_MS = 5000;
  var TOP = 10;
  var NOTE_MAX = 500;
  var SVG = "http://www.w3.org/2000/svg";
  var OUTCOMES = ["affected", "not_found", "invalid_input", "transferred",
    "out_of_hours", "rate_limited", "abandoned"];
  var CHANNELS = ["ivr", "api", "operator"];

  var running = false, timer = null, noLive = false;
  var figures = null, lastOk = null, failed = false;
  var alertItems = {};	/* id -> {alert, li, text, time} */

  function $(id) { return document.getElementById(id); }

  function clock(d) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" +
      two(d.getSeconds());
  }

  /* An ISO time of the service's zone, as that zone's wall clock. */
  function localTime(iso) {
    return String(iso || "").replace("T", " ").replace(/([+-]\d\d:\d\d|Z)$/,
      "");
  }

  function num(v) {
    return typeof v === "number" && isFinite(v) ? v : null;
  }

  /* The figures of stats.summary and stats.hourly, shaped as stats.live. */
  function fromSummary(s, hourly) {
    var hours = [];
    for (var h = 0; h < 24; h++) {
      var x = hourly && hourly.hours && hourly.hours[h];
      hours.push({ hour: h, inquiries: x ? x.inquiries : 0,
        affected: x && x.by_outcome ? x.by_outcome.affected : 0 });
    }
    return {
      date: s.from, inquiries: s.inquiries, by_outcome: s.by_outcome,
      by_channel: s.by_channel, match_rate: s.match_rate,
      transfers: s.by_outcome ? s.by_outcome.transferred : null,
      abandoned: s.by_outcome ? s.by_outcome.abandoned : null,
      avg_handle_s: s.avg_handle_s, calls_now: null, calls_peak: null,
      hours: hours,
      top_orgs: (s.by_org || []).slice(0, TOP).map(function (o) {
        return { code: o.code, name: o.name, inquiries: o.inquiries };
      })
    };
  }

  /* ---- rendering ---- */

  function setBig(id, text) { $(id).textContent = text; }

  function renderTiles(f) {
    var n = num(f.calls_now);
    setBig("calls_now", n === null ? t("common.none") : String(n));
    $("calls_peak").textContent = num(f.calls_peak) === null ? "" :
      t("wall.peak", { n: f.calls_peak });
    setBig("inquiries", String(num(f.inquiries) || 0));
    setBig("match_rate", num(f.match_rate) === null ? t("common.none") :
      (100 * f.match_rate).toFixed(1) + "%");
    setBig("transfers", String(num(f.transfers) || 0));
    setBig("abandoned", String(num(f.abandoned) || 0));
    setBig("avg_handle", num(f.avg_handle_s) === null ? t("common.none") :
      t("wall.seconds", { n: Math.round(f.avg_handle_s) }));
  }

  function renderCounts(tbodyId, names, prefix, counts) {
    var tb = $(tbodyId);
    H.clear(tb);
    names.forEach(function (k) {
      var n = counts && num(counts[k]) !== null ? counts[k] : 0;
      tb.appendChild(el("tr", { "class": prefix + " " + k }, [
        el("th", { text: t(prefix + "." + k), attrs: { scope: "row" } }),
        el("td", { text: String(n) })
      ]));
    });
  }

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  /* 24 bars in a 960 x 320 box: the volume, its affected part darker. */
  function renderHours(hours) {
    var box = $("hourly");
    var W = 960, TOPM = 30, BASE = 290, SLOT = W / 24, BAR = SLOT * 0.7;
    var max = 1;
    H.clear(box);
    (hours || []).forEach(function (h) {
      if (num(h.inquiries) > max) max = h.inquiries;
    });
    box.appendChild(svg("line", { x1: 0, y1: BASE, x2: W, y2: BASE,
      "class": "axis" }));
    for (var i = 0; i < 24; i++) {
      var h = (hours && hours[i]) || { inquiries: 0, affected: 0 };
      var n = num(h.inquiries) || 0, a = Math.min(num(h.affected) || 0, n);
      var hn = (BASE - TOPM) * n / max, ha = (BASE - TOPM) * a / max;
      var x = i * SLOT + (SLOT - BAR) / 2;
      var g = svg("g", { "class": "hour" });
      g.appendChild(svg("title", {}, t("wall.hourly.bar",
        { hour: i, n: n, a: a })));
      g.appendChild(svg("rect", { x: x.toFixed(1), y: (BASE - hn).toFixed(1),
        width: BAR.toFixed(1), height: hn.toFixed(1), "class": "bar" }));
      g.appendChild(svg("rect", { x: x.toFixed(1), y: (BASE - ha).toFixed(1),
        width: BAR.toFixed(1), height: ha.toFixed(1),
        "class": "bar-affected" }));
      if (n > 0)
        g.appendChild(svg("text", { x: (x + BAR / 2).toFixed(1),
          y: (BASE - hn - 6).toFixed(1), "class": "value",
          "text-anchor": "middle" }, n));
      if (i % 3 === 0)
        g.appendChild(svg("text", { x: (x + BAR / 2).toFixed(1), y: 314,
          "class": "label", "text-anchor": "middle" }, i));
      box.appendChild(g);
    }
  }

  function renderOrgs(orgs) {
    var list = $("org-list");
    H.clear(list);
    (orgs || []).slice(0, TOP).forEach(function (o) {
      list.appendChild(el("li", {}, [
        el("span", { "class": "name", text: o.name || o.code }),
        el("span", { "class": "count", text: t("wall.orgs.count",
          { n: o.inquiries }) })
      ]));
    });
    $("orgs-none").hidden = (orgs || []).length > 0;
  }

  function renderFigures() {
    if (!figures) return;
    $("date").textContent = figures.date || "";
    renderTiles(figures);
    renderCounts("by_outcome", OUTCOMES, "outcome", figures.by_outcome);
    renderCounts("by_channel", CHANNELS, "channel", figures.by_channel);
    renderHours(figures.hours);
    renderOrgs(figures.top_orgs);
  }

  function renderUpdated() {
    var u = $("updated");
    u.classList.toggle("stale", failed);
    if (!lastOk) {
      u.textContent = "";
      return;
    }
    u.textContent = t(failed ? "wall.stale" : "wall.updated",
      { time: clock(lastOk) });
  }

  /* ---- alerts ---- */

  function alertTexts(item) {
    var a = item.alert;
    item.text.textContent = t("wall.alert.text", { client: a.client,
      role: t("role." + a.role), count: a.count, window: a.window_s });
    item.time.textContent = t("wall.alert.time",
      { time: localTime(a.time) });
    item.badge.textContent = t("wall.alert.suspended");
  }

  function addAlert(a) {
    var id = "note-" + a.id;
    var note = el("textarea", { attrs: { id: id, maxlength: String(NOTE_MAX),
      rows: "2", required: "required", autocomplete: "off" } });
    var btn = el("button", { "class": "ack", t: "wall.alert.ack",
      attrs: { type: "submit" } });
    var msg = el("p", { "class": "msg", attrs: { role: "status" } });
    var form = el("form", { attrs: { method: "post", autocomplete: "off" } },
      [el("label", { t: "wall.alert.note", attrs: { "for": id } }), note,
        btn, msg]);
    var item = {
      alert: a,
      text: el("strong", { "class": "what" }),
      time: el("span", { "class": "when" }),
      badge: el("span", { "class": "badge" })
    };
    item.badge.hidden = !a.suspended;
    item.li = el("li", { "class": "alert", attrs: { "data-id": String(a.id) } },
      [el("p", {}, [item.text, item.time, item.badge]), form]);
    alertTexts(item);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      ack(item, note, btn, msg);
    });
    alertItems[a.id] = item;
    return item.li;
  }

  function removeAlert(id) {
    var item = alertItems[id];
    if (!item) return;
    if (item.li.parentNode) item.li.parentNode.removeChild(item.li);
    delete alertItems[id];
  }

  function renderAlerts(open) {
    var list = $("alert-list"), seen = {};
    open.forEach(function (a) {
      seen[a.id] = true;
      if (!alertItems[a.id]) list.appendChild(addAlert(a));
    });
    Object.keys(alertItems).forEach(function (id) {
      if (!seen[id]) removeAlert(id);
    });
    var any = Object.keys(alertItems).length > 0;
    $("alerts").classList.toggle("open", any);
    $("alerts").classList.toggle("none", !any);
    $("alerts-none").hidden = any;
  }

  function ack(item, note, btn, msg) {
    var text = note.value.trim();
    msg.textContent = "";
    msg.classList.remove("bad");
    if (text === "") {
      note.setAttribute("aria-invalid", "true");
      note.focus();
      return;
    }
    note.removeAttribute("aria-invalid");
    btn.disabled = true;
    msg.textContent = t("wall.alert.acking");
    H.rpc("alerts.ack", { id: item.alert.id, note: text }).then(function () {
      removeAlert(item.alert.id);
      renderAlerts(Object.keys(alertItems).map(function (id) {
        return alertItems[id].alert;
      }));
      refresh();
    }, function (e) {
      btn.disabled = false;
      msg.classList.add("bad");
      if (e.code === -32602 && e.data && e.data.field === "id") {
        /* Acked meanwhile, elsewhere: it is no longer open. */
        removeAlert(item.alert.id);
        refresh();
        return;
      }
      if (e.code === -32602 && e.data && e.data.field === "note") {
        note.setAttribute("aria-invalid", "true");
        note.focus();
        msg.textContent = t("desk.field.error", { field: t("field.note"),
          reason: e.data.reason || "" });
        return;
      }
      msg.textContent = H.errorText(e);
    });
  }

  /* ---- the refresh loop ---- */

  function fetchFigures() {
    if (!noLive) {
      return H.batch([["stats.live", { top: TOP }],
        ["alerts.list", { unacked: true }]]).then(function (r) {
        if (r[0].error && r[0].error.code === -32601) {
          noLive = true;
          return fetchFigures();
        }
        if (r[0].error) throw r[0].error;
        if (r[1].error) throw r[1].error;
        return { figures: r[0].result, alerts: r[1].result.alerts || [] };
      });
    }
    return H.batch([["stats.summary", {}], ["alerts.list", { unacked: true }]])
      .then(function (r) {
        if (r[0].error) throw r[0].error;
        if (r[1].error) throw r[1].error;
        return H.rpc("stats.hourly", { date: r[0].result.from }).then(
          function (hourly) {
            return { figures: fromSummary(r[0].result, hourly),
              alerts: r[1].result.alerts || [] };
          });
      });
  }

  function refresh() {
    return fetchFigures().then(function (got) {
      figures = got.figures;
      lastOk = new Date();
      failed = false;
      renderFigures();
      renderAlerts(got.alerts);
      renderUpdated();
    }, function () {
      failed = true;
      renderUpdated();
    });
  }

  function schedule() {
    if (!running) return;
    timer = setTimeout(function () {
      refresh().then(schedule);
    }, REFRESH_MS);
  }

  function start() {
    if (running) return;
    running = true;
    refresh().then(schedule);
  }

  function stop() {
    running = false;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    Object.keys(alertItems).forEach(removeAlert);
    figures = null;
    lastOk = null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    H.onLang(function () {
      renderFigures();
      renderUpdated();
      Object.keys(alertItems).forEach(function (id) {
        alertTexts(alertItems[id]);
      });
    });
    renderHours([]);
    H.page({ roles: ["supervisor"], ready: start, stop: stop });
  });
})();
