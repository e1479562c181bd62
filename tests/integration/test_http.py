"""The HTTP front end (SPEC §6.4) against the real hotlined: every
endpoint's status codes and headers (CSP, nosniff, framing, no-store on
all but assets), the session cookie's attributes, sign-in as a hello
(audited, counted, logged), CSRF refusal, session expiry, role-gated pages
and methods, /rpc answering exactly as the TCP port, the limits (headers,
bodies, slow and idle clients, too many connections), no personal data in
any URL or access-log line, promtool on /metrics and counters that grow by
exactly the work done, TLS with a certificate made here, the conf's
checks, reload and stop."""
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import unittest

from harness import (CLIENTS, TOP, DataDir, Daemon, HotlineTest, binary,
                     conf_text)
from webclient import CSP, Web, parse_raw, raw_exchange

PERSON = {"phone": "09011112222", "birthdate": "1975-04-01"}
SEARCH = {"kana": "ヤマダ タロウ", "birthdate": "1975-04-01",
          "phone": "090-1111-2222", "postal_code": "100-0001"}
# What a caller says, in every form a test sends it: none of it may reach
# a log line or a URL.
PERSONAL = ("ヤマダ", "タロウ", "09011112222", "090-1111-2222", "1111-2222",
            "1975-04-01", "1975", "100-0001", "1000001", "千代田")


def metrics_values(text):
    """{'name{labels}': value} of an exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        out[key] = float(value)
    return out


def promtool():
    path = shutil.which("promtool")
    if path is None and os.environ.get("CI"):
        raise AssertionError("CI must have promtool (package prometheus)")
    return path


class WebTest(HotlineTest):
    """A daemon with an HTTP listener; self.web() gives clients."""

    http = {}
    dd_extra = {}

    def setUp(self):
        self.dd_kwargs = dict(self.dd_extra)
        self.dd_kwargs["http"] = dict(self.http)
        super().setUp()
        self._webs = []

    def tearDown(self):
        for w in self._webs:
            w.close()
        super().tearDown()

    def web(self, daemon=None, **kw):
        w = Web(daemon or self.d, **kw)
        self._webs.append(w)
        return w

    def signed_in(self, client):
        w = self.web()
        r = w.login(client)
        self.assertEqual(r.status, 200, r)
        return w

    def assertSecure(self, r, cache="no-store"):
        """The headers of every response (SPEC §6.4)."""
        self.assertEqual(r.header("content-security-policy"), CSP, r)
        self.assertEqual(r.header("x-content-type-options"), "nosniff", r)
        self.assertEqual(r.header("x-frame-options"), "DENY", r)
        self.assertEqual(r.header("cache-control"), cache, r)

    def assertRawSecure(self, headers):
        self.assertEqual(headers.get("content-security-policy"), CSP)
        self.assertEqual(headers.get("x-content-type-options"), "nosniff")
        self.assertEqual(headers.get("x-frame-options"), "DENY")
        self.assertEqual(headers.get("cache-control"), "no-store")

    def scrape(self, client="sup"):
        # One connection for every scrape, so that scrapes add none.
        if getattr(self, "_scraper", None) is None:
            self._scraper = self.web()
        w = self._scraper
        r = w.get("/metrics", headers={
            "Authorization": "Bearer " + CLIENTS[client][1]})
        self.assertEqual(r.status, 200, r)
        return r

    def metric(self, key):
        return metrics_values(self.scrape().text).get(key, 0.0)

    def log_lines(self, what="http "):
        return [line for line in self.d.own_log().splitlines()
                if what in line]


class TestEndpoints(WebTest):

    def test_healthz_and_readyz(self):
        w = self.web()
        r = w.get("/healthz")
        self.assertEqual((r.status, r.text), (200, "ok\n"))
        self.assertEqual(r.header("content-type"), "text/plain; charset=utf-8")
        self.assertSecure(r)
        r = w.get("/readyz")
        self.assertEqual((r.status, r.text), (200, "ready\n"))
        self.assertSecure(r)
        self.assertEqual(w.request("HEAD", "/healthz").status, 200)

    def test_readyz_when_hotline_db_takes_no_writes(self):
        w = self.signed_in("gw")
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"),
                             isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        try:
            # The lookup's commit fails: -32005, as on the TCP port.
            resp = w.call("lookup", PERSON)
            self.assertEqual(resp["error"]["code"], -32005, resp)
            r = self.web().get("/readyz")
            self.assertEqual(r.status, 503)
            self.assertIn("hotline.db does not accept writes", r.text)
            self.assertSecure(r)
            # A sign-in is a hello whose audit entry cannot be kept.
            r = self.web().login("op")
            self.assertEqual(r.status, 503, r)
            self.assertIsNone(r.header("set-cookie"))
        finally:
            db.execute("ROLLBACK")
            db.close()
        self.assertIn("result", w.call("lookup", PERSON))
        self.assertEqual(self.web().get("/readyz").status, 200)

    def test_unknown_paths_and_methods(self):
        w = self.web()
        for path in ("/nope", "/desk.html", "/index.html", "/../etc/passwd",
                     "/%2e%2e/etc/passwd", "/web/desk.js", "/DESK",
                     "/desk/", "/metrics/x"):
            r = w.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertSecure(r)
        for method, path, allow in (("POST", "/healthz", "GET, HEAD"),
                                    ("GET", "/rpc", "POST"),
                                    ("PUT", "/login", "POST"),
                                    ("DELETE", "/desk", "GET, HEAD"),
                                    ("POST", "/desk.js", "GET, HEAD"),
                                    ("OPTIONS", "/", "GET, HEAD")):
            r = w.request(method, path, body=b"")
            self.assertEqual(r.status, 405, (method, path))
            self.assertEqual(r.header("allow"), allow)
            self.assertSecure(r)

    def test_every_response_carries_the_headers(self):
        """Including the ones evhttp writes itself (400, 413)."""
        port = self.d.http_port
        for data in (b"GARBAGE\r\n\r\n",
                     b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                     b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 9000 +
                     b"\r\n\r\n",
                     b"POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: "
                     b"17000\r\n\r\n" + b"x" * 17000):
            status, headers, _ = parse_raw(raw_exchange(port, data))
            self.assertIn(status, (400, 413), data[:40])
            self.assertRawSecure(headers)
        self.assertIn("refused by the HTTP parser", self.d.own_log())


class TestMetrics(WebTest):

    def test_bearer_token_of_a_supervisor_or_admin(self):
        w = self.web()
        for headers in ({}, {"Authorization": "Bearer"},
                        {"Authorization": "Bearer wrong-token"},
                        {"Authorization": "Basic " + CLIENTS["sup"][1]},
                        {"Authorization": "Bearer " + CLIENTS["op"][1]},
                        {"Authorization": "Bearer " + CLIENTS["gw"][1]}):
            r = w.get("/metrics", headers=headers)
            self.assertEqual(r.status, 401, headers)
            self.assertEqual(r.header("www-authenticate"),
                             'Bearer realm="hotline"')
            self.assertSecure(r)
            self.assertNotIn(b"hotline_", r.body)
        for client in ("sup", "adm"):
            r = w.get("/metrics", headers={
                "Authorization": "Bearer " + CLIENTS[client][1]})
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("content-type"),
                             "text/plain; version=0.0.4; charset=utf-8")
            self.assertSecure(r)
        self.assertIn("/metrics refused", self.d.own_log())

    def test_promtool_and_no_secret(self):
        w = self.signed_in("op")
        w.call("operator.search", SEARCH)
        text = self.scrape().text
        tool = promtool()
        if tool is not None:
            p = subprocess.run([tool, "check", "metrics"], input=text,
                               text=True, capture_output=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for token in [t for _, t in CLIENTS.values()] + [w.csrf, w.cookie]:
            self.assertNotIn(token, text)
        for value in PERSONAL:
            self.assertNotIn(value, text)
        v = metrics_values(text)
        self.assertEqual(v['hotline_connections_open{listener="http"}'] >= 1,
                         True)
        self.assertEqual(v['hotline_sessions_open{kind="web"}'], 1)

    def test_counters_grow_by_exactly_the_work_done(self):
        before = metrics_values(self.scrape().text)
        tcp = self.connect("gw")
        w = self.signed_in("op")
        for _ in range(3):
            self.assertIn("result", tcp.call("lookup", PERSON))
        for _ in range(2):
            self.assertIn("result", w.call("lookup", PERSON))
        self.assertEqual(w.call("stats.live")["error"]["code"], -32002)
        self.assertIn("result", w.call("operator.search", SEARCH))
        bad = self.web()
        self.assertEqual(bad.login("op", "wrong").status, 401)
        after = metrics_values(self.scrape().text)

        def grew(key):
            return after.get(key, 0) - before.get(key, 0)
        self.assertEqual(grew('hotline_requests_total{method="lookup",'
                              'code="ok"}'), 5)
        self.assertEqual(grew('hotline_requests_total{method="stats.live",'
                              'code="-32002"}'), 1)
        self.assertEqual(grew('hotline_requests_total{method="operator.'
                              'search",code="ok"}'), 1)
        # Two hellos: the TCP one and the web sign-in; one refused.
        self.assertEqual(grew('hotline_requests_total{method="hello",'
                              'code="ok"}'), 2)
        self.assertEqual(grew('hotline_requests_total{method="hello",'
                              'code="-32001"}'), 1)
        self.assertEqual(grew('hotline_inquiries_total{channel="api",'
                              'outcome="affected"}'), 3)
        self.assertEqual(grew('hotline_inquiries_total{channel="operator",'
                              'outcome="affected"}'), 2)
        self.assertEqual(grew('hotline_request_duration_seconds_count'
                              '{method="lookup"}'), 5)
        # Audited: 2 hellos + 1 refused + 5 lookups + 1 refused role + 1
        # search (the scrapes are not).
        self.assertEqual(grew("hotline_audit_entries_total"), 10)


class TestLogin(WebTest):

    def test_json_and_form_and_the_cookie(self):
        w = self.web()
        r = w.login("op")
        self.assertEqual(r.status, 200)
        self.assertEqual(set(r.json), {"role", "csrf"})
        self.assertEqual(r.json["role"], "operator")
        self.assertRegex(r.json["csrf"], r"^[A-Za-z0-9]{32}$")
        self.assertSecure(r)
        cookie, = r.all("set-cookie")
        attrs = [a.strip() for a in cookie.split(";")]
        self.assertRegex(attrs[0], r"^hotline_session=[A-Za-z0-9]{32}$")
        self.assertEqual(sorted(attrs[1:]), ["HttpOnly", "Path=/",
                                             "SameSite=Strict"])
        self.assertNotIn(r.json["csrf"], cookie)
        # A form works the same.
        f = self.web()
        r = f.post("/login", "client=sup&token=" + CLIENTS["sup"][1],
                   headers={"Content-Type":
                            "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["role"], "supervisor")
        self.assertNotEqual(f.cookie, w.cookie)
        self.assertIn("web 1: client op (operator) signed in",
                      self.d.own_log())

    def test_refused_sign_in_is_a_failed_hello(self):
        for client, token in (("op", "wrong"), ("nobody", "x"),
                              ("op", CLIENTS["sup"][1])):
            w = self.web()
            r = w.login(client, token)
            self.assertEqual(r.status, 401, r)
            self.assertIsNone(r.header("set-cookie"))
            self.assertEqual(r.header("connection"), "close")
            self.assertSecure(r)
            self.assertEqual(r.json, {"error": "unknown client or wrong "
                                      "token"})
        log = self.d.own_log()
        self.assertEqual(len(re.findall(r"hello refused for client", log)),
                         3, log)
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
        try:
            rows = db.execute("SELECT client, method, outcome, args FROM "
                              "audit WHERE method = 'hello'").fetchall()
        finally:
            db.close()
        self.assertEqual([r[2] for r in rows], ["-32001"] * 3)
        self.assertEqual([json.loads(r[3])["client"] for r in rows],
                         ["op", "(unknown)", "op"])
        for row in rows:
            self.assertNotIn("wrong", row[3])

    def test_bad_sign_in_requests(self):
        w = self.web()
        for body, ctype, status in (
                ({"client": "op"}, "application/json", 400),
                ({"client": "op", "token": ""}, "application/json", 400),
                ({"client": 1, "token": "x"}, "application/json", 400),
                ("not json", "application/json", 400),
                ("client=op", "application/x-www-form-urlencoded", 400),
                ("client=op&token=x", "text/plain", 415),
                ({"client": "op", "token": "x" * 300}, "application/json",
                 400)):
            r = w.post("/login", body, headers={"Content-Type": ctype})
            self.assertEqual(r.status, status, (body, r))
            self.assertSecure(r)
        r = w.post("/login", {"client": "op", "token": CLIENTS["op"][1]},
                   headers={"Origin": "http://evil.example"})
        self.assertEqual(r.status, 403)
        r = w.post("/login", {"client": "op", "token": CLIENTS["op"][1]},
                   headers={"Sec-Fetch-Site": "cross-site"})
        self.assertEqual(r.status, 403)
        r = w.post("/login", {"client": "op", "token": CLIENTS["op"][1]},
                   headers={"Origin": "http://127.0.0.1:%d" %
                            self.d.http_port})
        self.assertEqual(r.status, 200)

    def test_logout(self):
        w = self.signed_in("op")
        self.assertIn("result", w.call("ping"))
        cookie = w.cookie
        r = w.post("/logout", {}, headers={"X-CSRF-Token": "wrong"})
        self.assertEqual(r.status, 403)
        self.assertIn("result", w.call("ping"))
        r = w.logout()
        self.assertEqual(r.status, 200)
        self.assertSecure(r)
        self.assertRegex(r.header("set-cookie"), r"^hotline_session=; Path=/;"
                         r" HttpOnly; SameSite=Strict; Max-Age=0$")
        w.cookie = cookie
        self.assertEqual(w.rpc_raw(w.message("ping")).status, 401)
        self.assertIn("signed out", self.d.own_log())
        self.assertEqual(self.metric('hotline_sessions_open{kind="web"}'), 0)

    def test_a_new_sign_in_ends_the_old_session(self):
        w = self.signed_in("op")
        old = w.cookie
        self.assertEqual(w.login("sup").status, 200)
        self.assertNotEqual(w.cookie, old)
        self.assertIn("replaced by a new sign-in", self.d.own_log())
        stale = self.web()
        stale.cookie, stale.csrf = old, "x" * 32
        self.assertEqual(stale.rpc_raw(stale.message("ping")).status, 401)


class TestRpc(WebTest):

    def test_no_session_and_csrf(self):
        w = self.web()
        r = w.rpc_raw(w.message("ping"))
        self.assertEqual(r.status, 401)
        self.assertSecure(r)
        w.cookie = "A" * 32
        self.assertEqual(w.rpc_raw(w.message("ping")).status, 401)
        w = self.signed_in("op")
        for csrf in (None, "", "x" * 32, w.csrf[:-1], w.csrf + "x",
                     w.csrf.lower() if w.csrf != w.csrf.lower() else "y" * 32):
            headers = {} if csrf is None else {"X-CSRF-Token": csrf}
            r = w.post("/rpc", w.message("ping"), headers=headers)
            self.assertEqual(r.status, 403, csrf)
            self.assertSecure(r)
        # Another session's token is no token of this one.
        other = self.signed_in("op2")
        self.assertEqual(w.rpc_raw(w.message("ping"), csrf=other.csrf).status,
                         403)
        r = w.rpc_raw(w.message("ping"), headers={
            "Origin": "http://evil.example"})
        self.assertEqual(r.status, 403)
        r = w.rpc_raw(w.message("ping"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "application/json")
        self.assertSecure(r)

    def test_same_answers_as_the_tcp_port(self):
        tcp = self.connect("op")
        w = self.signed_in("op")
        lines = [
            '{"jsonrpc":"2.0","id":1,"method":"ping"}',
            '{"jsonrpc":"2.0","id":2,"method":"stats.summary"}',
            '{"jsonrpc":"2.0","id":3,"method":"no.such"}',
            '{"jsonrpc":"2.0","id":4,"method":"lookup","params":{}}',
            '{"jsonrpc":"2.0","id":5}',
            '{not json',
            '[]',
            '[{"jsonrpc":"2.0","id":6,"method":"ping"},'
            '{"jsonrpc":"2.0","method":"ping"},'
            '{"jsonrpc":"2.0","id":7,"method":"operator.verify",'
            '"params":{"ref":"nope"}}]',
        ]
        for line in lines:
            tcp.send(line + "\n")
            want = json.loads(tcp.recv_line())
            r = w.rpc_raw(line)
            self.assertEqual(r.status, 200, line)
            self.assertEqual(r.json, want, line)
        # Only notifications: nothing to say.
        r = w.rpc_raw('{"jsonrpc":"2.0","method":"ping"}')
        self.assertEqual((r.status, r.body), (204, b""))

    def test_roles(self):
        op = self.signed_in("op")
        sup = self.signed_in("sup")
        adm = self.signed_in("adm")
        gw = self.signed_in("gw")
        self.assertEqual(op.call("stats.live")["error"]["code"], -32002)
        self.assertEqual(op.call("alerts.list")["error"]["code"], -32002)
        self.assertIn("result", sup.call("stats.live"))
        self.assertIn("result", sup.call("alerts.list", {"unacked": True}))
        self.assertEqual(sup.call("operator.search", SEARCH)["error"]["code"],
                         -32002)
        self.assertEqual(gw.call("operator.search", SEARCH)["error"]["code"],
                         -32002)
        self.assertIn("result", adm.call("stats.live"))
        self.assertIn("result", adm.call("operator.search", SEARCH))
        # An admin's IVR call over /rpc is the web session's, and ends
        # with it.
        s = adm.result("call.begin", {"call_id": "web-1"})["session"]
        self.assertEqual(self.metric('hotline_sessions_open{kind="ivr"}'), 1)
        self.assertEqual(adm.logout().status, 200)
        deadline = time.monotonic() + 5
        while self.metric('hotline_sessions_open{kind="ivr"}') != 0:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.assertTrue(s)

    def test_an_answer_done_off_the_loop(self):
        """audit.verify runs on the jobs' thread; over /rpc its answer
        still comes whole, in its place in a batch."""
        w = self.signed_in("adm")
        r = w.result("audit.verify", {})
        self.assertTrue(r["ok"], r)
        self.assertGreater(r["entries"], 0)
        resp = w.rpc_raw('[{"jsonrpc":"2.0","id":1,"method":"ping"},'
                         '{"jsonrpc":"2.0","id":2,"method":"audit.verify"},'
                         '{"jsonrpc":"2.0","method":"audit.verify"},'
                         '{"jsonrpc":"2.0","id":3,"method":"ping"}]')
        self.assertEqual(resp.status, 200)
        self.assertEqual([x["id"] for x in resp.json], [1, 2, 3])
        self.assertTrue(resp.json[1]["result"]["ok"], resp.json)
        self.assertGreaterEqual(resp.json[1]["result"]["entries"],
                                r["entries"])

    def test_a_failed_hello_in_the_body_signs_out(self):
        w = self.signed_in("op")
        resp = w.call("hello", {"client": "op", "token": "wrong"})
        self.assertEqual(resp["error"]["code"], -32001)
        self.assertEqual(w.rpc_raw(w.message("ping")).status, 401)
        self.assertIn("a hello failed", self.d.own_log())

    def test_answers_wait_for_their_commit(self):
        """An inquiry id seen over HTTP is in hotline.db."""
        w = self.signed_in("op")
        for _ in range(5):
            r = w.result("lookup", PERSON)
            db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
            try:
                n = db.execute("SELECT count(*) FROM inquiry WHERE id = ?",
                               (r["inquiry"],)).fetchone()[0]
            finally:
                db.close()
            self.assertEqual(n, 1)
        rec = w.result("inquiry.record", {"inquiry": r["inquiry"],
                                          "outcome": "affected",
                                          "duration_s": 30})
        self.assertEqual(rec["inquiry"], r["inquiry"])

    def test_audit_of_web_requests(self):
        w = self.signed_in("op")
        w.call("operator.search", SEARCH)
        w.call("notice.render", {"orgs": ["komorebi"]})
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
        try:
            rows = db.execute("SELECT client, role, method, outcome, args "
                              "FROM audit ORDER BY id").fetchall()
        finally:
            db.close()
        self.assertEqual([r[:4] for r in rows], [
            ("op", "operator", "hello", "ok"),
            ("op", "operator", "operator.search", "ok"),
            ("op", "operator", "notice.render", "ok")])
        for row in rows:
            for value in PERSONAL:
                self.assertNotIn(value, row[4])


class TestRateLimitAndAlerts(WebTest):
    dd_extra = {"rate": {"lookups_per_s": 1, "burst": 2},
                "alerts": {"threshold": 3, "suspend": "true"}}

    def test_rate_limit_and_bulk_lookup_alert_over_http(self):
        w = self.signed_in("op")
        codes = []
        for _ in range(4):
            resp = w.call("lookup", PERSON)
            codes.append(resp.get("error", {}).get("code", 0))
        self.assertEqual(codes[:2], [0, 0])
        self.assertIn(-32003, codes[2:])
        self.assertGreaterEqual(self.metric(
            'hotline_rate_limited_total{limit="client"}'), 1)
        for _ in range(3):
            w.call("operator.search", SEARCH)
        sup = self.signed_in("sup")
        alerts = sup.result("alerts.list", {"unacked": True})["alerts"]
        self.assertEqual([(a["client"], a["suspended"]) for a in alerts],
                         [("op", True)])
        # Suspended: every request of the client, whatever its session.
        resp = w.call("ping")
        self.assertIn("result", resp)     # ping needs no authentication
        resp = w.call("operator.search", SEARCH)
        self.assertEqual(resp["error"]["data"], {"reason": "suspended"})
        r = sup.result("alerts.ack", {"id": alerts[0]["id"],
                                      "note": "checked over HTTP"})
        self.assertEqual(r["acked_by"], "sup")
        self.assertEqual(self.metric("hotline_alerts_open"), 0)


class TestPages(WebTest):

    def test_pages_and_roles(self):
        anon = self.web()
        for path, name in (("/", "index.html"), ("/desk", "desk.html"),
                           ("/wallboard", "wallboard.html")):
            r = anon.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertEqual(r.header("content-type"),
                             "text/html; charset=utf-8")
            self.assertSecure(r)
            with open(os.path.join(TOP, "web", name), "rb") as f:
                self.assertEqual(r.body, f.read())
        for client, desk, wall in (("op", 200, 403), ("sup", 403, 200),
                                   ("adm", 200, 200), ("gw", 403, 403)):
            w = self.signed_in(client)
            self.assertEqual(w.get("/").status, 200)
            r = w.get("/desk")
            self.assertEqual(r.status, desk, client)
            self.assertSecure(r)
            self.assertEqual(w.get("/wallboard").status, wall, client)

    def test_assets(self):
        w = self.web()
        for name, ctype in (("desk.js", "text/javascript; charset=utf-8"),
                            ("common.js", "text/javascript; charset=utf-8"),
                            ("hotline.css", "text/css; charset=utf-8")):
            r = w.get("/" + name)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("content-type"), ctype)
            self.assertSecure(r, cache="no-cache")
            etag = r.header("etag")
            self.assertRegex(etag, r'^"[0-9a-f]{16}"$')
            with open(os.path.join(TOP, "web", name), "rb") as f:
                self.assertEqual(r.body, f.read())
            r = w.get("/" + name, headers={"If-None-Match": etag})
            self.assertEqual((r.status, r.body), (304, b""))
            self.assertSecure(r, cache="no-cache")
            r = w.get("/" + name, headers={"If-None-Match": '"0"'})
            self.assertEqual(r.status, 200)


class TestSessionExpiry(WebTest):
    http = {"session_idle_s": 2, "session_lifetime_s": 4}

    def test_idle_and_lifetime(self):
        idle = self.signed_in("op")
        busy = self.signed_in("op2")
        self.assertEqual(self.metric('hotline_sessions_open{kind="web"}'), 2)
        # busy keeps making requests: idle time starts again each time.
        for _ in range(3):
            time.sleep(1.0)
            self.assertEqual(busy.rpc_raw(busy.message("ping")).status, 200)
        self.assertEqual(idle.rpc_raw(idle.message("ping")).status, 401)
        # ... until its lifetime is over, requests or not.
        deadline = time.monotonic() + 4
        while busy.rpc_raw(busy.message("ping")).status == 200:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.5)
        self.assertEqual(busy.rpc_raw(busy.message("ping")).status, 401)
        log = self.d.own_log()
        self.assertIn("ended (idle)", log)
        self.assertIn("ended (lifetime over)", log)
        # The sweep ends them without a request too.
        other = self.signed_in("sup")
        self.assertTrue(other.cookie)
        deadline = time.monotonic() + 6
        while self.metric('hotline_sessions_open{kind="web"}') != 0:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.5)


class TestSessionLimit(WebTest):
    http = {"max_sessions": 2}

    def test_bounded(self):
        a = self.signed_in("op")
        self.signed_in("op2")
        r = self.web().login("sup")
        self.assertEqual(r.status, 503)
        self.assertIn("too many web sessions", r.json["error"])
        self.assertIsNone(r.header("set-cookie"))
        self.assertEqual(a.logout().status, 200)
        self.assertEqual(self.web().login("sup").status, 200)


class TestReload(WebTest):

    def test_removed_client_and_restart_only_keys(self):
        op = self.signed_in("op")
        sup = self.signed_in("sup")
        clients = dict(CLIENTS)
        del clients["op"]
        self.dd.write_conf(http={}, clients=clients)
        self.d.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "client removed from the conf" not in self.d.own_log():
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.assertEqual(op.rpc_raw(op.message("ping")).status, 401)
        self.assertIn("result", sup.call("stats.live"))
        # The listener's address needs a restart: the conf is kept whole.
        self.dd.write_conf(http={"port": 1})
        self.d.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "need a restart" not in self.d.own_log():
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.assertIn("result", sup.call("stats.live"))


class TestLimits(WebTest):
    http = {"max_header_bytes": 2048, "max_body_bytes": 4096,
            "request_timeout_s": 2, "idle_timeout_s": 3,
            "max_connections": 4}

    def test_oversized_headers_and_bodies(self):
        port = self.d.http_port
        status, headers, _ = parse_raw(raw_exchange(
            port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " +
            b"a" * 3000 + b"\r\n\r\n"))
        self.assertIn(status, (400, 413))
        self.assertRawSecure(headers)
        w = self.signed_in("op")
        big = json.dumps(w.message("operator.search",
                                   {"kana": "ア" * 2000,
                                    "birthdate": "1975-04-01"}),
                         ensure_ascii=False)
        self.assertGreater(len(big.encode()), 4096)
        r = w.rpc_raw(big)
        self.assertEqual(r.status, 413)
        self.assertEqual(r.header("content-security-policy"), CSP)
        # Just under the limit is fine.
        w = self.signed_in("op")
        ok = json.dumps(w.message("operator.search", {
            "kana": "ア" * 1000, "birthdate": "1975-04-01"}),
            ensure_ascii=False)
        self.assertLess(len(ok.encode()), 4096)
        self.assertEqual(w.rpc_raw(ok).status, 200)

    def test_slow_and_idle_clients(self):
        port = self.d.http_port
        # A request trickling in is cut at request_timeout_s, however
        # steadily its bytes come.
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        t0 = time.monotonic()
        closed = False
        for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40:
            try:
                s.sendall(bytes([b]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            s.settimeout(0.3)
            try:
                if s.recv(100) == b"":
                    closed = True
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed = True
                break
        elapsed = time.monotonic() - t0
        s.close()
        self.assertTrue(closed)
        self.assertGreater(elapsed, 1.5)
        self.assertLess(elapsed, 6)
        self.assertIn("a request took over 2 s to arrive", self.d.own_log())
        # A connection that says nothing is closed after idle_timeout_s.
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        t0 = time.monotonic()
        self.assertEqual(s.recv(100), b"")
        self.assertGreater(time.monotonic() - t0, 2.5)
        s.close()
        # A keep-alive connection after its answer, too.
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"ok\n" not in data:
            data += s.recv(1000)
        t0 = time.monotonic()
        self.assertEqual(s.recv(100), b"")
        self.assertGreater(time.monotonic() - t0, 2.5)
        s.close()

    def test_too_many_connections(self):
        port = self.d.http_port
        held = [socket.create_connection(("127.0.0.1", port), timeout=5)
                for _ in range(3)]
        time.sleep(0.3)
        # Three idle ones and the scraper's: the limit.
        self.assertEqual(self.metric('hotline_connections_open'
                                     '{listener="http"}'), 4)
        # The fifth waits to be accepted: no answer while four are open.
        extra = socket.create_connection(("127.0.0.1", port), timeout=5)
        extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
        extra.settimeout(1.0)
        with self.assertRaises(socket.timeout):
            extra.recv(100)
        held.pop().close()
        extra.settimeout(5)
        data = b""
        while True:
            chunk = extra.recv(1000)
            if not chunk:
                break
            data += chunk
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data)
        extra.close()
        for s in held:
            s.close()
        # Every close is counted: back to the scraper's own connection.
        deadline = time.monotonic() + 5
        while self.metric('hotline_connections_open{listener="http"}') != 1:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)


class TestPrivacy(WebTest):

    def test_no_personal_data_in_urls_or_the_log(self):
        w = self.signed_in("op")
        cands = w.result("operator.search", SEARCH)["candidates"]
        self.assertTrue(cands)
        w.result("operator.verify", {"ref": cands[0]["ref"],
                                     "address": "東京都千代田区千代田1-1-1",
                                     "postal_code": "100-0001"})
        w.result("lookup", PERSON)
        # Whatever a client puts in a URL is not logged.
        for path in ("/desk?kana=%E3%83%A4%E3%83%9E%E3%83%80&phone="
                     "09011112222", "/09011112222",
                     "/rpc?birthdate=1975-04-01",
                     "/%E3%83%A4%E3%83%9E%E3%83%80"):
            w.get(path)
        log = self.d.own_log()
        access = self.log_lines("http ")
        self.assertTrue(any("POST /rpc 200" in line for line in access))
        self.assertTrue(any("GET /desk 200" in line for line in access))
        self.assertTrue(any("GET (other) 404" in line for line in access))
        for value in PERSONAL:
            self.assertNotIn(value, log)
        self.assertNotIn("?", "".join(access))
        self.assertNotIn("%E3", log)
        self.assertNotIn(w.cookie, log)
        self.assertNotIn(w.csrf, log)
        self.assertNotIn(CLIENTS["op"][1], log)


class TestStop(WebTest):

    def test_sigterm_closes_idle_connections_and_exits(self):
        w = self.signed_in("op")
        self.assertIn("result", w.call("ping"))
        idle = socket.create_connection(("127.0.0.1", self.d.http_port),
                                        timeout=10)
        time.sleep(0.2)
        t0 = time.monotonic()
        self.d.signal(signal.SIGTERM)
        self.assertEqual(self.d.proc.wait(15), 0)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(idle.recv(100), b"")
        idle.close()


def make_cert(directory, cn="127.0.0.1"):
    """A self-signed certificate for 127.0.0.1 and localhost; returns
    (cert, key) paths."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "2", "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert], check=True,
                   capture_output=True, timeout=60)
    os.chmod(key, 0o600)
    return cert, key


class TestTLS(unittest.TestCase):

    def setUp(self):
        self.dd = DataDir(import_list=True)
        self.cert, self.key = make_cert(self.dd.root)
        self.d = None

    def tearDown(self):
        try:
            if self.d is not None:
                self.d.stop()
        finally:
            if self.d is not None:
                self.d.kill()
            self.dd.cleanup()

    def start(self, address="127.0.0.1"):
        self.dd.write_conf(http={"address": '"%s"' % address,
                                 "tls_cert": '"%s"' % self.cert,
                                 "tls_key": '"%s"' % self.key})
        self.d = Daemon(self.dd)
        self.assertEqual(self.d.http_scheme, "https")

    def test_https(self):
        self.start()
        w = Web(self.d, tls_ca=self.cert)
        try:
            r = w.get("/healthz")
            self.assertEqual((r.status, r.text), (200, "ok\n"))
            self.assertEqual(r.header("strict-transport-security"),
                             "max-age=31536000")
            self.assertEqual(r.header("content-security-policy"), CSP)
            r = w.login("op")
            self.assertEqual(r.status, 200)
            attrs = [a.strip() for a in r.header("set-cookie").split(";")]
            self.assertEqual(sorted(attrs[1:]), ["HttpOnly", "Path=/",
                                                 "SameSite=Strict", "Secure"])
            self.assertIn("result", w.call("lookup", PERSON))
            r = w.post("/rpc", w.message("ping"), headers={
                "X-CSRF-Token": w.csrf,
                "Origin": "https://127.0.0.1:%d" % self.d.http_port})
            self.assertEqual(r.status, 200)
        finally:
            w.close()
        # Plain HTTP on the TLS port gets no answer in the clear.
        out = raw_exchange(self.d.http_port,
                           b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertNotIn(b"HTTP/1.1 200", out)
        self.assertNotIn(b"ok\n", out)
        # A client that does not trust the certificate stops at once.
        import ssl
        ctx = ssl.create_default_context()
        with socket.create_connection(("127.0.0.1", self.d.http_port),
                                      timeout=5) as s:
            with self.assertRaises(ssl.SSLCertVerificationError):
                ctx.wrap_socket(s, server_hostname="127.0.0.1")
        # Nor is TLS older than 1.2 spoken.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(self.cert)
        try:
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
            ctx.minimum_version = ssl.TLSVersion.TLSv1
        except (ValueError, AttributeError):
            return
        with socket.create_connection(("127.0.0.1", self.d.http_port),
                                      timeout=5) as s:
            with self.assertRaises((ssl.SSLError, OSError)):
                ctx.wrap_socket(s, server_hostname="127.0.0.1")

    def test_certificate_renewed_on_reload(self):
        self.start()
        old = self.cert + ".old"
        shutil.copy(self.cert, old)
        kept = Web(self.d, tls_ca=old)
        try:
            self.assertEqual(kept.get("/healthz").status, 200)
            renewed = os.path.join(self.dd.root, "renewed")
            os.mkdir(renewed)
            cert, key = make_cert(renewed)
            shutil.copy(cert, self.cert)
            shutil.copy(key, self.key)
            self.d.signal(signal.SIGHUP)
            deadline = time.monotonic() + 10
            while "reload: http:" not in self.d.own_log():
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.05)
            # New connections get the new certificate...
            w = Web(self.d, tls_ca=cert)
            try:
                self.assertEqual(w.get("/healthz").status, 200)
            finally:
                w.close()
            import ssl
            with self.assertRaises(ssl.SSLCertVerificationError):
                Web(self.d, tls_ca=old).get("/healthz")
            # ... an open one keeps its own.
            self.assertEqual(kept.get("/healthz").status, 200)
            # A key that is not the certificate's is refused: kept as is.
            other = os.path.join(self.dd.root, "other")
            os.mkdir(other)
            _, key2 = make_cert(other)
            shutil.copy(key2, self.key)
            self.d.signal(signal.SIGHUP)
            deadline = time.monotonic() + 10
            while "the certificate is kept" not in self.d.own_log():
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.05)
            w = Web(self.d, tls_ca=cert)
            try:
                self.assertEqual(w.get("/healthz").status, 200)
            finally:
                w.close()
        finally:
            kept.close()

    def test_any_address_with_tls(self):
        """A listener on every address is fine with TLS (not without)."""
        self.start(address="0.0.0.0")
        w = Web(self.d, tls_ca=self.cert)
        try:
            self.assertEqual(w.get("/healthz").status, 200)
        finally:
            w.close()


class TestConf(unittest.TestCase):
    """The http section's checks: file:line errors, hotlined -t."""

    def check(self, http_text):
        dd = DataDir(import_list=False)
        try:
            text = conf_text(extra=http_text)
            with open(dd.conf, "w") as f:
                f.write(text)
            p = subprocess.run([binary("hotlined"), "-t", "-c", dd.conf],
                               capture_output=True, text=True, timeout=60)
            line = None
            for i, t in enumerate(text.splitlines(), 1):
                if "http" in t:
                    line = i
            return p, dd.conf, line
        finally:
            dd.cleanup()

    def test_errors(self):
        web = os.path.join(TOP, "web")
        cases = [
            ('http = { address = "192.0.2.10"; web_dir = "%s"; };' % web,
             "http.address: 192.0.2.10 is not a loopback address: tls_cert "
             "and tls_key are required"),
            ('http = { address = "0.0.0.0"; web_dir = "%s"; };' % web,
             "is not a loopback address"),
            ('http = { address = "::"; web_dir = "%s"; };' % web,
             "is not a loopback address"),
            ('http = { address = "localhost"; };',
             "http.address: must be an IPv4 or IPv6 address"),
            ('http = { tls_cert = "/x.pem"; web_dir = "%s"; };' % web,
             "tls_cert and tls_key go together: tls_key is missing"),
            ('http = { port = 70000; };', "http.port: must be between 0 and "
             "65535"),
            ('http = { max_body_bytes = 10; };', "http.max_body_bytes: must "
             "be between"),
            ('http = { session_idle_s = 0; };', "http.session_idle_s"),
            ('http = { colour = "red"; };', "http.colour: unknown key"),
            ('http = { web_dir = "/nonexistent/web"; };',
             "http.web_dir: /nonexistent/web: No such file or directory"),
        ]
        for text, message in cases:
            p, conf, line = self.check(text)
            self.assertEqual(p.returncode, 1, (text, p.stdout))
            self.assertIn(message, p.stderr, text)
            if "web_dir: /nonexistent" not in message:
                self.assertIn(f"{conf}:{line}: ", p.stderr, text)

    def test_good(self):
        web = os.path.join(TOP, "web")
        for text in ('http = { web_dir = "%s"; };' % web,
                     'http = { address = "127.0.0.2"; web_dir = "%s"; };'
                     % web,
                     'http = { address = "::1"; web_dir = "%s"; };' % web):
            p, _, _ = self.check(text)
            self.assertEqual(p.returncode, 0, (text, p.stderr))

    def test_tls_files(self):
        dd = DataDir(import_list=False)
        try:
            cert, key = make_cert(dd.root)
            web = os.path.join(TOP, "web")
            for k, mode, want in ((key, 0o644, "readable by everyone"),
                                  (cert, 0o600, "http.tls_key"),
                                  (key, 0o600, None)):
                os.chmod(k, mode)
                with open(dd.conf, "w") as f:
                    f.write(conf_text(http={"tls_cert": '"%s"' % cert,
                                            "tls_key": '"%s"' % k,
                                            "web_dir": '"%s"' % web}))
                p = subprocess.run([binary("hotlined"), "-t", "-c", dd.conf],
                                   capture_output=True, text=True,
                                   timeout=60)
                if want is None:
                    self.assertEqual(p.returncode, 0, p.stderr)
                else:
                    self.assertEqual(p.returncode, 1, p.stderr)
                    self.assertIn(want, p.stderr)
        finally:
            dd.cleanup()
