/*
 * What every page shares: texts and the language switch, the sign-in, and
 * the JSON-RPC client of POST /rpc.
 *
 * Nothing is kept in the browser: the CSRF token lives in this page's
 * memory only (the session itself is the server's HttpOnly cookie), no
 * storage API is used, and what a person types goes only into request
 * bodies, never into a URL. The sign-in page hands the token to the page
 * it opens in the URL fragment, which is never sent to a server; that page
 * reads it and removes it from the address bar at once. A page opened
 * without it (reloaded, bookmarked) signs in again.
 *
 * Data from the server is put on the page with textContent only.
 */
"use strict";

window.Hotline = (function () {
  var texts = window.HOTLINE_TEXTS;
  var lang = "ja";
  var csrf = null;
  var role = null;
  var langListeners = [];
  var nextId = 1;

  function browserLang() {
    var list = navigator.languages || [navigator.language || "ja"];
    for (var i = 0; i < list.length; i++) {
      var l = String(list[i]).toLowerCase();
      if (l.indexOf("ja") === 0) return "ja";
      if (l.indexOf("en") === 0) return "en";
    }
    return "ja";
  }

  /* The text of key in the current language, {name} replaced. */
  function t(key, vars) {
    var s = texts[lang][key];
    if (s === undefined) s = texts.ja[key];
    if (s === undefined) return key;
    if (vars) {
      s = s.replace(/\{([a-z_]+)\}/g, function (m, name) {
        return vars[name] === undefined || vars[name] === null ? m :
          String(vars[name]);
      });
    }
    return s;
  }

  function applyTexts(root) {
    var r = root || document;
    r.querySelectorAll("[data-t]").forEach(function (e) {
      e.textContent = t(e.getAttribute("data-t"));
    });
    r.querySelectorAll("[data-t-placeholder]").forEach(function (e) {
      e.setAttribute("placeholder", t(e.getAttribute("data-t-placeholder")));
    });
    r.querySelectorAll("[data-t-label]").forEach(function (e) {
      e.setAttribute("aria-label", t(e.getAttribute("data-t-label")));
    });
    r.querySelectorAll("[data-t-title]").forEach(function (e) {
      e.setAttribute("title", t(e.getAttribute("data-t-title")));
    });
  }

  function setLang(l) {
    lang = l === "en" ? "en" : "ja";
    document.documentElement.lang = lang;
    applyTexts(document);
    var title = document.querySelector("h1[data-t]");
    if (title) document.title = "hotline — " + title.textContent;
    langListeners.forEach(function (fn) { fn(lang); });
  }

  function onLang(fn) { langListeners.push(fn); }

  function toggleLang() { setLang(lang === "ja" ? "en" : "ja"); }

  /* An element: el("li", {class: "x", text: "...", attrs: {...}}, [kids]). */
  function el(tag, opts, kids) {
    var e = document.createElement(tag);
    opts = opts || {};
    if (opts["class"]) e.className = opts["class"];
    if (opts.text !== undefined && opts.text !== null)
      e.textContent = String(opts.text);
    if (opts.t) {
      /* Named texts follow the language switch. */
      e.setAttribute("data-t", opts.t);
      e.textContent = t(opts.t);
    }
    if (opts.attrs) {
      Object.keys(opts.attrs).forEach(function (k) {
        e.setAttribute(k, opts.attrs[k]);
      });
    }
    (kids || []).forEach(function (k) { if (k) e.appendChild(k); });
    return e;
  }

  function clear(e) {
    while (e.firstChild) e.removeChild(e.firstChild);
  }

  /* Reads #csrf=...&lang=... once, and takes it out of the address bar. */
  function takeFragment() {
    var h = location.hash.replace(/^#/, "");
    var got = {};
    if (!h) return got;
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) got[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1));
    });
    if (history.replaceState)
      history.replaceState(null, "", location.pathname + location.search);
    return got;
  }

  function RpcError(code, message, data, status) {
    this.code = code;
    this.message = message;
    this.data = data || {};
    this.status = status || 0;
  }

  var sessionLost = function () {};

  function post(path, body, withCsrf) {
    var headers = { "Content-Type": "application/json" };
    if (withCsrf && csrf) headers["X-CSRF-Token"] = csrf;
    return fetch(path, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
      referrerPolicy: "no-referrer"
    });
  }

  /* Sends one request or a batch; resolves to the response(s). */
  function send(body) {
    return post("/rpc", body, true).then(function (r) {
      if (r.status === 401 || r.status === 403) {
        csrf = null;
        sessionLost(r.status);
        throw new RpcError(r.status === 401 ? -32001 : -32002,
          "session", {}, r.status);
      }
      if (!r.ok) throw new RpcError(-32603, "http " + r.status, {}, r.status);
      return r.json();
    }, function () {
      throw new RpcError(0, "network");
    });
  }

  function request(method, params) {
    return { jsonrpc: "2.0", id: nextId++, method: method,
      params: params || {} };
  }

  /* One call: resolves to its result, rejects with an RpcError. */
  function rpc(method, params) {
    return send(request(method, params)).then(function (resp) {
      if (resp && resp.error) {
        throw new RpcError(resp.error.code, resp.error.message,
          resp.error.data);
      }
      return resp.result;
    });
  }

  /*
   * Several calls in one request: resolves to [{result} | {error}] in the
   * order of calls ([method, params] pairs).
   */
  function batch(calls) {
    var reqs = calls.map(function (c) { return request(c[0], c[1]); });
    return send(reqs).then(function (resps) {
      var byId = {};
      (Array.isArray(resps) ? resps : [resps]).forEach(function (r) {
        if (r && r.id !== undefined) byId[r.id] = r;
      });
      return reqs.map(function (q) {
        var r = byId[q.id];
        if (!r) return { error: new RpcError(-32603, "no answer") };
        if (r.error)
          return { error: new RpcError(r.error.code, r.error.message,
            r.error.data) };
        return { result: r.result };
      });
    });
  }

  /* A person's message for an error that is not about one field. */
  function errorText(e) {
    if (!(e instanceof RpcError)) return t("common.error", { code: "?" });
    if (e.code === 0) return t("common.signin.network");
    if (e.status === 401) return t("common.signin.expired");
    if (e.code === -32002 && e.data.reason === "suspended")
      return t("common.suspended");
    if (e.code === -32002) return t("common.forbidden");
    if (e.code === -32003)
      return t("common.rate_limited", { s: e.data.retry_after_s || 1 });
    if (e.code === -32005) return t("common.storage");
    return t("common.error", { code: e.code });
  }

  function login(client, token) {
    return post("/login", { client: client, token: token }, false)
      .then(function (r) {
        if (r.status === 401) throw new RpcError(-32001, "login");
        if (!r.ok) throw new RpcError(-32603, "http " + r.status, {}, r.status);
        return r.json();
      }, function () {
        throw new RpcError(0, "network");
      }).then(function (j) {
        csrf = j.csrf;
        role = j.role;
        return j;
      });
  }

  function logout() {
    var p = csrf ? post("/logout", {}, true).catch(function () {}) :
      Promise.resolve();
    csrf = null;
    role = null;
    return p;
  }

  /*
   * The sign-in of a page: shows #signin until a client of one of roles
   * signs in (or a token came in the fragment), then #app, and calls
   * ready(). The token field is emptied whatever happens.
   */
  function page(opts) {
    var signin = document.getElementById("signin");
    var app = document.getElementById("app");
    var form = document.getElementById("signin-form");
    var msg = document.getElementById("signin-msg");
    var langBtn = document.getElementById("lang");
    var logoutBtn = document.getElementById("logout");
    var frag = takeFragment();

    setLang(frag.lang || browserLang());
    if (langBtn) langBtn.addEventListener("click", toggleLang);

    function show(signedIn) {
      signin.hidden = signedIn;
      app.hidden = !signedIn;
      if (logoutBtn) logoutBtn.hidden = !signedIn;
      if (!signedIn) document.getElementById("signin-client").focus();
    }

    sessionLost = function () {
      if (opts.stop) opts.stop();
      msg.textContent = t("common.signin.expired");
      show(false);
    };

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var client = document.getElementById("signin-client");
      var token = document.getElementById("signin-token");
      var c = client.value.trim(), k = token.value;
      token.value = "";
      msg.textContent = "";
      login(c, k).then(function (j) {
        if (opts.roles.indexOf(j.role) < 0 && j.role !== "admin") {
          var names = opts.roles.map(function (r) {
            return t("role." + r);
          }).join(", ");
          msg.textContent = t("common.signin.role", { roles: names,
            role: t("role." + j.role) });
          logout();
          return;
        }
        show(true);
        opts.ready(j.role);
      }, function (e) {
        msg.textContent = e.code === -32001 ? t("common.signin.failed") :
          errorText(e);
      });
    });

    if (logoutBtn) {
      logoutBtn.addEventListener("click", function () {
        if (opts.stop) opts.stop();
        logout().then(function () {
          msg.textContent = t("common.signout.done");
          show(false);
        });
      });
    }

    if (frag.csrf) {
      csrf = frag.csrf;
      role = frag.role || null;
      show(true);
      opts.ready(role);
    } else {
      show(false);
    }
  }

  return {
    t: t, el: el, clear: clear, applyTexts: applyTexts, setLang: setLang,
    toggleLang: toggleLang, onLang: onLang, lang: function () { return lang; },
    rpc: rpc, batch: batch, RpcError: RpcError, errorText: errorText,
    login: login, logout: logout, page: page, browserLang: browserLang,
    takeFragment: takeFragment,
    csrf: function () { return csrf; }
  };
})();
