"""The FastAGI front end (SPEC §6.3) against the fake Asterisk
(fake_asterisk.py, res_agi.c's behaviour byte for byte): the environment
block in every form, each response shape, hangups before, instead of and
after a response, one command at a time; every IVR path of test_ivr.py
over FastAGI with the same outcomes and inquiries; TTS; 200 calls at
once; the allow-list; timeouts, stop, reload and the audit log."""
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import wave

from fake_asterisk import Caller, FakeAsterisk
from harness import CLIENTS, HotlineTest, ctl
from test_ivr import closed_days, inquiry

PBX = ("gateway", "pbx-token-0123456789")
AFFECTED = dict(callerid="09011112222", digits=["19750401#", "9"])
DEAD = "511 Command Not Permitted on a dead channel or intercept routine\n"

_sounds = {"dir": None, "names": None}


def fa_kwargs(fastagi=None, **kw):
    """A data dir whose conf has a fastagi section, as client pbx."""
    f = {"port": 0, "client": '"pbx"'}
    f.update(fastagi or {})
    return dict(clients=dict(CLIENTS, pbx=PBX), fastagi=f, **kw)


def agi_port(daemon):
    m = re.search(r"fastagi: Asterisk's calls on \S+ port (\d+)",
                  daemon.own_log())
    assert m, daemon.own_log()
    return int(m.group(1))


def sounds_for(dd):
    """Every recording the IVR can name (hotlinectl prompts-audio
    --dry-run), as tiny WAVs in Asterisk's layout, once per run: the fake
    Asterisk answers a name that is not there with -1, as Asterisk does."""
    if _sounds["dir"] is None:
        out = ctl("prompts-audio", "-c", dd.conf, "--dry-run", "--out",
                  dd.path("unused")).stdout
        names = {line.split("\t", 1)[0] for line in out.splitlines()
                 if line.startswith("hotline/")}
        d = tempfile.mkdtemp(prefix="hotline-agi-sounds-")
        for name in names:
            path = os.path.join(d, name + ".wav")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with wave.open(path, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(8000)
                w.writeframes(b"\0\0" * 800)
        _sounds["dir"], _sounds["names"] = d, names
    return _sounds["dir"], _sounds["names"]


def tearDownModule():
    # The runner may run the module again (the sanitizer build): anew.
    if _sounds["dir"] is not None:
        shutil.rmtree(_sounds["dir"], ignore_errors=True)
    _sounds["dir"] = _sounds["names"] = None


def prompt_of(name):
    """hotline/ja/org/komorebi/notice_org-1 -> notice_org."""
    return re.sub(r"-\d+$", "", name.rsplit("/", 1)[-1])


def line_of(argv):
    return " ".join(argv)


def at_eof(s):
    """Whether the server closes s (a reset of unread bytes is a close)."""
    try:
        return s.recv(100) == b""
    except ConnectionResetError:
        return True


class FastAgiTest(HotlineTest):
    dd_kwargs = fa_kwargs()

    def setUp(self):
        super().setUp()
        self.port = agi_port(self.d)
        self.sounds, self.names = sounds_for(self.dd)
        self.assertTrue(os.path.isfile(os.path.join(
            self.sounds, "hotline", "ja", "greeting.wav")))

    def agi(self, caller=None, **kw):
        """One call; strict: a command sent early fails the test."""
        kw.setdefault("sounds", self.sounds)
        # A loaded machine (a commit's checkpoint, other tests) may be
        # slow; a command that never comes still fails the test.
        kw.setdefault("timeout", 30.0)
        t = FakeAsterisk("127.0.0.1", self.port, caller or Caller(),
                         **kw).run()
        self.assertEqual(t.violations, [])
        missing = {n for n in t.played if n not in self.names}
        self.assertEqual(missing, set(), "sounds that do not exist")
        return t

    def script(self, t):
        """What the caller heard and did, as prompt names: a play, a
        question (GET DATA), and the ends."""
        out = []
        for argv in t.commands:
            cmd = " ".join(argv[:2]).upper()
            if cmd == "STREAM FILE":
                out.append(prompt_of(argv[2]))
            elif cmd == "GET DATA":
                out.append("?" + prompt_of(argv[2]))
            elif argv[0].upper() == "EXEC":
                out.append("exec " + argv[1])
            elif argv[0].upper() == "HANGUP":
                out.append("hangup")
        return out

    def check_script(self, t):
        """ANSWER first; greeting then the fraud warning; the fraud warning
        again after the last question before the hangup or transfer; the
        two variables just before it; nothing after it."""
        cmds = [line_of(a) for a in t.commands]
        self.assertEqual(cmds[0], "ANSWER")
        s = self.script(t)
        self.assertIn(s[0], ("greeting", "greeting_org"))
        self.assertEqual(s[1], "fraud_warning")
        final = t.commands[-1]
        self.assertIn(final[0].upper(), ("HANGUP", "EXEC"), cmds)
        asked = [i for i, x in enumerate(s) if x.startswith("?")]
        self.assertIn("fraud_warning", s[(asked[-1] if asked else 1) + 1:],
                      s)
        self.assertEqual([a[:3] for a in t.commands[-3:-1]],
                         [["SET", "VARIABLE", "HOTLINE_OUTCOME"],
                          ["SET", "VARIABLE", "HOTLINE_INQUIRY"]], cmds)
        self.assertTrue(t.hung_up or final[0].upper() == "EXEC")

    def outcome(self, t, want, orgs=None):
        """HOTLINE_OUTCOME and the inquiry it names, as call.end has it."""
        self.assertEqual(t.variables.get("HOTLINE_OUTCOME"), want,
                         t.variables)
        row, got = inquiry(self.dd, int(t.variables["HOTLINE_INQUIRY"]))
        self.assertEqual(row[:3], ("ivr", "pbx", want))
        self.assertIsNotNone(row[3])
        if orgs is not None:
            self.assertEqual(got, orgs)

    def assertNoEcho(self, t, *values):
        text = "\n".join(line_of(a) for a in t.commands)
        for v in values:
            self.assertNotIn(v, text)

    def after(self, t, step):
        """The commands sent after command number step (1-based)."""
        return [line_of(a) for a in t.commands[step:]]

    def only_variables_after(self, t, step, what=None):
        """After a hangup at command step, nothing but the variables —
        except one command already on its way when the hangup came after
        a whole response (res_agi.c's HANGUP line follows it): that one
        is answered 511, as on a dead channel."""
        rest = t.commands[step:]
        if rest and rest[0][:2] != ["SET", "VARIABLE"]:
            self.assertEqual(t.responses[step], [DEAD], what)
            rest = rest[1:]
        for a in rest:
            self.assertEqual(a[:2], ["SET", "VARIABLE"],
                             (what, self.after(t, step)))
        self.assertLessEqual(len(rest), 2, what)

    def wait_log(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while text not in self.d.own_log():
            self.assertLess(time.monotonic(), deadline, self.d.own_log())
            time.sleep(0.05)


class TestEnvironment(FastAgiTest):

    def test_language_sources(self):
        # ?lang= of agi_network_script before the channel's language.
        t = self.agi(Caller(language="ja"), script="hotline?lang=en")
        self.assertEqual(t.played[0], "hotline/en/greeting")
        # agi_arg_1 before ?lang=.
        t = self.agi(Caller(language="ja"), script="hotline?lang=ja",
                     args=["en"])
        self.assertEqual(t.played[0], "hotline/en/greeting")
        # No script (AGI(agi://host)): the channel's language, en_US too.
        t = self.agi(Caller(language="en_US"), script="")
        self.assertNotIn(b"agi_network_script", t.env)
        self.assertEqual(t.played[0], "hotline/en/greeting")
        # None that hotline speaks: the conf's default.
        t = self.agi(Caller(language="fr"), script="hotline?lang=de",
                     args=["x"])
        self.assertEqual(t.played[0], "hotline/ja/greeting")
        self.assertIn("lang default", self.d.own_log())

    def test_empty_values_and_unknown_caller_id(self):
        for cid in (None, ""):      # agi_callerid: unknown, and empty
            t = self.agi(Caller(callerid=cid, accountcode="", hangup_at=4))
            self.assertIn(b"agi_accountcode: \n", t.env)
            self.assertEqual(self.script(t)[:3], ["greeting",
                                                  "fraud_warning",
                                                  "?ask_phone"])
            self.outcome(t, "abandoned")
        self.assertIn("caller withheld", self.d.own_log())

    def test_restricted_presentation_with_a_real_number(self):
        for pres in (0x20, 0x23, 0x40, 0x43):
            t = self.agi(Caller(callerid="09011112222", callingpres=pres))
            self.assertIn(b"agi_callerid: 09011112222\n", t.env)
            self.assertEqual(self.script(t)[2], "?ask_phone", pres)
        # Screening bits alone withhold nothing.
        t = self.agi(Caller(callerid="09011112222", callingpres=0x03))
        self.assertEqual(self.script(t)[2], "?ask_birthdate")
        # The log has the number masked, never whole.
        self.assertIn("caller *******2222", self.d.own_log())
        self.assertNotIn("09011112222", self.d.own_log())

    def test_block_split_or_whole(self):
        for split in (True, False):
            t = self.agi(Caller(**AFFECTED), split_writes=split)
            self.outcome(t, "affected", ["komorebi"])
            self.check_script(t)

    def test_block_a_byte_at_a_time(self):
        fake = FakeAsterisk("127.0.0.1", self.port, Caller(**AFFECTED),
                            sounds=self.sounds)
        lines = "".join(fake.env_lines()).encode()
        s = socket.create_connection(("127.0.0.1", self.port), 10)
        for b in lines:
            s.sendall(bytes([b]))
        f = s.makefile("rb")
        self.assertEqual(f.readline(), b"ANSWER\n")
        f.close()
        s.close()
        self.wait_log("agi 1: closed (Asterisk closed the connection)")


class TestResponses(FastAgiTest):

    def test_every_response_shape(self):
        base = self.agi(Caller(**AFFECTED))
        cmds = [line_of(a) for a in base.commands]
        ask = next(i for i, c in enumerate(cmds) if c.startswith("GET DATA"))
        # 510 and both 520 forms for prompts, a key pressed during one
        # (result=49), other key=value words: the call goes on.
        t = self.agi(Caller(**AFFECTED), inject={
            2: "510 Invalid or unknown command\n",
            3: "520-Invalid command syntax.  Proper usage follows:\n"
               " Usage: STREAM FILE <filename> <escape digits> [sample "
               "offset]\n"
               " 520 in the middle of a usage text is text\n"
               "520 End of proper usage.\n",
            ask + 2: "520 Invalid command syntax.  Proper usage not "
                     "available.\n",
            ask + 3: "200 result=49 endpos=1234 foo=bar\n"})
        self.assertEqual(self.script(t), self.script(base))
        self.outcome(t, "affected", ["komorebi"])
        self.check_script(t)
        log = self.d.own_log()
        self.assertIn("STREAM FILE answered 510", log)
        self.assertIn("STREAM FILE answered 520", log)
        # GET DATA: (timeout) with nothing, digits then (timeout), 510.
        t = self.agi(Caller(callerid="09011112222",
                            digits=[None, "1975", "19750401#", "9"]))
        self.assertEqual([x for x in self.script(t) if x.startswith("?") or
                          x.startswith("no_") or x.startswith("invalid")],
                         ["?ask_birthdate", "no_input", "?ask_birthdate",
                          "invalid_birthdate", "?ask_birthdate", "?menu"])
        self.assertIn(["200 result= (timeout)\n"], t.responses)
        self.assertIn(["200 result=1975 (timeout)\n"], t.responses)
        self.outcome(t, "affected")
        t = self.agi(Caller(callerid="09011112222",
                            digits=["19750401#", "9"]),
                     inject={ask + 1: "510 Invalid or unknown command\n"})
        s = self.script(t)
        i = s.index("?ask_birthdate")
        self.assertEqual(s[i + 1:i + 4], ["no_input", "?ask_birthdate",
                                          "notice_affected"])
        self.outcome(t, "affected")
        self.assertIn("GET DATA answered 510", self.d.own_log())

    def test_hangup_in_place_of_a_response(self):
        # Between commands: HANGUP where the response was due, then 511.
        t = self.agi(Caller(hangup_at=3, hangup_when="before", **AFFECTED))
        self.assertEqual(t.responses[2], [DEAD])
        self.assertEqual(self.after(t, 3), [
            "SET VARIABLE HOTLINE_OUTCOME abandoned",
            "SET VARIABLE HOTLINE_INQUIRY " + t.variables["HOTLINE_INQUIRY"]])
        self.outcome(t, "abandoned")
        self.assertEqual(t.hangup_lines, 1)

    def test_hangup_after_a_response(self):
        # During a prompt: -1 with the position, then HANGUP.
        t = self.agi(Caller(hangup_at=2, **AFFECTED))
        self.assertEqual(t.responses[1], ["200 result=-1 endpos=400\n"])
        self.only_variables_after(t, 2)
        self.outcome(t, "abandoned")
        # After a whole response (ANSWER), the HANGUP line comes next.
        t = self.agi(Caller(hangup_at=1, **AFFECTED))
        self.assertEqual(t.responses[0], ["200 result=0\n"])
        self.assertEqual(len(self.after(t, 1)), 3)   # one 511, two SETs
        self.assertEqual(t.responses[1], [DEAD])
        self.assertEqual(t.hangup_lines, 1)
        self.outcome(t, "abandoned")

    def test_511_without_a_hangup_line(self):
        # AGISIGHUP off: no HANGUP line, only dead-channel answers.
        base = self.agi(Caller(**AFFECTED))
        k = [line_of(a) for a in base.commands].index(
            "GET DATA hotline/ja/menu 10000 1")
        t = self.agi(Caller(**AFFECTED), inject={k: DEAD})
        self.assertEqual(self.after(t, k)[0][:28],
                         "SET VARIABLE HOTLINE_OUTCOME")
        self.outcome(t, "affected", ["komorebi"])

    def test_never_pipelines(self):
        # The fake watches for an early command after every prompt.
        t = self.agi(Caller(callerid="anonymous",
                            digits=["09011112222#", "19750401#", "1", "0"]),
                     exec_wait=0.05)
        self.outcome(t, "affected")
        self.assertEqual(t.execs, [("Queue", "operators")])
        self.check_script(t)


class TestPaths(FastAgiTest):
    """test_ivr.py's paths, over FastAGI."""

    def test_affected_one_org_then_end(self):
        t = self.agi(Caller(**AFFECTED))
        s = self.script(t)
        self.assertEqual(s[:3], ["greeting", "fraud_warning",
                                 "?ask_birthdate"])
        # 8 digits and '#': GET DATA takes one more than the digits, so
        # that the '#' ends this question rather than the next one.
        self.assertIn("GET DATA hotline/ja/ask_birthdate 10000 9",
                      [line_of(a) for a in t.commands])
        self.assertEqual(s[3:6], ["notice_affected", "notice_org",
                                  "item_name"])
        self.assertEqual(s[-6:], ["notice_org", "notice_apology", "?menu",
                                  "fraud_warning", "goodbye", "hangup"])
        self.assertIn("hotline/ja/org/komorebi/notice_org-1", t.played)
        self.outcome(t, "affected", ["komorebi"])
        self.check_script(t)
        self.assertNoEcho(t, "19750401", "09011112222")

    def test_affected_two_orgs(self):
        t = self.agi(Caller(callerid="08033334444",
                            digits=["19701203", "9"]))
        orgs = [n.split("/")[3] for n in t.played if "/org/" in n and
                n.endswith("notice_org-1")]
        self.assertEqual(orgs, ["komorebi", "sakura-tel"])
        self.outcome(t, "affected", ["komorebi", "sakura-tel"])
        self.check_script(t)

    def test_unknown_source(self):
        t = self.agi(Caller(callerid="03-1234-5678",
                            digits=["19500115", None]))
        self.assertIn("hotline/ja/notice_org_unknown-1", t.played)
        self.assertEqual(self.script(t)[-3:], ["fraud_warning", "goodbye",
                                               "hangup"])
        self.outcome(t, "affected", ["unknown"])
        self.check_script(t)

    def test_not_found_then_birthdate_again(self):
        t = self.agi(Caller(callerid="09011112222",
                            digits=["19750402", "9"]))
        self.assertIn("notice_not_found", self.script(t))
        self.assertIn("?menu_not_found", self.script(t))
        self.outcome(t, "not_found", [])
        self.check_script(t)
        t = self.agi(Caller(callerid="09011112222",
                            digits=["19750402", "2", "19750401", "9"]))
        s = self.script(t)
        self.assertEqual(s[s.index("?menu_not_found") + 1],
                         "?ask_birthdate")
        self.outcome(t, "affected")

    def test_withheld_callers_asked_the_phone_first(self):
        for cid in ("anonymous", "非通知", "P", "unknown", ""):
            t = self.agi(Caller(callerid=cid, digits=["09011112222#",
                                                      "19750401#", "9"]))
            s = self.script(t)
            self.assertEqual(s[2:4], ["?ask_phone", "?ask_birthdate"], cid)
            self.assertIn("GET DATA hotline/ja/ask_phone 10000 12",
                          [line_of(a) for a in t.commands])
            self.outcome(t, "affected")
            self.check_script(t)
            self.assertNoEcho(t, "09011112222", "19750401")
        # Nothing the callers keyed reached the log.
        self.assertNotIn("09011112222", self.d.own_log())
        self.assertNotIn("19750401", self.d.own_log())

    def test_three_invalid_inputs_transfer(self):
        t = self.agi(Caller(callerid="anonymous",
                            digits=["123", None, "0901111222"]))
        s = self.script(t)
        self.assertEqual(s[-4:], ["invalid_phone", "fraud_warning",
                                  "transfer", "exec Queue"])
        self.assertEqual(t.execs, [("Queue", "operators")])
        self.outcome(t, "transferred", [])
        self.check_script(t)
        # The connection closes after the queue's answer.
        self.wait_log("closed (transferred)")

    def test_invalid_birthdate_then_valid(self):
        t = self.agi(Caller(callerid="09011112222",
                            digits=["19750431", "19750401", "9"]))
        s = self.script(t)
        self.assertEqual(s[2:5], ["?ask_birthdate", "invalid_birthdate",
                                  "?ask_birthdate"])
        self.outcome(t, "affected")
        t = self.agi(Caller(callerid="09011112222", digits=[
            "19751301", "1975040", "20990101"]))
        self.assertEqual(self.script(t).count("invalid_birthdate"), 3)
        self.outcome(t, "transferred")
        self.check_script(t)

    def test_era_coded_birthdate(self):
        t = self.agi(Caller(callerid="09055556666", digits=["4010108", "9"]))
        self.assertIn("hotline/ja/org/aoba-kokuho/notice_org-1", t.played)
        self.outcome(t, "affected")

    def test_menu_repeat_then_operator(self):
        t = self.agi(Caller(callerid="09011112222",
                            digits=["19750401", "1", "0"]))
        s = self.script(t)
        self.assertEqual(s.count("notice_affected"), 2)
        self.assertEqual(s[-3:], ["fraud_warning", "transfer", "exec Queue"])
        # A transfer after the lookup keeps the lookup's outcome.
        self.outcome(t, "affected")
        self.check_script(t)

    def test_menu_invalid_keys_end_the_call(self):
        t = self.agi(Caller(callerid="09011112222",
                            digits=["19750401", "5", "7", "8"]))
        s = self.script(t)
        self.assertEqual(s.count("menu_invalid"), 3)
        self.assertEqual(s[-3:], ["fraud_warning", "goodbye", "hangup"])
        self.outcome(t, "affected")
        self.check_script(t)

    def test_english(self):
        t = self.agi(Caller(**AFFECTED), script="hotline?lang=en")
        self.assertTrue(all(n.startswith("hotline/en/") for n in t.played))
        self.outcome(t, "affected")
        self.check_script(t)

class TestHangups(FastAgiTest):
    # The same caller calls some fifty times here.
    dd_kwargs = fa_kwargs(extra="ivr = { daily_lookups_per_caller = 1000; };")

    def test_caller_hangs_up_at_each_step(self):
        base = self.agi(Caller(**AFFECTED))
        cmds = [line_of(a) for a in base.commands]
        lookup = cmds.index("GET DATA hotline/ja/ask_birthdate 10000 9") + 1
        for when in ("during", "before"):
            for step in range(1, len(cmds) + 1):
                t = self.agi(Caller(hangup_at=step, hangup_when=when,
                                    **AFFECTED))
                what = f"{when} command {step}: {cmds[step - 1]}"
                # The lookup happened once GET DATA answered with digits.
                want = "affected" if step > lookup else "abandoned"
                self.assertEqual(t.variables.get("HOTLINE_OUTCOME"), want,
                                 what)
                self.outcome(t, want)
                self.only_variables_after(t, step, what)
        # Every call is one inquiry: nothing lost, nothing twice.
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
        n = db.execute("SELECT count(*) FROM inquiry").fetchone()[0]
        db.close()
        self.assertEqual(n, 1 + 2 * len(cmds))


class TestOutOfHours(FastAgiTest):

    def setUp(self):
        # Today's weekday when the test runs, not when it was imported
        # (the runner imports once for both builds, across midnight too).
        self.dd_kwargs = fa_kwargs(hours={"days": closed_days()})
        super().setUp()

    def test_out_of_hours(self):
        t = self.agi(Caller(**AFFECTED))
        self.assertEqual(self.script(t), ["greeting", "fraud_warning",
                                          "closed", "fraud_warning",
                                          "goodbye", "hangup"])
        self.outcome(t, "out_of_hours")
        self.check_script(t)


class TestRateLimit(FastAgiTest):
    dd_kwargs = fa_kwargs(extra="ivr = { daily_lookups_per_caller = 2; };")

    def test_daily_cap_per_caller_id(self):
        for _ in range(2):
            t = self.agi(Caller(callerid="090-1111-2222",
                                digits=["19750402", "9"]))
            self.outcome(t, "not_found")
        t = self.agi(Caller(callerid="+81 90 1111 2222"))
        self.assertEqual(self.script(t), ["greeting", "fraud_warning",
                                          "rate_limited", "fraud_warning",
                                          "transfer", "exec Queue"])
        self.outcome(t, "rate_limited")
        self.check_script(t)
        t = self.agi(Caller(callerid="anonymous"))
        self.assertEqual(self.script(t)[2], "?ask_phone")


class TestNoOperators(FastAgiTest):
    dd_kwargs = fa_kwargs(extra='ivr = { operator_queue = ""; };')

    def test_failed_attempts_without_operators_end_the_call(self):
        t = self.agi(Caller(callerid="anonymous", digits=["1", "2", "3"]))
        self.assertEqual(self.script(t)[-5:], ["invalid_phone", "unable",
                                               "fraud_warning", "goodbye",
                                               "hangup"])
        self.assertEqual(t.execs, [])
        self.outcome(t, "invalid_input")
        self.check_script(t)


class TestDesk(FastAgiTest):
    dd_kwargs = fa_kwargs(extra='dnis = ( { number = "0120-000-555"; '
                                'org = "komorebi"; } );')

    def test_desk_number_greets_with_the_organisation(self):
        t = self.agi(Caller(callerid="08033334444", dnid="0120000555",
                            digits=["19701203", "9"]))
        self.assertEqual(t.played[0], "hotline/ja/org/komorebi/greeting_org")
        self.outcome(t, "affected", ["komorebi", "sakura-tel"])
        self.check_script(t)
        t = self.agi(Caller(dnid="0120000556"))
        self.assertEqual(t.played[0], "hotline/ja/greeting")
        t = self.agi(Caller(dnid=None))      # agi_dnid: unknown
        self.assertEqual(t.played[0], "hotline/ja/greeting")


class TestQueueApp(FastAgiTest):
    dd_kwargs = fa_kwargs({"queue_app": '"MyQueue"'})

    def test_transfer_through_queue_app(self):
        t = self.agi(Caller(callerid="09011112222", digits=["19750401", "0"]),
                     applications=("MyQueue",))
        self.assertEqual(t.execs, [("MyQueue", "operators")])
        self.outcome(t, "affected")
        # Not on the PBX: EXEC answers -2, and the log says so.
        t = self.agi(Caller(callerid="09011112222", digits=["19750401", "0"]))
        self.assertEqual(t.execs, [("MyQueue", "operators")])
        self.assertIn("queue_app MyQueue is not on the PBX", self.d.own_log())


def app_args(s):
    """Asterisk's __ast_app_separate_args() (main/app.c): the arguments
    an application gets from EXEC's options."""
    args, cur, depth, quoted, esc = [], [], 0, False, False
    for ch in s:
        if esc:
            cur.append(ch)
            esc = False
        elif ch == "\\":
            esc = True
        elif ch == '"':
            quoted = not quoted
        elif ch in "([" and not quoted:
            depth += 1
            cur.append(ch)
        elif ch in ")]" and not quoted:
            depth -= 1
            cur.append(ch)
        elif ch == "," and not quoted and depth == 0:
            args.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    args.append("".join(cur))
    return args


class TestTts(FastAgiTest):
    dd_kwargs = fa_kwargs({"tts_app": '"Festival"'})

    def test_organisation_texts_spoken_the_rest_played(self):
        t = self.agi(Caller(callerid="08033334444",
                            digits=["19701203", "9"]),
                     applications=("Queue", "Festival"))
        tts = [app_args(o) for a, o in t.execs if a == "Festival"]
        self.assertEqual(len(tts), 2)
        self.assertTrue(all(len(a) == 1 for a in tts), tts)
        self.assertIn("こもれび市", tts[0][0])
        self.assertIn("さくら通信株式会社", tts[1][0])
        # Nothing of an organisation is played, everything else is.
        self.assertFalse([n for n in t.played if "/org/" in n or
                          "/item_" in n], t.played)
        self.assertIn("hotline/ja/notice_affected", t.played)
        self.assertIn("hotline/ja/notice_apology", t.played)
        self.outcome(t, "affected", ["komorebi", "sakura-tel"])
        self.check_script(t)
        # English: commas and parentheses reach the application as text.
        t = self.agi(Caller(callerid="09011112222",
                            digits=["19750401", "9"]),
                     script="hotline?lang=en",
                     applications=("Queue", "Festival"))
        tts = [app_args(o) for a, o in t.execs if a == "Festival"]
        self.assertEqual(len(tts), 1)
        self.assertEqual(len(tts[0]), 1, tts)
        self.assertIn(",", tts[0][0])
        self.assertNoEcho(t, "19750401", "09011112222")

    def test_without_the_application_the_recordings_play(self):
        t = self.agi(Caller(callerid="08033334444",
                            digits=["19701203", "9"]))
        # Tried once, -2; then the recordings for this and the rest.
        self.assertEqual([a for a, _ in t.execs], ["Festival"])
        self.assertIn(["200 result=-2\n"], t.responses)
        self.assertIn("hotline/ja/org/komorebi/notice_org-1", t.played)
        self.assertIn("hotline/ja/org/sakura-tel/notice_org-1", t.played)
        self.assertIn("tts_app Festival is not on the PBX", self.d.own_log())
        self.outcome(t, "affected")

    def test_caller_hangs_up_during_speech(self):
        base = self.agi(Caller(**AFFECTED),
                        applications=("Queue", "Festival"))
        k = next(i for i, a in enumerate(base.commands, 1)
                 if a[0] == "EXEC" and a[1] == "Festival")
        t = self.agi(Caller(hangup_at=k, **AFFECTED),
                     applications=("Queue", "Festival"))
        self.assertEqual(t.responses[k - 1], ["200 result=-1\n"])
        self.only_variables_after(t, k)
        self.outcome(t, "affected")


class TestConcurrent(FastAgiTest):

    def test_200_calls_at_once(self):
        results, errors = [], []

        def one(i):
            try:
                if i % 2:
                    c = Caller(callerid="anonymous", digits=[
                        "09011112222#", "19750401#", "9"])
                else:
                    c = Caller(callerid="0901%07d" % i,
                               digits=["19750401", "9"])
                t = FakeAsterisk("127.0.0.1", self.port, c,
                                 timeout=60).run()
                results.append((i, t))
            except Exception as e:      # reported below
                errors.append((i, repr(e)))

        threads = [threading.Thread(target=one, args=(i,))
                   for i in range(200)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 200)
        ids = set()
        for i, t in results:
            want = "affected" if i % 2 else "not_found"
            self.assertEqual(t.variables["HOTLINE_OUTCOME"], want, i)
            ids.add(t.variables["HOTLINE_INQUIRY"])
            self.assertEqual(t.commands[-1], ["HANGUP"])
        self.assertEqual(len(ids), 200)
        sup = self.connect("sup")
        s = self.assertResult(sup.call("stats.summary"))
        self.assertEqual(s["by_channel"]["ivr"], 200)
        self.assertEqual(s["by_outcome"]["affected"], 100)
        self.assertEqual(s["by_outcome"]["not_found"], 100)
        pbx = [c for c in s["by_client"] if c["client"] == "pbx"][0]
        self.assertEqual(pbx["inquiries"], 200)


class TestLimits(FastAgiTest):
    dd_kwargs = fa_kwargs({"allow": '["127.0.0.1", "127.0.0.4/30"]',
                           "max_calls": 2, "env_timeout_s": 1,
                           "reply_timeout_s": 5})

    def closed_at_once(self, source=None):
        s = socket.socket()
        s.settimeout(5)
        if source:
            s.bind((source, 0))
        s.connect(("127.0.0.1", self.port))
        try:
            return s.recv(100) == b""
        except ConnectionResetError:
            return True
        finally:
            s.close()

    def test_peer_outside_allow_refused(self):
        self.assertTrue(self.closed_at_once("127.0.0.2"))
        self.wait_log("fastagi: connection from 127.0.0.2:")
        self.assertIn("refused: not in fastagi.allow", self.d.own_log())
        self.assertTrue(self.closed_at_once("127.0.0.8"))
        # Inside the network 127.0.0.4/30: a call like any other.
        t = self.agi(Caller(**AFFECTED), source="127.0.0.5")
        self.outcome(t, "affected")
        self.assertNotIn("127.0.0.5:", re.findall(
            r"connection from (\S+) refused", self.d.own_log()))

    def test_max_calls(self):
        a = socket.create_connection(("127.0.0.1", self.port))
        b = socket.create_connection(("127.0.0.1", self.port))
        try:
            time.sleep(0.3)
            self.assertTrue(self.closed_at_once())
            self.wait_log("refused: 2 calls open (fastagi.max_calls)")
        finally:
            a.close()
            b.close()

    def test_slow_or_bad_block_and_silent_asterisk(self):
        s = socket.create_connection(("127.0.0.1", self.port), 10)
        s.sendall(b"agi_network: yes\nagi_request: agi://x/hotline\n")
        t0 = time.monotonic()
        self.assertTrue(at_eof(s))
        self.assertLess(time.monotonic() - t0, 4)
        s.close()
        self.wait_log("no whole agi_* block within 1 s")
        s = socket.create_connection(("127.0.0.1", self.port), 10)
        s.sendall(b"agi_network: yes\nnot a key line\n\n")
        self.assertTrue(at_eof(s))
        s.close()
        self.wait_log("environment block refused: not a \"key: value\" line")
        # Asterisk that never answers ANSWER: closed after the reply
        # timeout, the call ended as abandoned.
        fake = FakeAsterisk("127.0.0.1", self.port, Caller(**AFFECTED))
        s = socket.create_connection(("127.0.0.1", self.port), 10)
        s.sendall("".join(fake.env_lines()).encode())
        f = s.makefile("rb")
        self.assertEqual(f.readline(), b"ANSWER\n")
        self.assertEqual(f.readline(), b"")
        f.close()
        s.close()
        self.wait_log("no response to ANSWER in time")
        self.wait_log("ended (connection closed): abandoned")
        # A line over the limit, and a line that is not AGI.
        for junk in (b"2" * 9000, b"hello there\n"):
            s = socket.create_connection(("127.0.0.1", self.port), 10)
            s.sendall("".join(fake.env_lines()).encode())
            f = s.makefile("rb")
            self.assertEqual(f.readline(), b"ANSWER\n")
            s.sendall(junk)
            try:
                self.assertEqual(f.readline(), b"")
            except ConnectionResetError:
                pass
            f.close()
            s.close()
        self.wait_log("closed (line too long)")
        self.wait_log("closed (protocol error)")


class TestStop(FastAgiTest):

    def test_sigterm_during_a_question(self):
        def hook(step, argv):
            if argv[:2] == ["GET", "DATA"]:
                # The service stops while the caller is being asked.
                self.d.signal(signal.SIGTERM)
                time.sleep(0.3)

        t = self.agi(Caller(**AFFECTED), on_command=hook)
        k = next(i for i, a in enumerate(t.commands, 1) if a[0] == "GET")
        # The question's answer is taken, then the call ends: abandoned,
        # the variables set, no hangup, no more prompts.
        self.assertEqual(self.after(t, k), [
            "SET VARIABLE HOTLINE_OUTCOME abandoned",
            "SET VARIABLE HOTLINE_INQUIRY " + t.variables["HOTLINE_INQUIRY"]])
        self.assertEqual(self.d.proc.wait(20), 0)
        self.outcome(t, "abandoned")
        self.assertIn("ended (shutdown): abandoned", self.d.own_log())

    def test_sigterm_with_a_call_in_the_queue(self):
        def hook(step, argv):
            if argv[0] == "EXEC":
                self.d.signal(signal.SIGTERM)
                time.sleep(0.5)

        t0 = time.monotonic()
        t = self.agi(Caller(callerid="09011112222",
                            digits=["19750401", "0"]), on_command=hook)
        self.assertEqual(t.execs, [("Queue", "operators")])
        self.assertEqual(self.d.proc.wait(20), 0)
        self.assertLess(time.monotonic() - t0, 8)
        self.outcome(t, "affected")
        self.assertIn("closed (shutdown)", self.d.own_log())

    def test_connections_are_counted(self):
        adm = self.connect("adm")

        def hook(step, argv):
            if step == 2:
                st = self.assertResult(adm.call("admin.status"))
                seen.append((st["connections"], st.get("ivr_sessions")))
        seen = []
        self.agi(Caller(**AFFECTED), on_command=hook)
        self.assertEqual(seen[0][0], 2)     # adm and the call


class TestReload(FastAgiTest):

    def free_port(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        s.close()
        return p

    def test_listener_follows_the_section(self):
        new = self.free_port()
        self.dd.write_conf(**fa_kwargs({"port": new}))
        self.d.signal(signal.SIGHUP)
        self.wait_log(f"calls on 127.0.0.1 port {new}")
        old, self.port = self.port, new
        self.outcome(self.agi(Caller(**AFFECTED)), "affected")
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", old), 5)
        # No section: no listener; the rest of the service goes on.
        self.dd.write_conf(clients=dict(CLIENTS, pbx=PBX), fastagi=None)
        self.d.signal(signal.SIGHUP)
        self.wait_log("no fastagi section any more")
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", new), 5)
        self.assertEqual(self.connect("gw").call("ping")["result"], "pong")


class TestAudit(FastAgiTest):

    def test_audit_entries_and_verify(self):
        t = self.agi(Caller(**AFFECTED))
        self.outcome(t, "affected")
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
        rows = db.execute("SELECT client, role, method, outcome FROM audit "
                          "ORDER BY id").fetchall()
        db.close()
        self.assertEqual(rows, [("pbx", "gateway", "call.begin", "ok"),
                                ("pbx", "gateway", "call.input", "ok"),
                                ("pbx", "gateway", "call.input", "ok"),
                                ("pbx", "gateway", "call.end", "ok")])
        p = ctl("audit", "-c", self.dd.conf, "verify")
        self.assertIn("audit log OK: 4 entries", p.stdout + p.stderr)
        # Nothing the caller keyed is in the audit log or hotline.db.
        for f in os.listdir(self.dd.data):
            with open(os.path.join(self.dd.data, f), "rb") as fh:
                data = fh.read()
            if f.startswith("hotline.db"):
                self.assertNotIn(b"19750401", data, f)
                self.assertNotIn(b"09011112222", data, f)


class TestConfErrors(HotlineTest):
    start_daemon = False

    def test_hotlined_refuses_a_bad_section(self):
        from harness import binary
        self.dd.write_conf(fastagi={"port": 0, "client": '"op"'})
        p = subprocess.run([binary("hotlined"), "-t", "-c", self.dd.conf],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr, r"hotline\.conf:\d+: fastagi\.client: "
                                   r"\"op\" must have the role gateway")
        # A port in use: hotlined does not start.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        try:
            self.dd.write_conf(**fa_kwargs({"port": s.getsockname()[1]}))
            p = subprocess.run([binary("hotlined"), "-c", self.dd.conf],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("fastagi: listen on 127.0.0.1 port", p.stderr)
        finally:
            s.close()
