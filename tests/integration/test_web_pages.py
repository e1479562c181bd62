"""The web pages (web/) in a real headless Chromium against the real
hotlined and its HTTP listener: an operator signs in, searches a listed
person, verifies a field, reads the notice and records the outcome, from
the keyboard, with what was typed going in request bodies only; a
supervisor sees that inquiry on the wallboard; a bulk-lookup alert shows
in red until a supervisor acks it there with a note; the English pages;
sign-in refusals and a page of the wrong role. The pages load without a
console error under the server's Content-Security-Policy, and store
nothing in the browser. Screenshots go to build/screenshots/ (docs/desk.png
and docs/wallboard.png are made from them).

The files are also checked for what such a policy would refuse."""
import json
import os
import re
import sqlite3
import time
import unittest

from browser import Browser, TOP, available
from harness import CLIENTS, HotlineTest

WEB = os.path.join(TOP, "web")
PAGES = ("index.html", "desk.html", "wallboard.html")
# What the operator types for the caller; none of it may be in a URL.
TYPED = ("ヤマダ", "タロウ", "1975-04-01", "090-1111-2222", "100-0001",
         "%E3%83%A4", "1111")


def skip_reason():
    why = available()
    if why and os.environ.get("CI"):
        raise AssertionError(f"CI must have the browser: {why}")
    return why


class PageTest(HotlineTest):
    """A daemon with its HTTP listener, and a headless Chromium."""

    dd_kwargs = {"http": {}, "alerts": {"threshold": 5}}
    lang = "ja-JP"

    @classmethod
    def setUpClass(cls):
        why = skip_reason()
        if why:
            raise unittest.SkipTest(why)

    def setUp(self):
        super().setUp()
        self.base = f"http://127.0.0.1:{self.d.http_port}"
        self.b = Browser(lang=self.lang)

    def tearDown(self):
        try:
            self.b.quit()
        finally:
            super().tearDown()

    def open(self, path):
        self.b.get(self.base + path)

    def path(self):
        return self.b.js("return location.pathname + location.search + "
                         "location.hash")

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

    def select(self, css, value):
        from selenium.webdriver.support.ui import Select
        Select(self.b.find(css)).select_by_value(value)

    def visible(self, css):
        return self.b.find(css).is_displayed()

    def sign_in(self, client, token=None, path="/"):
        """Signs in on a page's own form; waits for its answer."""
        if path is not None:
            self.open(path)
        self.type_into("#signin-client", client)
        self.type_into("#signin-token", token or CLIENTS[client][1])
        self.b.find("#signin-token").submit()

    def wait_for(self, cond, timeout=10):
        return self.b.wait(lambda d: cond(), timeout=timeout)

    def assertClean(self, refused=()):
        """No console error (a CSP violation is one), nothing stored.
        refused: paths the server was meant to answer with an error,
        which Chromium logs as one."""
        errors = [e for e in self.b.console_errors()
                  if not any(re.search(r"/%s - Failed to load resource: "
                                       r"the server responded with a status "
                                       r"of 4\d\d" % p.lstrip("/"),
                                       e["message"]) for p in refused)]
        self.assertEqual(errors, [])
        self.assertEqual(self.b.js(
            "return [localStorage.length, sessionStorage.length, "
            "document.cookie]"), [0, 0, ""])

    def assertUrlsClean(self):
        """Every request the daemon saw was one of the pages' own, with
        nothing typed in it."""
        access = [line for line in self.d.own_log().splitlines()
                  if re.search(r": http \d+: (GET|POST|HEAD) ", line)]
        self.assertTrue(access)
        for line in access:
            path = re.search(r"(GET|POST|HEAD) (\S+) ", line).group(2)
            self.assertIn(path, ("/", "/desk", "/wallboard", "/login",
                                 "/logout", "/rpc", "/common.js",
                                 "/texts.js", "/index.js", "/desk.js",
                                 "/wallboard.js", "/hotline.css",
                                 "/favicon.svg", "/favicon.ico"), line)
        log = self.d.own_log()
        for value in TYPED:
            self.assertNotIn(value, log)
            self.assertNotIn(value, self.b.driver.current_url)

    def db(self, sql, *args):
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()


class TestOperatorAndSupervisor(PageTest):

    def test_a_call_at_the_desk_then_the_wallboard(self):
        self.sign_in("op")
        # The sign-in page opens the desk, the token in the fragment
        # only, which the desk takes out of the address bar at once.
        self.wait_for(lambda: self.b.js("return location.pathname") ==
                      "/desk" and self.visible("#app"))
        self.assertEqual(self.path(), "/desk")
        self.assertEqual(self.b.js("return document.activeElement.id"),
                         "kana")
        self.assertClean()
        active = self.b.driver.switch_to.active_element
        active.send_keys("ヤマダ タロウ")
        self.type_into("#birthdate", "1975-04-01")
        self.select("#gender", "M")
        self.type_into("#phone", "090-1111-2222")
        self.alt("s")
        self.wait_for(lambda: len(self.b.find_all("#cand-list > li")) == 2)
        cands = self.b.find_all("#cand-list > li")
        for c in cands:
            self.assertIn("こもれび市（自治体）", c.text)
            self.assertIn("性別: 一致", c.text)
            self.assertIn("電話番号: 一致", c.text)
            # Checks, never a stored value.
            self.assertNotIn("千代田", c.text)
            self.assertNotIn("山田", c.text)
        self.assertEqual(self.b.find("#timer-toggle").text, "通話終了")
        # Verify the postal code against the first (the second lacks it).
        self.b.find_all("#cand-list .cand-verify")[0].click()
        self.type_into("#v-postal_code", "100-0001")
        self.alt("v")
        self.wait_for(lambda: "郵便番号: 一致" in
                      self.b.find_all("#cand-list > li")[0].text)
        self.assertEqual(self.b.find("#v-postal_code").get_attribute(
            "value"), "")
        # The script to read: the organisation and the fraud warning.
        self.alt("n")
        self.wait_for(lambda: "#9110" in self.b.find("#notice-text").text)
        notice = self.b.find("#notice-text").text
        self.assertIn("こもれび市", notice)
        self.assertIn("188", notice)
        self.b.js("window.scrollTo(0, 0)")
        self.b.screenshot("desk-ja")
        self.assertClean()
        # Record: the call's duration goes with it.
        time.sleep(1.1)
        self.alt("r")
        self.wait_for(lambda: re.search(r"\d+", self.b.find(
            "#record-msg").text) is not None)
        inquiry = int(re.search(r"照会 (\d+) として記録しました",
                                self.b.find("#record-msg").text).group(1))
        (channel, outcome, duration, client), = self.db(
            "SELECT channel, outcome, duration_s, client FROM inquiry "
            "WHERE id = ?", inquiry)
        self.assertEqual((channel, outcome, client),
                         ("operator", "affected", "op"))
        self.assertGreaterEqual(duration, 1)
        self.assertEqual(self.db("SELECT org FROM inquiry_org WHERE "
                                 "inquiry = ?", inquiry), [("komorebi",)])
        # Cleared for the next call.
        for css in ("#kana", "#birthdate", "#phone", "#postal_code"):
            self.assertEqual(self.b.find(css).get_attribute("value"), "", css)
        self.assertEqual(self.b.find_all("#cand-list > li"), [])
        self.assertEqual(self.b.find("#notice-text").text, "")
        self.assertEqual(self.b.find("#timer").text, "00:00")
        self.assertClean()
        # Every call was audited as the operator's.
        methods = [m for m, in self.db(
            "SELECT method FROM audit WHERE client = 'op' ORDER BY id")]
        self.assertEqual(methods, ["hello", "operator.search",
                                   "operator.verify", "notice.render",
                                   "inquiry.record"])
        # The wallboard is not the operator's page.
        self.open("/wallboard")
        self.assertIn("this page is not for your role",
                      self.b.find("body").text)
        self.assertClean(refused=("/wallboard",))
        # Sign out; the desk's requests are refused from then on.
        self.open("/desk")
        self.assertTrue(self.visible("#signin-form"))
        self.sign_in("sup", path=None)
        self.wait_for(lambda: "オペレーター" in
                      self.b.find("#signin-msg").text)
        self.assertFalse(self.visible("#app"))
        # A supervisor's wallboard shows the inquiry.
        self.sign_in("sup")
        self.wait_for(lambda: self.b.js("return location.pathname") ==
                      "/wallboard" and self.visible("#app"))
        self.wait_for(lambda: self.b.find("#inquiries").text == "1")
        self.assertEqual(self.path(), "/wallboard")
        channels = self.b.find("#by_channel").text
        self.assertRegex(channels, r"オペレーター\s*1")
        self.assertEqual(self.b.find("#match_rate").text, "100.0%")
        self.assertEqual(len(self.b.find_all("#org-list > li")), 1)
        self.assertIn("こもれび市", self.b.find("#org-list").text)
        self.assertEqual(len(self.b.find_all("#hourly g.hour")), 24)
        self.assertIn("none", self.b.find("#alerts").get_attribute("class"))
        self.assertClean()
        self.b.find("#logout").click()
        self.wait_for(lambda: self.visible("#signin-form"))
        self.assertIn("signed out", self.d.own_log())
        self.assertUrlsClean()

    def test_sign_in_refused(self):
        self.sign_in("op", "wrong-token")
        self.wait_for(lambda: self.b.find("#signin-msg").text != "")
        self.assertEqual(self.b.find("#signin-msg").text,
                         "クライアント名またはトークンが違います。")
        self.assertEqual(self.b.find("#signin-token").get_attribute("value"),
                         "")
        self.assertFalse(self.visible("#app"))
        # A gateway has no page: told so, and signed out again.
        self.sign_in("gw", path=None)
        self.wait_for(lambda: "ゲートウェイ" in
                      self.b.find("#signin-msg").text)
        self.assertFalse(self.visible("#app"))
        deadline = time.monotonic() + 5
        while "ended (signed out)" not in self.d.own_log():
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.assertIn("hello refused for client op", self.d.own_log())
        self.b.screenshot("signin-ja")
        self.assertClean(refused=("/login",))


class TestAlertOnTheWallboard(PageTest):

    def busy_day(self):
        """Inquiries of every channel, one IVR call open, and a gateway
        that looks up more people than the alert threshold allows."""
        gw = self.connect("gw")
        for phone, birth in (("09011112222", "1975-04-01"),
                             ("08033334444", "1970-12-03"),
                             ("09000000000", "1980-01-01")):
            gw.call("lookup", {"phone": phone, "birthdate": birth})
        for digits in ("19750401", None):
            r = gw.call("call.begin", {"call_id": f"c-{digits}",
                                       "ani": "09011112222"})
            s = r["result"]["session"]
            if digits:
                gw.call("call.input", {"session": s, "digits": digits})
                gw.call("call.end", {"session": s, "reason": "hangup"})
        bulk = self.connect("gw2")
        for _ in range(6):
            bulk.call("lookup", {"phone": "09011112222",
                                 "birthdate": "1975-04-01"})
        return gw

    def test_alert_in_red_until_acked(self):
        self.b.driver.set_window_size(1920, 1080)   # a big screen
        keep = self.busy_day()
        self.sign_in("sup")
        self.wait_for(lambda: self.visible("#app") and
                      len(self.b.find_all("#alert-list > li.alert")) == 1)
        self.wait_for(lambda: self.b.find("#inquiries").text == "10")
        alert = self.b.find("#alert-list > li.alert")
        self.assertIn("gw2（ゲートウェイ）が 3600 秒間に", alert.text)
        self.assertIn("open", self.b.find("#alerts").get_attribute("class"))
        self.assertEqual(self.b.js(
            "return getComputedStyle(document.getElementById('alerts'))"
            ".backgroundColor"), "rgb(193, 18, 31)")
        self.assertEqual(self.b.find("#calls_now").text, "1")
        self.b.screenshot("wallboard-ja")
        self.assertClean()
        # Acked with a note: gone from the board, recorded.
        (alert_id,), = self.db("SELECT id FROM alert")
        note = self.b.find(f"#note-{alert_id}")
        note.send_keys("業者の定期処理と確認済み")
        self.b.find("#alert-list button.ack").click()
        self.wait_for(lambda: self.b.find_all("#alert-list > li") == [])
        self.assertIn("none", self.b.find("#alerts").get_attribute("class"))
        self.assertTrue(self.visible("#alerts-none"))
        sup = self.connect("sup")
        a, = sup.call("alerts.list")["result"]["alerts"]
        self.assertEqual((a["client"], a["acked_by"], a["note"]),
                         ("gw2", "sup", "業者の定期処理と確認済み"))
        self.assertEqual(sup.call("alerts.list", {"unacked": True})
                         ["result"]["alerts"], [])
        self.assertIn(("alerts.ack", "ok"), self.db(
            "SELECT method, outcome FROM audit WHERE client = 'sup'"))
        # A refresh later, still gone.
        time.sleep(5.5)
        self.assertEqual(self.b.find_all("#alert-list > li"), [])
        self.assertClean()
        keep.close()


class TestEnglish(PageTest):
    lang = "en-US"

    def test_english_pages(self):
        self.open("/")
        self.assertEqual(self.b.find("#signin-h").text, "Sign in")
        self.assertEqual(self.b.js("return document.documentElement.lang"),
                         "en")
        # An admin chooses a page; the links carry the token in the
        # fragment only.
        self.sign_in("adm", path=None)
        self.wait_for(lambda: self.visible("#app"))
        href = self.b.find("#go-desk").get_attribute("href")
        self.assertRegex(href, r"/desk#csrf=[A-Za-z0-9]{32}&lang=en&"
                         r"role=admin$")
        self.b.find("#go-desk").click()
        self.wait_for(lambda: self.b.js("return location.pathname") ==
                      "/desk" and self.visible("#app"))
        self.assertEqual(self.b.find("h1").text, "Operator desk")
        self.type_into("#kana", "やまだ たろう")
        self.type_into("#birthdate", "S50.4.1")
        self.alt("s")
        self.wait_for(lambda: len(self.b.find_all("#cand-list > li")) == 2)
        self.assertIn("(local government)",
                      self.b.find_all("#cand-list > li")[0].text)
        self.alt("n")
        self.wait_for(lambda: "#9110" in self.b.find("#notice-text").text)
        self.assertIn("Komorebi City", self.b.find("#notice-text").text)
        self.b.js("window.scrollTo(0, 0)")
        self.b.screenshot("desk-en")
        # The language switch re-labels what is on the page.
        self.alt("l")
        self.assertEqual(self.b.find("h1").text, "オペレーター画面")
        self.alt("l")
        self.alt("c")
        self.assertEqual(self.b.find_all("#cand-list > li"), [])
        self.assertClean()
        self.sign_in("adm")
        self.wait_for(lambda: self.visible("#app"))
        self.b.find("#go-wallboard").click()
        self.wait_for(lambda: self.b.js("return location.pathname") ==
                      "/wallboard" and self.visible("#app"))
        self.wait_for(lambda: self.b.find("#inquiries").text == "0")
        self.assertEqual(self.b.find("#alerts-none").text, "No open alerts.")
        self.assertEqual(self.b.find("h1").text, "Wallboard")
        self.b.screenshot("wallboard-en")
        self.assertClean()
        self.assertUrlsClean()


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
        """texts.js is one object literal of two flat string maps, every
        key in both languages."""
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
        # Every key a page names exists.
        for page in PAGES:
            for key in re.findall(r'data-t(?:-[a-z]+)?="([^"]+)"',
                                  self.read(page)):
                self.assertIn(key, texts["ja"], f"{page}: {key}")
