/*
 * The operator desk (/desk): search by kana and birthdate, candidates with
 * their organisation, leaked items and checks (match, mismatch, unknown —
 * never a stored value), verify more fields against one candidate, the
 * script to read aloud, a call timer, and the outcome recorded, after
 * which everything is cleared for the next call.
 *
 * What the operator types lives in the form fields and in request bodies
 * for as long as the call lasts; nothing is written to browser storage,
 * and the fields say autocomplete="off" so that the browser's own form
 * history keeps none of it either.
 */
"use strict";

(function () {
  var H = window.Hotline;
  var t = H.t, el = H.el;
  var MAX_DURATION_S = 86400;

  var state;

  function fresh() {
    return {
      candidates: [],	/* {ref, org, items, checks, use} */
      searched: false,
      lookup: null,	/* the result of lookup, with its inquiry */
      target: null,	/* the candidate being verified */
      outcomeTouched: false,
      timerStart: null,
      elapsed: 0,
      timerId: null
    };
  }
  state = fresh();

  function $(id) { return document.getElementById(id); }

  /* ---- the call timer ---- */

  function seconds() {
    if (state.timerStart === null) return state.elapsed;
    return state.elapsed + Math.floor((Date.now() - state.timerStart) / 1000);
  }

  function showTimer() {
    var s = seconds(), h = Math.floor(s / 3600);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    /* mm:ss, and h:mm:ss past an hour */
    $("timer").textContent = (h > 0 ? h + ":" : "") +
      two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
  }

  function timerRunning() { return state.timerStart !== null; }

  function startTimer() {
    if (timerRunning()) return;
    state.timerStart = Date.now();
    state.timerId = setInterval(showTimer, 1000);
    $("timer-toggle").setAttribute("data-t", "desk.timer.stop");
    $("timer-toggle").textContent = t("desk.timer.stop");
    showTimer();
  }

  function stopTimer() {
    if (!timerRunning()) return;
    state.elapsed = seconds();
    state.timerStart = null;
    clearInterval(state.timerId);
    state.timerId = null;
    $("timer-toggle").setAttribute("data-t", "desk.timer.start");
    $("timer-toggle").textContent = t("desk.timer.start");
    showTimer();
  }

  function toggleTimer() {
    if (timerRunning()) stopTimer(); else startTimer();
  }

  /* ---- messages and field errors ---- */

  function say(id, text, bad) {
    var p = $(id);
    p.textContent = text || "";
    p.classList.toggle("bad", !!bad);
  }

  function clearInvalid(form) {
    form.querySelectorAll("[aria-invalid]").forEach(function (e) {
      e.removeAttribute("aria-invalid");
    });
  }

  /* Shows an error; a -32602 names its field, which gets the focus. */
  function showError(e, msgId, prefix) {
    if (e.code === -32602 && e.data && e.data.field) {
      var f = e.data.field;
      if (f === "ref" || f === "refs") {
        say(msgId, t("desk.ref.expired"), true);
        return;
      }
      var input = $(prefix + f);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.focus();
      }
      say(msgId, t("desk.field.error", { field: t("field." + f),
        reason: e.data.reason || "" }), true);
      return;
    }
    say(msgId, H.errorText(e), true);
  }

  /* ---- candidates ---- */

  function hasMismatch(c) {
    return Object.keys(c.checks || {}).some(function (k) {
      return c.checks[k] === "mismatch";
    });
  }

  function orgLabel(org) {
    var kind = t("kind." + org.kind);
    return (org.name || org.code) + (H.lang() === "ja" ? "（" + kind + "）" :
      " (" + kind + ")");
  }

  function itemList(items) {
    return el("ul", { "class": "items" }, (items || []).map(function (i) {
      return el("li", { text: t("item." + i) });
    }));
  }

  function checkList(checks) {
    var keys = Object.keys(checks || {});
    if (keys.length === 0)
      return el("p", { "class": "hint", t: "desk.candidate.nochecks" });
    return el("ul", { "class": "checks" }, keys.map(function (k) {
      var v = checks[k];
      /* The word, not only the colour, says the result. */
      return el("li", { "class": "check " + v }, [
        el("span", { "class": "field", text: t("field." + k) + ": " }),
        el("span", { "class": "value", text: t("check." + v) })
      ]);
    }));
  }

  function renderCandidates() {
    var list = $("cand-list");
    H.clear(list);
    if (state.lookup) list.appendChild(renderLookup(state.lookup));
    state.candidates.forEach(function (c, i) {
      var id = "cand-" + i;
      var use = el("input", { attrs: { type: "checkbox", id: id,
        "class": "cand-use" } });
      use.checked = c.use;
      use.addEventListener("change", function () {
        c.use = use.checked;
        suggestOutcome();
      });
      var verify = el("button", { "class": "cand-verify",
        t: "desk.candidate.verify", attrs: { type: "button" } });
      verify.addEventListener("click", function () { chooseTarget(c); });
      var li = el("li", { "class": "candidate" + (c === state.target ?
        " target" : "") + (hasMismatch(c) ? " has-mismatch" : "") }, [
        el("h3", { text: orgLabel(c.org) }),
        el("div", { "class": "cand-use-row" }, [use,
          el("label", { t: "desk.candidate.use", attrs: { "for": id } })]),
        el("h4", { t: "desk.candidate.items" }),
        itemList(c.items),
        el("h4", { t: "desk.candidate.checks" }),
        checkList(c.checks),
        verify
      ]);
      list.appendChild(li);
    });
    if (!state.searched && !state.lookup) {
      $("cand-summary").textContent = t("desk.candidates.idle");
    } else if (state.searched) {
      $("cand-summary").textContent = state.candidates.length === 0 ?
        t("desk.candidates.none") :
        t("desk.candidates.count", { n: state.candidates.length });
    } else {
      $("cand-summary").textContent = "";
    }
  }

  function renderLookup(r) {
    var li = el("li", { "class": "candidate lookup " + r.status }, [
      el("h3", { t: "desk.lookup.result" }),
      el("p", { "class": "status", text: t("outcome." + r.status) })
    ]);
    (r.matches || []).forEach(function (m) {
      li.appendChild(el("h4", { text: orgLabel(m.org) }));
      if (m.period)
        li.appendChild(el("p", { text: t("desk.lookup.period") + ": " +
          (m.period.from || "") + " – " + (m.period.to || "") }));
      li.appendChild(itemList(m.items));
    });
    return li;
  }

  function chooseTarget(c) {
    state.target = c;
    $("verify-target").removeAttribute("data-t");
    $("verify-target").textContent = t("desk.verify.target",
      { org: orgLabel(c.org) });
    $("verify-btn").disabled = false;
    renderCandidates();
    $("v-address").focus();
  }

  function suggestOutcome() {
    if (state.outcomeTouched) return;
    var affected = state.candidates.some(function (c) { return c.use; }) ||
      (state.lookup && state.lookup.status === "affected");
    var searched = state.searched || state.lookup;
    if (searched) $("outcome").value = affected ? "affected" : "not_found";
  }

  function value(id) {
    var v = $(id).value;
    return typeof v === "string" ? v.trim() : "";
  }

  /* ---- actions ---- */

  function search() {
    var form = $("search-form");
    clearInvalid(form);
    var params = { kana: value("kana"), birthdate: value("birthdate") };
    ["gender", "postal_code", "phone"].forEach(function (f) {
      if (value(f) !== "") params[f] = value(f);
    });
    startTimer();
    say("search-msg", t("desk.searching"));
    H.rpc("operator.search", params).then(function (r) {
      say("search-msg", "");
      state.searched = true;
      state.target = null;
      state.candidates = (r.candidates || []).map(function (c) {
        return { ref: c.ref, org: c.org, items: c.items, checks: c.checks ||
          {}, use: false };
      });
      state.candidates.forEach(function (c) { c.use = !hasMismatch(c); });
      resetVerify();
      clearNotice();
      renderCandidates();
      suggestOutcome();
      if (state.candidates.length === 1) chooseTarget(state.candidates[0]);
      else if (state.candidates.length > 0)
        $("cand-list").querySelector(".cand-use").focus();
    }, function (e) { showError(e, "search-msg", ""); });
  }

  function lookup() {
    var form = $("search-form");
    clearInvalid(form);
    if (state.lookup) return;	/* one call, one inquiry */
    if (value("phone") === "" || value("birthdate") === "") {
      say("search-msg", t("desk.lookup.needs"), true);
      $(value("phone") === "" ? "phone" : "birthdate").focus();
      return;
    }
    startTimer();
    say("search-msg", t("desk.searching"));
    H.rpc("lookup", { phone: value("phone"), birthdate: value("birthdate"),
      lang: H.lang() }).then(function (r) {
      say("search-msg", "");
      state.lookup = r;
      $("lookup-btn").disabled = true;
      renderCandidates();
      suggestOutcome();
      showNotice(r.notice);
    }, function (e) { showError(e, "search-msg", ""); });
  }

  function resetVerify() {
    $("verify-form").reset();
    clearInvalid($("verify-form"));
    $("verify-target").setAttribute("data-t", "desk.verify.none");
    $("verify-target").textContent = t("desk.verify.none");
    $("verify-btn").disabled = true;
    say("verify-msg", "");
  }

  function verify() {
    var c = state.target;
    if (!c) return;
    clearInvalid($("verify-form"));
    var params = { ref: c.ref }, n = 0;
    ["address", "postal_code", "phone", "gender"].forEach(function (f) {
      if (value("v-" + f) !== "") {
        params[f] = value("v-" + f);
        n++;
      }
    });
    if (n === 0) {
      say("verify-msg", t("desk.verify.empty"), true);
      $("v-address").focus();
      return;
    }
    H.rpc("operator.verify", params).then(function (r) {
      Object.keys(r.checks || {}).forEach(function (k) {
        c.checks[k] = r.checks[k];
      });
      say("verify-msg", "");
      $("verify-form").reset();
      renderCandidates();
      suggestOutcome();
    }, function (e) { showError(e, "verify-msg", "v-"); });
  }

  function clearNotice() {
    H.clear($("notice-text"));
    $("notice-hint").hidden = true;
    say("notice-msg", "");
  }

  function showNotice(text) {
    var box = $("notice-text");
    H.clear(box);
    String(text).split("\n").forEach(function (line) {
      if (line !== "") box.appendChild(el("p", { text: line }));
    });
    $("notice-hint").hidden = false;
    box.focus();
  }

  function notice() {
    var refs = state.candidates.filter(function (c) { return c.use; })
      .map(function (c) { return c.ref; });
    say("notice-msg", "");
    if (refs.length > 0) {
      H.rpc("notice.render", { refs: refs, lang: H.lang() }).then(
        function (r) { showNotice(r.text); },
        function (e) { showError(e, "notice-msg", ""); });
    } else if (state.lookup) {
      showNotice(state.lookup.notice);
    } else {
      showNotice(t("desk.notice.not_found"));
    }
  }

  function record() {
    var params = { outcome: $("outcome").value };
    var refs = state.candidates.filter(function (c) { return c.use; })
      .map(function (c) { return c.ref; });
    if (refs.length > 0) params.refs = refs;
    if (state.lookup) params.inquiry = state.lookup.inquiry;
    if (state.timerStart !== null || state.elapsed > 0)
      params.duration_s = Math.min(seconds(), MAX_DURATION_S);
    H.rpc("inquiry.record", params).then(function (r) {
      clearAll();
      say("record-msg", t("desk.record.done", { id: r.inquiry }));
    }, function (e) { showError(e, "record-msg", ""); });
  }

  /* Everything of this call goes: fields, candidates, script, timer. */
  function clearAll() {
    if (state.timerId !== null) clearInterval(state.timerId);
    state = fresh();
    $("search-form").reset();
    clearInvalid($("search-form"));
    resetVerify();
    clearNotice();
    $("record-form").reset();
    $("lookup-btn").disabled = false;
    $("timer-toggle").setAttribute("data-t", "desk.timer.start");
    $("timer-toggle").textContent = t("desk.timer.start");
    ["search-msg", "record-msg"].forEach(function (id) { say(id, ""); });
    renderCandidates();
    showTimer();
    $("kana").focus();
  }

  function submitOn(formId, fn) {
    $(formId).addEventListener("submit", function (ev) {
      ev.preventDefault();
      fn();
    });
  }

  function shortcuts(ev) {
    if (!ev.altKey || ev.ctrlKey || ev.metaKey || $("app").hidden) return;
    var act = {
      KeyS: search, KeyP: lookup, KeyV: verify, KeyN: notice,
      KeyT: toggleTimer, KeyR: record, KeyC: clearAll, KeyL: H.toggleLang
    }[ev.code];
    if (!act) return;
    ev.preventDefault();
    act();
  }

  document.addEventListener("DOMContentLoaded", function () {
    submitOn("search-form", search);
    submitOn("verify-form", verify);
    submitOn("record-form", record);
    $("lookup-btn").addEventListener("click", lookup);
    $("notice-btn").addEventListener("click", notice);
    $("clear-btn").addEventListener("click", clearAll);
    $("timer-toggle").addEventListener("click", toggleTimer);
    $("outcome").addEventListener("change", function () {
      state.outcomeTouched = true;
    });
    document.addEventListener("keydown", shortcuts);
    H.onLang(function () {
      renderCandidates();
      if (state.target) {
        $("verify-target").textContent = t("desk.verify.target",
          { org: orgLabel(state.target.org) });
      }
    });
    H.page({
      roles: ["operator"],
      ready: function () {
        renderCandidates();
        $("kana").focus();
      },
      stop: clearAll
    });
  });
})();
