"""The web pages (web/) in a real headless Chromium, opened from file://
URLs with a stand-in for the server's /login and /rpc (a fetch() that
answers like hotlined and records every request): the pages load without
a console error; the desk searches, verifies, shows the script, records
the outcome and clears itself, from the keyboard alone, sending what the
operator typed in request bodies only; the wallboard shows today's figures,
the hourly bars and the open alerts, refreshes itself without losing a
note being typed, and acks an alert; both in Japanese and English; and
the files hold nothing a Content-Security-Policy without inline script or
style would block, and nothing that stores data in the browser.

Screenshots go to build/screenshots/. The end-to-end tests against
hotlined's own HTTP listener come with it."""
import json
import os
import re
import time
import unittest

from browser import Browser, TOP, available, file_url

WEB = os.path.join(TOP, "web")
PAGES = ("index.html", "desk.html", "wallboard.html")

# The stand-in server. window.__hotline holds what the pages sent.
FAKE_SERVER = r"""
(function () {
  var st = window.__hotline = { requests: [], acked: {}, noLive: false,
    loginRole: "operator" };
  var ALERTS = [
    { id: 1, time: "2026-11-26T16:59:10+09:00", client: "gw", role: "gateway",
      kind: "bulk_lookup", count: 6, window_s: 3600, suspended: true },
    { id: 2, time: "2026-11-26T17:20:00+09:00", client: "op2",
      role: "operator", kind: "bulk_lookup", count: 120, window_s: 3600,
      suspended: false }
  ];
  var OUTCOMES = { affected: 6, not_found: 3, invalid_input: 1,
    transferred: 2, out_of_hours: 0, rate_limited: 0, abandoned: 1 };
  function hours() {
    var h = [];
    for (var i = 0; i < 24; i++)
      h.push({ hour: i, inquiries: i === 10 ? 9 : (i === 11 ? 4 : 0),
        affected: i === 10 ? 5 : (i === 11 ? 1 : 0), not_found: 0,
        by_outcome: { affected: i === 10 ? 5 : (i === 11 ? 1 : 0) } });
    return h;
  }
  function err(id, code, data) {
    return { jsonrpc: "2.0", id: id, error: { code: code, message: "x",
      data: data } };
  }
  function ok(id, result) { return { jsonrpc: "2.0", id: id, result: result }; }
  function answer(q) {
    var p = q.params || {};
    switch (q.method) {
    case "operator.search":
      if (!p.kana) return err(q.id, -32602, { field: "kana",
        reason: "required" });
      return ok(q.id, { candidates: [
        { ref: "ref-komorebi-000000001", org: { code: "komorebi",
          name: "こもれび市", kind: "municipality" },
          items: ["name", "kana", "phone", "birthdate"],
          checks: p.gender ? { gender: "match" } : {} },
        { ref: "ref-sakura-0000000002", org: { code: "sakura-tel",
          name: "さくら通信株式会社", kind: "company" },
          items: ["name", "kana", "phone"],
          checks: p.gender ? { gender: "mismatch" } : {} } ] });
    case "operator.verify":
      var checks = {};
      ["address", "postal_code", "phone", "gender"].forEach(function (f) {
        if (p[f] !== undefined) checks[f] = "match";
      });
      return ok(q.id, { checks: checks });
    case "notice.render":
      return ok(q.id, { lang: p.lang, text: "こもれび市の、特定健康診査の" +
        "受診勧奨で扱っていた情報です。\nご注意ください。消費者ホットライン " +
        "188、警察相談専用電話 #9110 にご相談ください。" });
    case "inquiry.record":
      return ok(q.id, { inquiry: 42 });
    case "stats.live":
      if (st.noLive) return err(q.id, -32601);
      return ok(q.id, { date: "2026-11-26", inquiries: 13,
        by_outcome: OUTCOMES, by_channel: { ivr: 4, api: 4, operator: 5 },
        match_rate: 6 / 9, transfers: 2, abandoned: 1, avg_handle_s: 92.4,
        calls_now: 3, calls_peak: 7, hours: hours(),
        top_orgs: [{ code: "komorebi", name: "こもれび市", inquiries: 4 },
                   { code: "sakura-tel", name: "さくら通信株式会社",
                     inquiries: 2 }] });
    case "stats.summary":
      return ok(q.id, { from: "2026-11-26", to: "2026-11-26",
        tz: "Asia/Tokyo", inquiries: 13, by_outcome: OUTCOMES,
        by_channel: { ivr: 4, api: 4, operator: 5 }, match_rate: 6 / 9,
        avg_handle_s: 92.4, peak_sessions: 3,
        by_org: [{ code: "komorebi", name: "こもれび市", inquiries: 4,
          affected: 4 }], by_client: [], alerts: 2 });
    case "stats.hourly":
      return ok(q.id, { date: p.date, tz: "Asia/Tokyo", hours: hours() });
    case "alerts.list":
      return ok(q.id, { alerts: ALERTS.filter(function (a) {
        return !(p.unacked && st.acked[a.id]);
      }) });
    case "alerts.ack":
      if (!p.note) return err(q.id, -32602, { field: "note",
        reason: "must be 1-500 characters, not blank" });
      if (st.acked[p.id]) return err(q.id, -32602, { field: "id",
        reason: "not an open alert" });
      st.acked[p.id] = p.note;
      return ok(q.id, { id: p.id, acked_by: "sup",
        acked_at: "2026-11-26T17:30:00+09:00" });
    default:
      return err(q.id, -32601);
    }
  }
  function reply(status, body) {
    return Promise.resolve(new Response(JSON.stringify(body),
      { status: status, headers: { "Content-Type": "application/json" } }));
  }
  window.fetch = function (url, opts) {
    var body = JSON.parse(opts.body);
    st.requests.push({ url: String(url), method: opts.method,
      headers: opts.headers, body: body, page: location.href });
    if (url === "/login") {
      if (body.token !== "good-token") return reply(401, {});
      return reply(200, { role: st.loginRole, csrf: "csrf-from-login" });
    }
    if (url === "/logout") return reply(200, {});
    if (url !== "/rpc") return reply(404, {});
    return reply(200, Array.isArray(body) ? body.map(answer) : answer(body));
  };
})();
"""


def skip_reason():
    build = os.environ.get("HOTLINE_BUILD", "")
    if os.path.basename(os.path.normpath(build)) == "asan":
        return "the pages do not depend on the C build: run once"
    why = available()
    if why and os.environ.get("CI"):
        raise AssertionError(f"CI must have the browser: {why}")
    return why


class PageTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        why = skip_reason()
        if why:
            raise unittest.SkipTest(why)

    def setUp(self):
        self.b = Browser(lang="ja-JP")
        self.b.before_each_page(FAKE_SERVER)

    def tearDown(self):
        self.b.quit()

    def open(self, page, fragment=""):
        self.b.get(file_url(os.path.join(WEB, page)) + fragment)
        self.assertEqual(self.b.console_errors(), [])

    def requests(self):
        return self.b.js("return window.__hotline.requests")

    def rpc_calls(self, method=None):
        out = []
        for r in self.requests():
            bodies = r["body"] if isinstance(r["body"], list) else [r["body"]]
            for q in bodies:
                if r["url"] == "/rpc" and (method is None or
                                           q.get("method") == method):
                    out.append((r, q))
        return out

    def alt(self, key):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys
        ActionChains(self.b.driver).key_down(Keys.ALT).send_keys(key) \
            .key_up(Keys.ALT).perform()

    def type_into(self, css, text):
        e = self.b.find(css)
        e.clear()
        e.send_keys(text)
        return e

    def visible(self, css):
        return self.b.find(css).is_displayed()

    def assertNoBrowserStorage(self):
        self.assertEqual(self.b.js(
            "return [localStorage.length, sessionStorage.length, "
            "document.cookie]"), [0, 0, ""])

    def assertTextsComplete(self):
        """Every named text exists in both languages."""
        missing = self.b.js("""
            var T = window.HOTLINE_TEXTS, bad = [];
            Object.keys(T.ja).forEach(function (k) {
              if (!(k in T.en)) bad.push("en:" + k); });
            Object.keys(T.en).forEach(function (k) {
              if (!(k in T.ja)) bad.push("ja:" + k); });
            document.querySelectorAll("[data-t],[data-t-placeholder]," +
                "[data-t-label],[data-t-title]").forEach(function (e) {
              ["data-t", "data-t-placeholder", "data-t-label",
               "data-t-title"].forEach(function (a) {
                var k = e.getAttribute(a);
                if (k && !(k in T.ja)) bad.push("key:" + k); }); });
            return bad;""")
        self.assertEqual(missing, [])


class TestPagesLoad(PageTest):

    def test_every_page_renders_in_both_languages(self):
        for page in PAGES:
            self.open(page)
            # Not signed in: the sign-in form, the language of the browser.
            self.assertTrue(self.visible("#signin-form"), page)
            self.assertFalse(self.visible("#app"), page)
            self.assertEqual(self.b.js("return document.documentElement.lang"),
                             "ja")
            self.assertEqual(self.b.find("#signin-h").text, "サインイン")
            self.assertTrue(self.b.driver.title.startswith("hotline — "))
            self.assertTextsComplete()
            self.b.screenshot("signin-" + page.split(".")[0] + "-ja")
            self.b.find("#lang").click()
            self.assertEqual(self.b.find("#signin-h").text, "Sign in")
            self.assertEqual(self.b.js("return document.documentElement.lang"),
                             "en")
            self.assertEqual(self.b.console_errors(), [])
            self.assertNoBrowserStorage()

    def test_english_browser_gets_english(self):
        self.b.quit()
        self.b = Browser(lang="en-US")
        self.b.before_each_page(FAKE_SERVER)
        self.open("desk.html")
        self.assertEqual(self.b.find("#signin-h").text, "Sign in")
        self.assertEqual(self.b.find("h1").text, "Operator desk")

    def test_sign_in(self):
        self.open("index.html")
        self.type_into("#signin-client", "op")
        self.type_into("#signin-token", "wrong")
        self.b.find("#signin-token").submit()
        self.b.wait(lambda d: self.b.find("#signin-msg").text != "")
        self.assertEqual(self.b.find("#signin-msg").text,
                         "クライアント名またはトークンが違います。")
        # The token field is emptied whatever happened.
        self.assertEqual(self.b.find("#signin-token").get_attribute("value"),
                         "")
        login = [r for r in self.requests() if r["url"] == "/login"]
        self.assertEqual(login[0]["body"], {"client": "op",
                                            "token": "wrong"})
        self.assertEqual(login[0]["method"], "POST")
        # A client of another role is told which page is whose.
        self.b.js("window.__hotline.loginRole = 'gateway'")
        self.type_into("#signin-token", "good-token")
        self.b.find("#signin-token").submit()
        self.b.wait(lambda d: "ゲートウェイ" in self.b.find("#signin-msg").text)
        self.assertFalse(self.visible("#app"))
        # An admin chooses a page; the links carry the token in the
        # fragment only.
        self.b.js("window.__hotline.loginRole = 'admin'")
        self.type_into("#signin-token", "good-token")
        self.b.find("#signin-token").submit()
        self.b.wait(lambda d: self.visible("#app"))
        href = self.b.find("#go-desk").get_attribute("href")
        self.assertRegex(href, r"/desk#csrf=csrf-from-login&lang=ja&"
                         r"role=admin$")
        self.assertNotIn("?", href)
        self.assertEqual(self.b.console_errors(), [])
        self.assertNoBrowserStorage()


class TestDesk(PageTest):

    def test_a_call_from_the_keyboard(self):
        self.open("desk.html", "#csrf=test-csrf&lang=ja&role=operator")
        # Signed in by the fragment, which left the address bar at once.
        self.assertTrue(self.visible("#app"))
        self.assertNotIn("csrf", self.b.driver.current_url)
        self.assertEqual(self.b.js("return document.activeElement.id"),
                         "kana")
        active = self.b.driver.switch_to.active_element
        active.send_keys("ヤマダ タロウ")
        self.type_into("#birthdate", "S50.4.1")
        self.b.find("#gender").send_keys("女")
        self.type_into("#phone", "090-1111-2222")
        self.alt("s")
        self.b.wait(lambda d: len(self.b.find_all("#cand-list > li")) == 2)
        cands = self.b.find_all("#cand-list > li")
        self.assertIn("こもれび市（自治体）", cands[0].text)
        self.assertIn("性別: 一致", cands[0].text)
        self.assertIn("性別: 不一致", cands[1].text)
        self.assertIn("has-mismatch", cands[1].get_attribute("class"))
        uses = self.b.find_all("#cand-list .cand-use")
        self.assertTrue(uses[0].is_selected())
        self.assertFalse(uses[1].is_selected())
        self.assertEqual(self.b.find("#timer-toggle").text, "通話終了")
        self.assertEqual(self.b.find("#outcome").get_attribute("value"),
                         "affected")
        (r, q), = self.rpc_calls("operator.search")
        self.assertEqual(q["params"], {"kana": "ヤマダ タロウ",
                                       "birthdate": "S50.4.1",
                                       "gender": "F",
                                       "phone": "090-1111-2222"})
        self.assertEqual(r["headers"]["X-CSRF-Token"], "test-csrf")
        self.assertEqual(r["method"], "POST")
        # Verify a field against the first candidate.
        self.b.find_all("#cand-list .cand-verify")[0].click()
        self.assertEqual(self.b.js("return document.activeElement.id"),
                         "v-address")
        self.type_into("#v-postal_code", "123-4567")
        self.alt("v")
        self.b.wait(lambda d: "郵便番号: 一致" in
                    self.b.find_all("#cand-list > li")[0].text)
        (r, q), = self.rpc_calls("operator.verify")
        self.assertEqual(q["params"], {"ref": "ref-komorebi-000000001",
                                       "postal_code": "123-4567"})
        self.assertEqual(self.b.find("#v-postal_code").get_attribute("value"),
                         "")
        # The script to read, with the fraud warning.
        self.alt("n")
        self.b.wait(lambda d: "#9110" in self.b.find("#notice-text").text)
        (r, q), = self.rpc_calls("notice.render")
        self.assertEqual(q["params"], {"refs": ["ref-komorebi-000000001"],
                                       "lang": "ja"})
        self.assertIn("188", self.b.find("#notice-text").text)
        self.b.screenshot("desk-ja")
        self.assertEqual(self.b.console_errors(), [])
        # Record: the outcome, the refs, the call's duration.
        time.sleep(1.1)
        self.alt("r")
        self.b.wait(lambda d: "42" in self.b.find("#record-msg").text)
        (r, q), = self.rpc_calls("inquiry.record")
        self.assertEqual(q["params"]["outcome"], "affected")
        self.assertEqual(q["params"]["refs"], ["ref-komorebi-000000001"])
        self.assertIsInstance(q["params"]["duration_s"], int)
        self.assertGreaterEqual(q["params"]["duration_s"], 1)
        self.assertNotIn("inquiry", q["params"])
        # Cleared for the next call.
        for css in ("#kana", "#birthdate", "#phone", "#postal_code"):
            self.assertEqual(self.b.find(css).get_attribute("value"), "", css)
        self.assertEqual(self.b.find_all("#cand-list > li"), [])
        self.assertEqual(self.b.find("#notice-text").text, "")
        self.assertEqual(self.b.find("#timer").text, "00:00")
        self.assertEqual(self.b.find("#timer-toggle").text, "通話開始")
        self.assertEqual(self.b.js("return document.activeElement.id"),
                         "kana")
        # What was typed went in bodies, never in a URL.
        for req in self.requests():
            self.assertIn(req["url"], ("/rpc", "/login", "/logout"))
            self.assertNotIn("1111", req["page"])
        self.assertNotIn("1111", self.b.driver.current_url)
        self.assertNoBrowserStorage()
        self.assertEqual(self.b.console_errors(), [])

    def test_lookup_errors_and_english(self):
        self.open("desk.html", "#csrf=c&lang=en&role=operator")
        self.assertEqual(self.b.find("h1").text, "Operator desk")
        # A field the service refuses is named, marked and focused.
        self.type_into("#birthdate", "1975-04-01")
        self.alt("s")
        self.b.wait(lambda d: self.b.find("#search-msg").text != "")
        self.assertIn("Kana name", self.b.find("#search-msg").text)
        self.assertEqual(self.b.find("#kana").get_attribute("aria-invalid"),
                         "true")
        self.assertEqual(self.b.js("return document.activeElement.id"),
                         "kana")
        # No candidate: the not-found script, fraud warning included.
        self.alt("n")
        self.assertIn("#9110", self.b.find("#notice-text").text)
        self.assertIn("188", self.b.find("#notice-text").text)
        self.type_into("#kana", "yamada")
        self.alt("s")
        self.b.wait(lambda d: len(self.b.find_all("#cand-list > li")) == 2)
        self.assertIn("こもれび市 (local government)",
                      self.b.find_all("#cand-list > li")[0].text)
        self.assertIn("name in kana", self.b.find_all("#cand-list > li")[0].text)
        self.b.screenshot("desk-en")
        # The language switch re-labels what is on the page.
        self.alt("l")
        self.assertEqual(self.b.find("h1").text, "オペレーター画面")
        self.assertIn("こもれび市（自治体）",
                      self.b.find_all("#cand-list > li")[0].text)
        # Alt+C clears everything.
        self.alt("c")
        self.assertEqual(self.b.find_all("#cand-list > li"), [])
        self.assertEqual(self.b.find("#kana").get_attribute("value"), "")
        self.assertEqual(self.b.console_errors(), [])


class TestWallboard(PageTest):

    def test_figures_alerts_ack_and_refresh(self):
        self.b.driver.set_window_size(1920, 1080)    # a big screen
        self.open("wallboard.html", "#csrf=w&lang=ja&role=supervisor")
        self.b.wait(lambda d: self.b.find("#inquiries").text == "13")
        self.assertEqual(self.b.find("#calls_now").text, "3")
        self.assertEqual(self.b.find("#calls_peak").text, "本日の最大 7")
        self.assertEqual(self.b.find("#match_rate").text, "66.7%")
        self.assertEqual(self.b.find("#transfers").text, "2")
        self.assertEqual(self.b.find("#abandoned").text, "1")
        self.assertEqual(self.b.find("#avg_handle").text, "92 秒")
        self.assertEqual(self.b.find("#date").text, "2026-11-26")
        self.assertEqual(len(self.b.find_all("#hourly g.hour")), 24)
        bars = self.b.js("""return Array.prototype.map.call(
            document.querySelectorAll('#hourly rect.bar'),
            function (r) { return +r.getAttribute('height'); });""")
        self.assertEqual(max(bars), bars[10])
        self.assertEqual([h for h in bars if h > 0], [bars[10], bars[11]])
        self.assertIn("該当あり", self.b.find("#by_outcome").text)
        orgs = self.b.find_all("#org-list > li")
        self.assertEqual(len(orgs), 2)
        self.assertIn("こもれび市", orgs[0].text)
        # Two open alerts, in red, with who, when and how many.
        self.assertIn("open", self.b.find("#alerts").get_attribute("class"))
        alerts = self.b.find_all("#alert-list > li.alert")
        self.assertEqual(len(alerts), 2)
        self.assertIn("gw（ゲートウェイ）が 3600 秒間に 6 回", alerts[0].text)
        self.assertIn("2026-11-26 16:59:10", alerts[0].text)
        self.assertIn("停止中", alerts[0].text)
        self.assertNotIn("停止中", alerts[1].text)
        color = self.b.js("return getComputedStyle(document.getElementById("
                          "'alerts')).backgroundColor")
        self.assertEqual(color, "rgb(193, 18, 31)")
        self.b.screenshot("wallboard-ja")
        (r, q), = self.rpc_calls("stats.live")
        self.assertEqual(r["headers"]["X-CSRF-Token"], "w")
        self.assertIsInstance(r["body"], list)    # one batch a refresh
        # A note being typed survives the next refresh.
        note = self.b.find("#note-1")
        note.send_keys("業者の定期処理と確認")
        self.b.wait(lambda d: len(self.rpc_calls("stats.live")) >= 2,
                    timeout=8)
        self.assertEqual(self.b.find("#note-1").get_attribute("value"),
                         "業者の定期処理と確認")
        # An empty note is not sent.
        self.b.find_all("#alert-list button.ack")[1].click()
        self.assertEqual(self.rpc_calls("alerts.ack"), [])
        self.b.find_all("#alert-list button.ack")[0].click()
        self.b.wait(lambda d: len(self.b.find_all("#alert-list > li")) == 1)
        (r, q), = self.rpc_calls("alerts.ack")
        self.assertEqual(q["params"], {"id": 1,
                                       "note": "業者の定期処理と確認"})
        self.assertIn("op2", self.b.find("#alert-list > li").text)
        self.b.find("#note-2").send_keys("checked")
        self.b.find("#note-2").submit()
        self.b.wait(lambda d: len(self.b.find_all("#alert-list > li")) == 0)
        self.assertIn("none", self.b.find("#alerts").get_attribute("class"))
        self.assertTrue(self.visible("#alerts-none"))
        self.b.find("#lang").click()
        self.assertEqual(self.b.find("#alerts-none").text, "No open alerts.")
        self.assertEqual(self.b.find("#avg_handle").text, "92 s")
        self.b.screenshot("wallboard-en")
        self.assertNoBrowserStorage()
        self.assertEqual(self.b.console_errors(), [])

    def test_without_stats_live(self):
        """Before the service has stats.live: summary and hourly."""
        self.b.before_each_page("window.__hotline.noLive = true;")
        self.open("wallboard.html", "#csrf=w&lang=en&role=supervisor")
        self.b.wait(lambda d: self.b.find("#inquiries").text == "13")
        self.assertEqual(self.b.find("#calls_now").text, "—")
        self.assertEqual(self.b.find("#transfers").text, "2")
        self.assertEqual(len(self.b.find_all("#org-list > li")), 1)
        (r, q), = self.rpc_calls("stats.hourly")
        self.assertEqual(q["params"], {"date": "2026-11-26"})
        self.assertEqual(len(self.b.find_all("#alert-list > li")), 2)
        self.assertEqual(self.b.console_errors(), [])


class TestFilesForTheCSP(unittest.TestCase):
    """What a CSP of script-src 'self'; style-src 'self' would refuse."""

    def read(self, name):
        with open(os.path.join(WEB, name), encoding="utf-8") as f:
            return f.read()

    def test_no_inline_script_style_or_handler(self):
        for page in PAGES:
            html = self.read(page)
            for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html,
                                 re.S):
                self.assertIn("src=", m.group(1), page)
                self.assertEqual(m.group(2).strip(), "", page)
            self.assertNotRegex(html, r"(?i)<[^>]+\son[a-z]+\s*=", page)
            self.assertNotRegex(html, r"(?i)<[^>]+\sstyle\s*=", page)
            self.assertNotRegex(html, r"(?i)<style\b", page)
            self.assertNotRegex(html, r"(?i)javascript:", page)
            # Nothing from another origin.
            self.assertNotRegex(html, r"(?i)(src|href)\s*=\s*\"(https?:)?//",
                                page)
            # Forms post: typed data never rides in a URL.
            for m in re.finditer(r"<form\b[^>]*>", html):
                self.assertIn('method="post"', m.group(0), page)
                self.assertIn('autocomplete="off"', m.group(0), page)

    def test_scripts_write_text_not_markup_and_store_nothing(self):
        names = [n for n in os.listdir(WEB) if n.endswith(".js")]
        self.assertEqual(sorted(names), ["common.js", "desk.js", "index.js",
                                         "texts.js", "wallboard.js"])
        banned = ("innerHTML", "outerHTML", "insertAdjacentHTML",
                  "document.write", "eval(", "new Function", "localStorage",
                  "sessionStorage", "indexedDB", "document.cookie",
                  "setAttribute(\"style\"", ".style.", "XMLHttpRequest")
        for n in names:
            js = self.read(n)
            for b in banned:
                self.assertNotIn(b, js, f"{n}: {b}")
            for url in re.findall(r"https?://[^\s\"']+", js):
                self.assertEqual(url, "http://www.w3.org/2000/svg", n)

    def test_the_css_fetches_nothing(self):
        css = self.read("hotline.css")
        self.assertNotIn("url(", css)
        self.assertNotIn("@import", css)

    def test_texts_are_json_shaped(self):
        """texts.js is one object literal of two flat string maps."""
        js = self.read("texts.js")
        body = js[js.index("window.HOTLINE_TEXTS = ") + 23:].strip()
        texts = json.loads(body.rstrip(";"))
        self.assertEqual(set(texts), {"ja", "en"})
        self.assertEqual(set(texts["ja"]), set(texts["en"]))
        for lang in texts:
            for k, v in texts[lang].items():
                self.assertIsInstance(v, str, k)
                # Written forms of the fraud warning's numbers (SPEC §6).
                self.assertNotIn("1 8 8", v, k)
                self.assertNotIn("9 1 1 0", v, k)
