"""The fake Asterisk (fake_asterisk.py) against a tiny scripted AGI
server: that it sends what res_agi.c sends, byte for byte, answers each
command as res_agi.c does, hangs up as a caller does, and catches a
server that pipelines. The FastAGI front end's tests stand on it."""
import socket
import threading
import unittest

from fake_asterisk import Caller, FakeAsterisk, FakeAsteriskError, parse_args


class ScriptedServer:
    """A FastAGI server that sends a fixed list of commands, one at a time
    (or, with pipeline, two at once), and records what came back."""

    def __init__(self, commands, pipeline=False):
        self.commands = commands
        self.pipeline = pipeline
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.env = b""
        self.replies = []       # per command: the lines read for it
        self.error = None
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def readline(self, f):
        line = f.readline()
        if not line:
            raise EOFError
        return line.decode()

    def reply(self, f):
        """The lines of one response: HANGUP lines, then the response, or
        520- usage lines to 520 End of proper usage."""
        lines = []
        while True:
            line = self.readline(f)
            lines.append(line)
            if line == "HANGUP\n":
                continue
            if line.startswith("520-"):
                while True:
                    line = self.readline(f)
                    lines.append(line)
                    if line == "520 End of proper usage.\n":
                        return lines
            return lines

    def serve(self):
        try:
            conn, _ = self.lsock.accept()
            conn.settimeout(10)
            f = conn.makefile("rb")
            while True:
                line = f.readline()
                self.env += line
                if line == b"\n" or not line:
                    break
            cmds = list(self.commands)
            while cmds:
                if self.pipeline and len(cmds) >= 2:
                    conn.sendall((cmds[0] + "\n" + cmds[1] + "\n").encode())
                    cmds = cmds[2:]
                    self.replies.append(self.reply(f))
                    continue
                conn.sendall((cmds.pop(0) + "\n").encode())
                self.replies.append(self.reply(f))
            # What comes after the last response: Asterisk's HANGUP lines.
            conn.shutdown(socket.SHUT_WR)
            self.tail = f.read()
            conn.close()
        except Exception as e:    # reported by the test
            self.error = e
        finally:
            self.lsock.close()

    def join(self):
        self.thread.join(15)


def run(commands, caller=None, pipeline=False, **kw):
    srv = ScriptedServer(commands, pipeline=pipeline)
    fake = FakeAsterisk("127.0.0.1", srv.port, caller or Caller(), **kw)
    t = fake.run()
    srv.join()
    return srv, t


class TestFakeAsterisk(unittest.TestCase):

    def test_environment_block_byte_for_byte(self):
        srv, t = run([], Caller(callerid="0312345678", callingpres=0,
                                dnid="0120000555", language="ja"),
                     script="hotline?lang=en", args=["en", "x y"])
        self.assertIsNone(srv.error)
        want = ("agi_network: yes\n"
                "agi_network_script: hotline?lang=en\n"
                f"agi_request: agi://127.0.0.1:{srv.port}/hotline?lang=en\n"
                "agi_channel: PJSIP/trunk-00000001\n"
                "agi_language: ja\n"
                "agi_type: PJSIP\n"
                "agi_uniqueid: 1700000000.1\n"
                "agi_version: 20.5.0\n"
                "agi_callerid: 0312345678\n"
                "agi_calleridname: unknown\n"
                "agi_callingpres: 0\n"
                "agi_callingani2: 0\n"
                "agi_callington: 0\n"
                "agi_callingtns: 0\n"
                "agi_dnid: 0120000555\n"
                "agi_rdnis: unknown\n"
                "agi_context: hotline\n"
                "agi_extension: s\n"
                "agi_priority: 2\n"
                "agi_enhanced: 0.0\n"
                "agi_accountcode: \n"
                "agi_threadid: 140234567890123\n"
                "agi_arg_1: en\n"
                "agi_arg_2: x y\n"
                "\n").encode()
        self.assertEqual(srv.env, want)
        self.assertEqual(t.env, want)
        # Every line its own write, each cut in two.
        self.assertEqual(t.env_writes, 2 * want.count(b"\n") - 1)
        # After the server closed: res_agi.c's final HANGUP.
        self.assertEqual(srv.tail, b"HANGUP\n")

    def test_without_script_and_withheld_callers(self):
        srv, _ = run([], Caller(callerid=None, dnid=None), script="")
        self.assertNotIn(b"agi_network_script", srv.env)
        self.assertIn(f"agi_request: agi://127.0.0.1:{srv.port}\n".encode(),
                      srv.env)
        self.assertIn(b"agi_callerid: unknown\n", srv.env)
        self.assertIn(b"agi_dnid: unknown\n", srv.env)
        # Restricted and unavailable presentation, with a real number.
        for pres in (0x20, 0x23, 0x43):
            srv, _ = run([], Caller(callerid="09011112222", callingpres=pres))
            self.assertIn(b"agi_callerid: 09011112222\n", srv.env)
            self.assertIn(f"agi_callingpres: {pres}\n".encode(), srv.env)

    def test_every_response_shape(self):
        cmds = ["ANSWER",
                'STREAM FILE hotline/ja/greeting ""',
                "GET DATA hotline/ja/ask_birthdate 8000 8",
                "GET DATA hotline/ja/menu 5000 1",
                "GET DATA hotline/ja/menu 5000 1",
                "GET DATA hotline/ja/ask_phone 8000 11",
                'EXEC Queue "hotline"',
                'EXEC NoSuchApp "x"',
                'SET VARIABLE HOTLINE_OUTCOME "affected"',
                "FROB",
                "STREAM FILE",
                "set variable A",
                "HANGUP",
                'STREAM FILE hotline/ja/goodbye ""',
                'SET VARIABLE HOTLINE_INQUIRY "42"']
        srv, t = run(cmds, Caller(digits=["19750401", None, "1", "0312"]))
        self.assertIsNone(srv.error)
        self.assertEqual(srv.replies, [
            ["200 result=0\n"],
            ["200 result=0 endpos=8000\n"],
            ["200 result=19750401\n"],
            ["200 result= (timeout)\n"],
            ["200 result=1\n"],              # max digits reached
            ["200 result=0312 (timeout)\n"],
            ["200 result=0\n"],
            ["200 result=-2\n"],
            ["200 result=1\n"],
            ["510 Invalid or unknown command\n"],
            ["520-Invalid command syntax.  Proper usage follows:\n",
             " Usage: STREAM FILE <filename> <escape digits> [sample "
             "offset]\n",
             " Send the given file, allowing playback to be interrupted by "
             "the given digits, if any.\n",
             "520 End of proper usage.\n"],
            ["520-Invalid command syntax.  Proper usage follows:\n",
             " Usage: SET VARIABLE <variablename> <value>\n",
             "520 End of proper usage.\n"],
            ["200 result=1\n"],
            # HANGUP after the HANGUP command's response, then dead: 511.
            ["HANGUP\n", "511 Command Not Permitted on a dead channel or "
             "intercept routine\n"],
            ["200 result=1\n"],              # SET VARIABLE on a dead channel
        ])
        self.assertTrue(t.answered)
        self.assertTrue(t.hung_up)
        self.assertEqual(t.variables, {"HOTLINE_OUTCOME": "affected",
                                       "HOTLINE_INQUIRY": "42"})
        self.assertEqual(t.execs, [("Queue", "hotline"), ("NoSuchApp", "x")])
        self.assertEqual(srv.tail, b"HANGUP\n")

    def test_keys_after_the_input_ended(self):
        # A '#' after max digits is read by the next question (ending it
        # at once), and what the caller types next follows the rest; a
        # prompt in between drops what is left.
        srv, t = run(["GET DATA hotline/ja/ask_phone 8000 11",
                      "GET DATA hotline/ja/ask_birthdate 8000 8",
                      "GET DATA hotline/ja/ask_birthdate 8000 8",
                      'STREAM FILE hotline/ja/greeting ""',
                      "GET DATA hotline/ja/menu 8000 1"],
                     Caller(digits=["09011112222#", "1975", "12#9", None]))
        self.assertIsNone(srv.error)
        self.assertEqual(srv.replies, [["200 result=09011112222\n"],
                                       ["200 result=\n"],
                                       ["200 result=197512\n"],
                                       ["200 result=0 endpos=8000\n"],
                                       ["200 result= (timeout)\n"]])
        srv, t = run(["GET DATA hotline/ja/ask_phone 8000 12",
                      "GET DATA hotline/ja/menu 8000 1"],
                     Caller(digits=["09011112222#9"]))
        self.assertEqual(srv.replies, [["200 result=09011112222\n"],
                                       ["200 result=9\n"]])

    def test_caller_hangs_up_during_a_command(self):
        cmds = ["ANSWER", 'STREAM FILE hotline/ja/greeting ""',
                "GET DATA hotline/ja/ask_birthdate 8000 8",
                "GET DATA hotline/ja/ask_birthdate 8000 8",
                'SET VARIABLE HOTLINE_OUTCOME "abandoned"']
        srv, t = run(cmds, Caller(digits=["19750401"], hangup_at=3))
        self.assertIsNone(srv.error)
        self.assertEqual(srv.replies[2], ["200 result=-1\n"])
        self.assertEqual(srv.replies[3], [
            "HANGUP\n", "511 Command Not Permitted on a dead channel or "
            "intercept routine\n"])
        self.assertEqual(srv.replies[4], ["200 result=1\n"])
        self.assertEqual(t.hangup_lines, 1)
        # During a prompt: -1 and the position reached.
        srv, t = run(cmds[:3], Caller(hangup_at=2))
        self.assertEqual(srv.replies[1], ["200 result=-1 endpos=4000\n"])
        self.assertEqual(srv.replies[2][0], "HANGUP\n")

    def test_caller_hangs_up_between_commands(self):
        srv, t = run(["ANSWER", 'STREAM FILE hotline/ja/greeting ""',
                      "EXEC Queue hotline"],
                     Caller(hangup_at=2, hangup_when="before"))
        self.assertIsNone(srv.error)
        # HANGUP where the response was expected, then the response.
        self.assertEqual(srv.replies[1], [
            "HANGUP\n", "511 Command Not Permitted on a dead channel or "
            "intercept routine\n"])
        self.assertEqual(srv.replies[2], ["200 result=0\n"])

    def test_missing_sound_file(self):
        import tempfile
        import wave
        d = tempfile.mkdtemp()
        import os
        os.makedirs(os.path.join(d, "hotline", "ja"))
        with wave.open(os.path.join(d, "hotline", "ja", "greeting.wav"),
                       "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"\0\0" * 12345)
        srv, t = run(['STREAM FILE hotline/ja/greeting ""',
                      'STREAM FILE hotline/ja/nosuch ""'], sounds=d)
        self.assertEqual(srv.replies, [["200 result=0 endpos=12345\n"],
                                       ["200 result=-1 endpos=0\n"]])
        self.assertEqual(t.played, ["hotline/ja/greeting",
                                    "hotline/ja/nosuch"])
        import shutil
        shutil.rmtree(d)

    def test_injected_responses_and_hook(self):
        seen = []
        srv, t = run(["ANSWER", 'STREAM FILE hotline/ja/greeting ""',
                      "ANSWER"], inject={2: "HANGUP\n510 Invalid or unknown "
                                          "command\n"},
                     on_command=lambda step, argv: seen.append((step, argv)))
        self.assertIsNone(srv.error)
        self.assertEqual(srv.replies, [
            ["200 result=0\n"],
            ["HANGUP\n", "510 Invalid or unknown command\n"],
            ["200 result=0\n"]])
        self.assertEqual(seen, [(1, ["ANSWER"]),
                                (2, ["STREAM", "FILE", "hotline/ja/greeting",
                                     ""]),
                                (3, ["ANSWER"])])
        # An injected answer is not played.
        self.assertEqual(t.played, [])

    def test_pipelining_server_fails(self):
        srv = ScriptedServer(["ANSWER", 'STREAM FILE hotline/ja/greeting ""'],
                             pipeline=True)
        fake = FakeAsterisk("127.0.0.1", srv.port, Caller())
        with self.assertRaises(FakeAsteriskError) as e:
            fake.run()
        self.assertIn("before the response", str(e.exception))
        srv.join()
        # Not strict: recorded, and the run goes on.
        srv = ScriptedServer(['STREAM FILE hotline/ja/greeting ""', "ANSWER",
                              'STREAM FILE hotline/ja/greeting ""'],
                             pipeline=True)
        t = FakeAsterisk("127.0.0.1", srv.port, Caller(), strict=False).run()
        srv.join()
        self.assertGreaterEqual(len(t.violations), 1)
        self.assertIn("ANSWER", t.violations[0])
        self.assertEqual(len(t.commands), 3)

    def test_line_too_long_is_a_violation(self):
        srv = ScriptedServer(['SET VARIABLE X "' + "a" * 9000 + '"'])
        fake = FakeAsterisk("127.0.0.1", srv.port, Caller())
        with self.assertRaises(FakeAsteriskError) as e:
            fake.run()
        self.assertIn("over 8191 bytes", str(e.exception))
        srv.join()

    def test_parse_args_as_res_agi(self):
        self.assertEqual(parse_args('STREAM FILE hotline/ja/x ""'),
                         ["STREAM", "FILE", "hotline/ja/x", ""])
        self.assertEqual(parse_args('EXEC Festival "a \\"b\\" \\\\ c"'),
                         ["EXEC", "Festival", 'a "b" \\ c'])
        self.assertEqual(parse_args("a\\ b  c\td"), ["a b", "c", "d"])
        self.assertEqual(parse_args('x"y z"w'), ["xy zw"])
        self.assertEqual(parse_args(""), [])


if __name__ == "__main__":
    unittest.main()
