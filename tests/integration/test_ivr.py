"""The IVR script (SPEC §6.1) end to end: every path through call.begin,
call.input and call.end against a real hotlined, with the fraud warning
checked on every action list."""
import datetime
import os
import sqlite3
import time
import zoneinfo

from harness import HotlineTest, ctl

WITHHELD = ["", "anonymous", "Anonymous", "restricted", "RESTRICTED",
            "withheld", "unknown", "unavailable", "private", "P", "O", "C",
            "S", "266696687", "非通知", "公衆電話", "表示圏外", "通知不可能"]


def inquiry(dd, id):
    db = sqlite3.connect(os.path.join(dd.data, "hotline.db"))
    try:
        row = db.execute("SELECT channel, client, outcome, duration_s FROM "
                         "inquiry WHERE id = ?", (id,)).fetchone()
        orgs = [r[0] for r in db.execute(
            "SELECT org FROM inquiry_org WHERE inquiry = ? ORDER BY org",
            (id,))]
    finally:
        db.close()
    return row, orgs


class Call:
    """One call: every action the service gave, in order."""

    def __init__(self, test, conn, **params):
        self.t = test
        self.c = conn
        params.setdefault("call_id", "test-call")
        r = test.assertResult(conn.call("call.begin", params))
        self.session = r["session"]
        self.log = []
        self.last = r["actions"]
        self.log.append(("begin", r["actions"]))
        self.t.assertGreaterEqual(len(self.session), 16)

    def input(self, digits=None):
        params = {"session": self.session}
        if digits is None:
            params["timeout"] = True
        else:
            params["digits"] = digits
        r = self.t.assertResult(self.c.call("call.input", params))
        self.last = r["actions"]
        self.log.append((digits, r["actions"]))
        return r["actions"]

    def end(self, reason="hangup"):
        return self.t.assertResult(self.c.call("call.end", {
            "session": self.session, "reason": reason}))

    def prompts(self, actions=None):
        return [a.get("prompt", a["type"]) for a in
                (actions if actions is not None else self.last)]

    def all_actions(self):
        return [a for _, acts in self.log for a in acts]

    def collects(self):
        return [a for a in self.last if a["type"] == "collect"]


class IvrTest(HotlineTest):

    def call(self, conn=None, **params):
        return Call(self, conn or self.connect("gw"), **params)

    def check_script(self, call):
        """The fraud warning right after the greeting, and again before
        every hangup and every transfer; nothing after either."""
        acts = call.all_actions()
        kinds = [a.get("prompt", a["type"]) for a in acts]
        self.assertIn(kinds[0], ("greeting", "greeting_org"))
        self.assertEqual(kinds[1], "fraud_warning")
        for i, a in enumerate(acts):
            if a["type"] in ("hangup", "transfer"):
                # Back to the previous collect: a fraud warning between.
                j = i - 1
                while j >= 0 and acts[j]["type"] != "collect":
                    j -= 1
                self.assertIn("fraud_warning", kinds[j + 1:i], kinds)
                self.assertEqual(i, len(acts) - 1, kinds)
        for a in acts:
            if a["type"] == "say":
                self.assertTrue(a["text"])
            if a["type"] == "collect":
                self.assertIn(a["field"], ("phone", "birthdate", "menu"))
                self.assertGreater(a["timeout_ms"], 0)

    def assertNoEcho(self, call, *values):
        text = "".join(a.get("text", "") for a in call.all_actions())
        for v in values:
            self.assertNotIn(v, text)


class TestPaths(IvrTest):

    def test_affected_one_org_then_end(self):
        c = self.call(ani="090-1111-2222")
        self.assertEqual(c.prompts(), ["greeting", "fraud_warning",
                                       "ask_birthdate", "collect"])
        col = c.collects()[0]
        self.assertEqual(col["field"], "birthdate")
        self.assertEqual(col["max_digits"], 8)
        self.assertEqual(col["terminator"], "#")
        acts = c.input("19750401")
        self.assertEqual(c.prompts(acts), ["notice_affected", "notice_org",
                                           "notice_apology", "menu",
                                           "collect"])
        self.assertIn("こもれび市", acts[1]["text"])
        self.assertEqual(c.collects()[0]["field"], "menu")
        acts = c.input("9")
        self.assertEqual(c.prompts(acts), ["fraud_warning", "goodbye",
                                           "hangup"])
        r = c.end()
        self.assertEqual(r["outcome"], "affected")
        row, orgs = inquiry(self.dd, r["inquiry"])
        self.assertEqual(row[:3], ("ivr", "gw", "affected"))
        self.assertIsNotNone(row[3])
        self.assertEqual(orgs, ["komorebi"])
        self.check_script(c)
        self.assertNoEcho(c, "19750401", "09011112222", "1111", "2222")

    def test_affected_two_orgs(self):
        c = self.call(ani="08033334444")
        acts = c.input("19701203")
        self.assertEqual(c.prompts(acts), ["notice_affected", "notice_org",
                                           "notice_org", "notice_apology",
                                           "menu", "collect"])
        self.assertIn("こもれび市", acts[1]["text"])
        self.assertIn("さくら通信株式会社", acts[2]["text"])
        c.input("9")
        r = c.end()
        _, orgs = inquiry(self.dd, r["inquiry"])
        self.assertEqual(orgs, ["komorebi", "sakura-tel"])
        self.check_script(c)

    def test_unknown_source(self):
        c = self.call(ani="03-1234-5678")
        acts = c.input("19500115")
        self.assertEqual(c.prompts(acts)[:3], ["notice_affected",
                                               "notice_org_unknown",
                                               "notice_apology"])
        c.input(None)       # the menu times out: the call ends
        self.assertEqual(c.prompts(), ["fraud_warning", "goodbye", "hangup"])
        r = c.end()
        self.assertEqual(r["outcome"], "affected")
        _, orgs = inquiry(self.dd, r["inquiry"])
        self.assertEqual(orgs, ["unknown"])
        self.check_script(c)

    def test_not_found(self):
        c = self.call(ani="09011112222")
        acts = c.input("19750402")
        self.assertEqual(c.prompts(acts), ["notice_not_found",
                                           "menu_not_found", "collect"])
        c.input("9")
        self.assertEqual(c.end()["outcome"], "not_found")
        self.check_script(c)

    def test_not_found_then_birthdate_again(self):
        # Menu 2: the birthdate once more; the second lookup finds the
        # caller, and the call's outcome is that of its last lookup.
        c = self.call(ani="09011112222")
        c.input("19750402")
        acts = c.input("2")
        self.assertEqual(c.prompts(acts), ["ask_birthdate", "collect"])
        acts = c.input("19750401")
        self.assertEqual(c.prompts(acts)[0], "notice_affected")
        c.input("9")
        self.assertEqual(c.end()["outcome"], "affected")
        self.check_script(c)

    def test_withheld_caller_ids_ask_for_the_phone(self):
        conn = self.connect("gw")
        for ani in WITHHELD + [None]:
            params = {} if ani is None else {"ani": ani}
            c = self.call(conn, **params)
            self.assertEqual(c.prompts(), ["greeting", "fraud_warning",
                                           "ask_phone", "collect"], ani)
            col = c.collects()[0]
            self.assertEqual(col["field"], "phone")
            self.assertEqual(col["terminator"], "#")
            self.assertEqual(c.end("hangup")["outcome"], "abandoned")
            self.check_script(c)

    def test_invalid_caller_id_asks_for_the_phone(self):
        c = self.call(ani="12")
        self.assertEqual(c.prompts()[2], "ask_phone")
        c.end()

    def test_phone_then_birthdate_with_terminator(self):
        c = self.call()
        acts = c.input("09011112222#")
        self.assertEqual(c.prompts(acts), ["ask_birthdate", "collect"])
        acts = c.input("19750401#")
        self.assertEqual(c.prompts(acts)[0], "notice_affected")
        c.input("9")
        self.assertEqual(c.end()["outcome"], "affected")
        self.check_script(c)

    def test_invalid_phone_three_times_transfers(self):
        c = self.call(ani="anonymous")
        acts = c.input("123")
        self.assertEqual(c.prompts(acts), ["invalid_phone", "ask_phone",
                                           "collect"])
        acts = c.input(None)
        self.assertEqual(c.prompts(acts), ["no_input", "ask_phone",
                                           "collect"])
        acts = c.input("0901111222")
        self.assertEqual(c.prompts(acts), ["invalid_phone", "fraud_warning",
                                           "transfer", "transfer"])
        self.assertEqual(acts[-1]["queue"], "operators")
        self.assertError(c.c.call("call.input", {"session": c.session,
                                                  "digits": "1"}), -32004)
        r = c.end()
        self.assertEqual(r["outcome"], "transferred")
        row, orgs = inquiry(self.dd, r["inquiry"])
        self.assertEqual(row[2], "transferred")
        self.assertEqual(orgs, [])
        self.check_script(c)

    def test_invalid_birthdate_then_valid(self):
        c = self.call(ani="09011112222")
        for bad in ("19751301", "1975040", "20990101", "*#"):
            acts = c.input(bad)
            self.assertEqual(c.prompts(acts)[0], "invalid_birthdate", bad)
            if c.prompts(acts)[-1] == "transfer":
                break
        c2 = self.call(ani="09011112222")
        acts = c2.input("19750431")
        self.assertEqual(c2.prompts(acts), ["invalid_birthdate",
                                            "ask_birthdate", "collect"])
        acts = c2.input("19750401")
        self.assertEqual(c2.prompts(acts)[0], "notice_affected")
        c2.input("9")
        self.assertEqual(c2.end()["outcome"], "affected")
        self.check_script(c2)
        self.assertEqual(c.end()["outcome"], "transferred")
        self.check_script(c)

    def test_era_coded_birthdate(self):
        c = self.call(ani="09011112222")
        acts = c.input("3500401")       # 昭和50年4月1日
        self.assertEqual(c.prompts(acts)[0], "notice_affected")
        c.input("9")
        c.end()
        c = self.call(ani="09055556666")
        acts = c.input("4010108")       # 平成元年1月8日
        self.assertEqual(c.prompts(acts)[0], "notice_affected")
        self.assertIn("あおば県", acts[1]["text"])
        c.input("9")
        c.end()
        # An era date outside its era is refused.
        c = self.call(ani="09011112222")
        acts = c.input("3640108")
        self.assertEqual(c.prompts(acts)[0], "invalid_birthdate")
        c.end()

    def test_birthdate_prompt_offers_western_first_and_says_eras(self):
        c = self.call(ani="09011112222")
        text = c.last[2]["text"]
        self.assertLess(text.index("8桁"), text.index("7桁"))
        for era in ("明治が1", "大正が2", "昭和が3", "平成が4", "令和が5"):
            self.assertIn(era, text)
        c.end()

    def test_menu_repeat_operator(self):
        c = self.call(ani="09011112222")
        first = c.input("19750401")
        again = c.input("1")
        self.assertEqual(c.prompts(again), c.prompts(first))
        self.assertEqual([a.get("text") for a in again],
                         [a.get("text") for a in first])
        acts = c.input("0")
        self.assertEqual(c.prompts(acts), ["fraud_warning", "transfer",
                                           "transfer"])
        # A transfer after the lookup keeps the lookup's outcome.
        self.assertEqual(c.end()["outcome"], "affected")
        self.check_script(c)

    def test_menu_invalid_keys_end_the_call(self):
        c = self.call(ani="09011112222")
        c.input("19750401")
        acts = c.input("5")
        self.assertEqual(c.prompts(acts), ["menu_invalid", "menu",
                                           "collect"])
        c.input("7")
        acts = c.input("8")
        self.assertEqual(c.prompts(acts), ["menu_invalid", "fraud_warning",
                                           "goodbye", "hangup"])
        self.assertEqual(c.end()["outcome"], "affected")
        self.check_script(c)

    def test_say_texts_keep_the_spoken_form(self):
        """The IVR says the numbers for a voice; 188 and #9110 are for
        written notices only (SPEC §6)."""
        for lang, spoken in (("ja", ("1 8 8 番", "シャープ 9 1 1 0")),
                             ("en", ("1 8 8", "hash 9 1 1 0"))):
            c = self.call(ani="08033334444", lang=lang)
            begin = list(c.last)
            self.assertEqual(begin[1]["prompt"], "fraud_warning")
            for s in spoken:
                self.assertIn(s, begin[1]["text"])
            acts = c.input("19701203")
            acts = acts + c.input("9")
            says = [a for a in begin + acts if a["type"] == "say"]
            for a in says:
                self.assertNotIn("#", a["text"], a)
                self.assertNotRegex(a["text"], r"(?<![0-9 ])188", a)
            # Phone numbers are said digit by digit.
            org = [a for a in says if a["prompt"] == "notice_org"][0]
            self.assertIn("0 1 2 0" + ("、" if lang == "ja" else ", ") +
                          "0 0 0", org["text"])
            c.end()

    def test_english(self):
        c = self.call(ani="09011112222", lang="en")
        self.assertIn("Thank you for calling", c.last[0]["text"])
        self.assertIn("hash 9 1 1 0", c.last[1]["text"])
        acts = c.input("19750401")
        self.assertIn("your data is in the leaked information", acts[0]["text"])
        acts = c.input("9")
        self.assertIn("Goodbye", acts[1]["text"])
        c.end()
        self.check_script(c)

    def test_call_end_twice_and_foreign_sessions(self):
        c = self.call(ani="09011112222")
        other = self.connect("gw")
        self.assertError(other.call("call.input", {
            "session": c.session, "digits": "19750401"}), -32004)
        self.assertError(other.call("call.end", {"session": c.session}),
                         -32004)
        self.assertEqual(c.end()["outcome"], "abandoned")
        self.assertError(c.c.call("call.end", {"session": c.session}),
                         -32004)
        self.assertError(c.c.call("call.input", {
            "session": c.session, "timeout": True}), -32004)
        self.assertError(c.c.call("call.end", {"session": "x" * 24}),
                         -32004)

    def test_bad_params(self):
        conn = self.connect("gw")
        self.assertError(conn.call("call.begin", {}), -32602, "call_id")
        self.assertError(conn.call("call.begin", {"call_id": "a b"}),
                         -32602, "call_id")
        self.assertError(conn.call("call.begin", {"call_id": "x",
                                                  "lang": "de"}),
                         -32602, "lang")
        c = self.call(conn, ani="09011112222")
        for params, field in (({}, "digits"),
                              ({"digits": "1", "timeout": True}, "digits"),
                              ({"digits": "12a"}, "digits"),
                              ({"digits": "1" * 33}, "digits"),
                              ({"timeout": "yes"}, "timeout")):
            params["session"] = c.session
            self.assertError(conn.call("call.input", params), -32602, field)
        self.assertError(conn.call("call.input", {"digits": "1"}), -32602,
                         "session")
        c.end()
        op = self.connect("op")
        self.assertError(op.call("call.begin", {"call_id": "x"}), -32002)
        sup = self.connect("sup")
        self.assertError(sup.call("call.end", {"session": c.session}),
                         -32002)


class TestAbandon(IvrTest):
    dd_kwargs = {"extra": "ivr = { session_timeout_s = 10; };"}

    def test_abandoned_by_disconnect(self):
        conn = self.connect("gw")
        c = self.call(conn, ani="09011112222", call_id="drop-1")
        c.input("19750401")
        conn.close()
        self._conns.remove(conn)
        deadline = time.monotonic() + 10
        while "call drop-1 by gw ended (connection closed)" not in \
                self.d.log():
            self.assertLess(time.monotonic(), deadline, self.d.log())
            time.sleep(0.05)
        # It had a lookup: its outcome stays that of the lookup.
        self.assertIn("call drop-1 by gw ended (connection closed): "
                      "affected", self.d.log())
        conn = self.connect("gw")
        c = self.call(conn, ani="anonymous", call_id="drop-2")
        conn.close()
        self._conns.remove(conn)
        deadline = time.monotonic() + 10
        while "call drop-2 by gw ended (connection closed): abandoned" \
                not in self.d.log():
            self.assertLess(time.monotonic(), deadline, self.d.log())
            time.sleep(0.05)
        # The log line is written when the end is recorded; the commit
        # follows on the writer thread.
        deadline = time.monotonic() + 10
        while True:
            db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
            outcomes = [r[0] for r in db.execute(
                "SELECT outcome FROM inquiry WHERE channel = 'ivr' "
                "ORDER BY id")]
            db.close()
            if len(outcomes) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(outcomes, ["affected", "abandoned"])

    def test_abandoned_by_timeout(self):
        conn = self.connect("gw")
        c = self.call(conn, ani="anonymous", call_id="slow-1")
        deadline = time.monotonic() + 20
        while "call slow-1 by gw ended (timeout): abandoned" not in \
                self.d.log():
            self.assertLess(time.monotonic(), deadline, self.d.log())
            time.sleep(0.1)
        self.assertError(conn.call("call.input", {"session": c.session,
                                                  "digits": "1"}), -32004)
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
        row = db.execute("SELECT outcome, duration_s FROM inquiry").fetchone()
        db.close()
        self.assertEqual(row[0], "abandoned")
        # It lasted until its last event, not until the timeout noticed.
        self.assertLessEqual(row[1], 1)

    def test_sigterm_abandons_open_sessions(self):
        conn = self.connect("gw")
        self.call(conn, ani="anonymous", call_id="term-1")
        self.d.stop()
        self.assertIn("call term-1 by gw ended (connection closed): "
                      "abandoned", self.d.log())
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
        n = db.execute("SELECT count(*) FROM inquiry WHERE outcome = "
                       "'abandoned'").fetchone()[0]
        db.close()
        self.assertEqual(n, 1)


def closed_days():
    """Every weekday but today's in Tokyo: the service is closed now."""
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo"))
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    return "[" + ", ".join(f'"{d}"' for i, d in enumerate(names)
                           if i != today.weekday()) + "]"


class TestOutOfHours(IvrTest):

    def setUp(self):
        # Today as the test runs (not as the module was imported: the
        # runner imports once for both builds, and Tokyo's midnight may
        # pass between).
        self.dd_kwargs = {"hours": {"days": closed_days()}}
        super().setUp()

    def test_out_of_hours(self):
        c = self.call(ani="09011112222")
        self.assertEqual(c.prompts(), ["greeting", "fraud_warning", "closed",
                                       "fraud_warning", "goodbye", "hangup"])
        self.assertIn("時", c.last[2]["text"])
        self.assertError(c.c.call("call.input", {"session": c.session,
                                                  "digits": "1"}), -32004)
        r = c.end()
        self.assertEqual(r["outcome"], "out_of_hours")
        self.check_script(c)


class TestRateLimit(IvrTest):
    dd_kwargs = {"extra": "ivr = { daily_lookups_per_caller = 2; };"}

    def test_daily_cap_per_caller_id(self):
        for _ in range(2):
            c = self.call(ani="090-1111-2222")
            c.input("19750402")
            c.input("9")
            c.end()
        c = self.call(ani="+81 90 1111 2222")
        self.assertEqual(c.prompts(), ["greeting", "fraud_warning",
                                       "rate_limited", "fraud_warning",
                                       "transfer", "transfer"])
        self.assertEqual(c.end()["outcome"], "rate_limited")
        self.check_script(c)
        # Another caller ID is not limited; a withheld one cannot be.
        c = self.call(ani="08033334444")
        self.assertEqual(c.prompts()[2], "ask_birthdate")
        c.end()
        c = self.call(ani="anonymous")
        self.assertEqual(c.prompts()[2], "ask_phone")
        c.end()


class TestNoOperators(IvrTest):
    dd_kwargs = {"extra": 'ivr = { operator_queue = ""; };'}

    def test_failed_attempts_without_operators_end_the_call(self):
        c = self.call(ani="anonymous")
        c.input("1")
        c.input("2")
        acts = c.input("3")
        self.assertEqual(c.prompts(acts), ["invalid_phone", "unable",
                                           "fraud_warning", "goodbye",
                                           "hangup"])
        self.assertEqual(c.end()["outcome"], "invalid_input")
        self.check_script(c)


class TestDnis(IvrTest):
    dd_kwargs = {"extra": 'dnis = ( { number = "0120-000-555"; '
                          'org = "komorebi"; } );'}

    def test_desk_number_greets_with_the_organisation(self):
        c = self.call(ani="08033334444", dnis="0120000555")
        self.assertEqual(c.prompts()[0], "greeting_org")
        self.assertIn("こもれび市", c.last[0]["text"])
        # The lookup still covers every organisation.
        acts = c.input("19701203")
        self.assertEqual(c.prompts(acts).count("notice_org"), 2)
        c.input("9")
        c.end()
        self.check_script(c)
        c = self.call(ani="08033334444", dnis="0120000556")
        self.assertEqual(c.prompts()[0], "greeting")
        c.end()


class TestSoftphone(IvrTest):

    def test_hotlinectl_call_non_interactive(self):
        env = dict(os.environ, HOTLINE_CLIENT="gw",
                   HOTLINE_TOKEN="gw-token-0123456789")
        out = ctl("call", "--port", self.d.port, "--ani", "09011112222",
                  "--digits", "19750401,1,9", env=env).stdout
        self.assertIn("[greeting]", out)
        self.assertEqual(out.count("[notice_org]"), 2)
        self.assertIn("-> hangup", out)
        self.assertIn("outcome: affected, inquiry", out)
        out = ctl("call", "--port", self.d.port, "--digits", "1,2,3",
                  env=env).stdout
        self.assertIn("-> transferred to the queue operators", out)
        self.assertIn("outcome: transferred", out)

    def test_hotlinectl_call_interactive_hangs_up_at_eof(self):
        env = dict(os.environ, HOTLINE_CLIENT="gw",
                   HOTLINE_TOKEN="gw-token-0123456789")
        p = ctl("call", "--port", self.d.port, "--ani", "09011112222",
                env=env, input="\n19750401\n")
        self.assertIn("[no_input]", p.stdout)
        self.assertIn("[notice_affected]", p.stdout)
        self.assertIn("outcome: affected", p.stdout)


class TestPromptReload(IvrTest):

    def setUp(self):
        import shutil as sh
        from harness import TOP, DataDir, Daemon
        self.dd = DataDir()
        self.prompts = self.dd.path("prompts")
        sh.copytree(os.path.join(TOP, "prompts"), self.prompts)
        self.dd.write_conf(prompts=self.prompts)
        self.d = Daemon(self.dd)
        self._conns = []

    def wait_log(self, text, n=1):
        deadline = time.monotonic() + 10
        while self.d.log().count(text) < n:
            self.assertLess(time.monotonic(), deadline, self.d.log())
            time.sleep(0.05)

    def test_sighup_reloads_prompts_and_keeps_them_if_broken(self):
        import signal
        greeting = os.path.join(self.prompts, "ja", "greeting.txt")
        with open(greeting, "w", encoding="utf-8") as f:
            f.write("新しいあいさつです。\n")
        self.d.signal(signal.SIGHUP)
        self.wait_log("reload: prompts loaded")
        c = self.call(ani="09011112222")
        self.assertEqual(c.last[0]["text"], "新しいあいさつです。")
        c.end()
        # A broken prompt: the reload fails, the old prompts stay.
        with open(greeting, "w", encoding="utf-8") as f:
            f.write("壊れた{placeholder}\n")
        self.d.signal(signal.SIGHUP)
        self.wait_log("prompts kept")
        self.assertIn("greeting.txt:1: unknown placeholder {placeholder}",
                      self.d.log())
        c = self.call(ani="09011112222")
        self.assertEqual(c.last[0]["text"], "新しいあいさつです。")
        c.end()

    def test_organisation_override(self):
        d = os.path.join(self.prompts, "ja", "org", "komorebi")
        os.makedirs(d)
        with open(os.path.join(d, "notice_apology.txt"), "w",
                  encoding="utf-8") as f:
            f.write("こもれび市から、おわび申し上げます。\n")
        import signal
        self.d.signal(signal.SIGHUP)
        self.wait_log("reload: prompts loaded")
        # The dialled desk of komorebi uses its own apology.
        self.dd.write_conf(prompts=self.prompts, extra='dnis = ( { number = '
                           '"0120-000-555"; org = "komorebi"; } );')
        self.d.signal(signal.SIGHUP)
        self.wait_log("reload: prompts loaded", 2)
        c = self.call(ani="09011112222", dnis="0120000555")
        acts = c.input("19750401")
        self.assertEqual(acts[2]["text"], "こもれび市から、おわび申し上げます。")
        c.end()
        c = self.call(ani="09011112222")
        acts = c.input("19750401")
        self.assertNotIn("こもれび市から", acts[2]["text"])
        c.end()
