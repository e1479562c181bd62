#!/usr/bin/env python3
"""A fake Asterisk for FastAGI tests: it connects to a FastAGI server the
way AGI(agi://HOST:PORT/SCRIPT,ARGS) does and answers its commands byte
for byte as res/res_agi.c of asterisk/asterisk does (docs/ASTERISK.md has
the source lines), driven by a scripted caller:

    caller = Caller(callerid="0312345678", digits=["19750401#", "9"])
    t = FakeAsterisk("127.0.0.1", 4573, caller, script="hotline?lang=ja").run()
    t.commands, t.variables, t.hung_up, t.violations

What it reproduces, for the commands hotline uses:
- the environment block: "agi_network: yes", "agi_network_script: S" only
  when the URL has a path (launch_netscript), then setup_env()'s keys in
  its order, empty values written as "key: " (agi_accountcode), "unknown"
  for a caller ID or DNID that is not there, agi_callingpres as a number,
  agi_arg_N for each AGI() argument, and an empty line; every line is its
  own write (ast_agi_send), and with split_writes a line is cut in two;
- ANSWER "200 result=0"; STREAM FILE "200 result=0 endpos=N", or
  "200 result=-1 endpos=0" when the file is not there; GET DATA
  "200 result=DIGITS", "... (timeout)", "200 result=-1" on hangup; EXEC
  "200 result=R" (-2: no such application); SET VARIABLE "200 result=1";
  HANGUP "200 result=1"; an unknown command "510 Invalid or unknown
  command"; a wrong argument count the 520-... usage text ending in
  "520 End of proper usage."; a command not allowed on a dead channel
  "511 Command Not Permitted on a dead channel or intercept routine";
- a caller hanging up during a command (its response says -1, then a
  "HANGUP" line) or between two (a "HANGUP" line where the next response
  was expected, then that response, 511 for media commands), and the
  final "HANGUP" res_agi.c writes when the server has closed;
- for tests of what a server does with any response, inject={N: text}
  answers command N with text (whole lines, as they are) instead, and
  on_command(step, argv) runs before each command is answered (a test
  can stop the server there); source binds the connection's own address;
- a server that sends a command before the previous response (Asterisk
  would cut the playing prompt short and send no response) or a line over
  8191 bytes (Asterisk would read it as two commands) is a violation: it
  is recorded, and run() raises FakeAsteriskError unless strict=False.
"""
import os
import select
import socket
import time
import wave

AGI_BUF_LEN = 8192          # res_agi.c: a command line is read into this
MAX_ARGS = 128
USAGE = {
    # A few of res_agi.c's usage texts (the real ones are longer).
    "stream file": " Usage: STREAM FILE <filename> <escape digits> "
                   "[sample offset]\n Send the given file, allowing "
                   "playback to be interrupted by the given digits, if any.",
    "get data": " Usage: GET DATA <file to be streamed> [timeout] "
                "[max digits]\n Stream the given file, and receive DTMF "
                "data.",
    "set variable": " Usage: SET VARIABLE <variablename> <value>",
    "exec": " Usage: EXEC <application> <options>",
}
# Commands and whether a dead channel may run them (res_agi.c commands[]).
COMMANDS = {"answer": False, "stream file": False, "get data": False,
            "exec": True, "set variable": True, "hangup": False,
            "noop": True, "verbose": True}
MEDIA = ("stream file", "get data")


class FakeAsteriskError(AssertionError):
    pass


def parse_args(s):
    """res_agi.c's parse_args(), line for line."""
    argv, cur = [], []
    quoted = escaped = False
    whitespace = True
    started = False
    for ch in s:
        if ch == '"' and not escaped:
            quoted = not quoted
            if quoted and whitespace:
                if started:
                    argv.append("".join(cur))
                cur, started, whitespace = [], True, False
            escaped = False
            continue
        if ch in " \t" and not quoted and not escaped:
            whitespace = True
            continue
        if ch == "\\" and not escaped:
            escaped = True
            continue
        # normal:
        if whitespace:
            if len(argv) + (1 if started else 0) >= MAX_ARGS - 1:
                continue
            if started:
                argv.append("".join(cur))
            cur, started, whitespace = [], True, False
        cur.append(ch)
        escaped = False
    if started:
        argv.append("".join(cur))
    return argv


class Caller:
    """What the person on the line does.

    digits: one entry per GET DATA, in order: keys pressed ("19750401#";
      '#' ends the input as ast_readstring does), or None to press
      nothing until the timeout. A GET DATA with no entry left times out.
      Keys after the input ended (a '#' after max digits) are pressed
      while the next command runs: the next GET DATA reads them first,
      a prompt (STREAM FILE, EXEC) drops them, as Asterisk does.
    hangup_at: the caller hangs up at command N (1 = the first command);
      hangup_when "during" (while it runs: media commands answer -1) or
      "before" (between commands: a HANGUP line comes first).
    """

    def __init__(self, callerid="0312345678", callingpres=0, dnid="0120000000",
                 language="ja", digits=(), hangup_at=None,
                 hangup_when="during", accountcode="", calleridname=None):
        self.callerid = callerid
        self.calleridname = calleridname
        self.callingpres = callingpres
        self.dnid = dnid
        self.language = language
        self.digits = list(digits)
        self.hangup_at = hangup_at
        self.hangup_when = hangup_when
        self.accountcode = accountcode


class Transcript:
    def __init__(self):
        self.env = b""              # the block as sent
        self.env_writes = 0         # how many writes it took
        self.commands = []          # argv of each command, in order
        self.responses = []         # the lines sent for each command
        self.variables = {}         # SET VARIABLE
        self.execs = []             # (application, options)
        self.played = []            # STREAM FILE / GET DATA file names
        self.answered = False
        self.hung_up = False        # the caller (or HANGUP) ended the call
        self.hangup_lines = 0       # "HANGUP" lines sent
        self.violations = []


class FakeAsterisk:

    def __init__(self, host, port, caller, script="hotline?lang=ja",
                 args=(), sounds=None, applications=("Queue",),
                 split_writes=True, strict=True, timeout=10.0,
                 exec_wait=0.02, version="20.5.0", inject=None,
                 on_command=None, source=None):
        self.addr = (host, port)
        self.caller = caller
        self.script = script
        self.args = list(args)
        self.sounds = sounds
        self.applications = set(applications)
        self.split_writes = split_writes
        self.strict = strict
        self.timeout = timeout
        self.exec_wait = exec_wait
        self.version = version
        self.inject = dict(inject or {})
        self.on_command = on_command
        self.source = source
        self.t = Transcript()
        self.sock = None
        self.buf = b""
        self.dead = False
        self.step = 0
        self.pending = ""           # keys pressed after GET DATA returned

    # -- the environment block ------------------------------------------

    def env_lines(self):
        """launch_netscript() then setup_env(), in their order."""
        c = self.caller
        host = "%s:%d" % self.addr
        request = "agi://" + host + ("/" + self.script if self.script else "")
        lines = ["agi_network: yes"]
        if self.script:
            lines.append("agi_network_script: " + self.script)
        lines += [
            "agi_request: " + request,
            "agi_channel: PJSIP/trunk-00000001",
            "agi_language: " + c.language,
            "agi_type: PJSIP",
            "agi_uniqueid: 1700000000.1",
            "agi_version: " + self.version,
            # S_COR(valid, str, "unknown"): no number reads "unknown".
            "agi_callerid: " + (c.callerid if c.callerid is not None
                                else "unknown"),
            "agi_calleridname: " + (c.calleridname if c.calleridname
                                    is not None else "unknown"),
            "agi_callingpres: %d" % c.callingpres,
            "agi_callingani2: 0",
            "agi_callington: 0",
            "agi_callingtns: 0",
            "agi_dnid: " + (c.dnid if c.dnid else "unknown"),
            "agi_rdnis: unknown",
            "agi_context: hotline",
            "agi_extension: s",
            "agi_priority: 2",
            "agi_enhanced: 0.0",
            "agi_accountcode: " + c.accountcode,
            "agi_threadid: 140234567890123",
        ]
        for i, a in enumerate(self.args, 1):
            lines.append("agi_arg_%d: %s" % (i, a))
        return [l + "\n" for l in lines] + ["\n"]

    def send(self, text):
        """Asterisk ignores a write to a server that has gone (the loop
        sees the EOF next)."""
        data = text.encode("utf-8")
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return data

    def send_env(self):
        for line in self.env_lines():
            data = line.encode("utf-8")
            if self.split_writes and len(data) > 2:
                # One line in two writes: a server must not take a
                # write for a line.
                half = len(data) // 2
                for part in (data[:half], data[half:]):
                    self.sock.sendall(part)
                    self.t.env_writes += 1
                    time.sleep(0.001)
            else:
                self.sock.sendall(data)
                self.t.env_writes += 1
            self.t.env += data

    # -- reading commands -------------------------------------------------

    def violation(self, what):
        self.t.violations.append(what)
        if self.strict:
            raise FakeAsteriskError(what)

    def read_line(self):
        """A command line, or None at EOF."""
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buf:
            if len(self.buf) >= AGI_BUF_LEN - 1:
                self.violation("a command line over %d bytes" %
                               (AGI_BUF_LEN - 1))
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                self.violation("no command within %.0f s" % self.timeout)
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        if len(line) + 1 > AGI_BUF_LEN - 1:
            self.violation("a command line over %d bytes" % (AGI_BUF_LEN - 1))
        return line.decode("utf-8", "replace")

    def pipelined(self, wait):
        """Whether a command came in before this one's response."""
        if self.buf:
            return True
        r, _, _ = select.select([self.sock], [], [], wait)
        if not r:
            return False
        try:
            data = self.sock.recv(65536, socket.MSG_PEEK)
        except ConnectionResetError:
            return False
        return bool(data)

    # -- the commands ------------------------------------------------------

    def hangup_now(self):
        """The channel hangs up: res_agi.c's loop sends HANGUP (AGISIGHUP
        is on by default) and goes on in dead mode."""
        self.dead = True
        self.t.hung_up = True

    def respond(self, text):
        self.t.responses[-1].append(text)
        self.send(text)

    def usage(self, name):
        u = USAGE.get(name)
        if u is None:
            self.respond("520 Invalid command syntax.  Proper usage not "
                         "available.\n")
        else:
            self.respond("520-Invalid command syntax.  Proper usage "
                         "follows:\n")
            self.respond(u + "\n")
            self.respond("520 End of proper usage.\n")

    def endpos(self, name):
        if self.sounds is None:
            return 8000
        path = os.path.join(self.sounds, name + ".wav")
        if not os.path.exists(path):
            return None
        with wave.open(path, "rb") as w:
            return w.getnframes()

    def command(self, argv, hangup_during):
        """One command, answered as res_agi.c answers it."""
        # find_command(): words compared without case; a line that stops
        # short of a command's words still finds it (and gets its usage).
        name = None
        for n in COMMANDS:
            words = n.split()
            k = min(len(words), len(argv))
            if k > 0 and [a.lower() for a in argv[:k]] == words[:k]:
                name = n
                break
        if name is None:
            self.respond("510 Invalid or unknown command\n")
            return
        if self.dead and not COMMANDS[name]:
            self.respond("511 Command Not Permitted on a dead channel or "
                         "intercept routine\n")
            return
        argc = len(argv)
        if name == "answer":
            self.t.answered = True
            self.respond("200 result=0\n")
        elif name == "stream file":
            if argc < 4 or argc > 5:
                return self.usage(name)
            self.t.played.append(argv[2])
            # Keys pressed while it plays, not escape digits: dropped.
            self.pending = ""
            n = self.endpos(argv[2])
            if n is None:
                # ast_openstream failed; the handler returns
                # RESULT_FAILURE, which is not a hangup.
                self.respond("200 result=-1 endpos=0\n")
            elif hangup_during:
                self.respond("200 result=-1 endpos=%d\n" % (n // 2))
                self.hangup_now()
            else:
                self.respond("200 result=0 endpos=%d\n" % n)
        elif name == "get data":
            if argc < 3:
                return self.usage(name)
            self.t.played.append(argv[2])
            maxd = int(argv[4]) if argc >= 5 else 1024
            if hangup_during:
                self.respond("200 result=-1\n")
                self.hangup_now()
                return
            keys = self.caller.digits.pop(0) if self.caller.digits else None
            if self.pending:
                # Keys pressed after the last question had its digits:
                # they come in during this one's prompt and are read first.
                keys = self.pending + (keys or "")
                self.pending = ""
            if keys is None:
                self.respond("200 result= (timeout)\n")
            elif "#" in keys[:maxd]:
                # ast_readstring(): '#' ends the input, is not in it.
                self.respond("200 result=%s\n" % keys[:keys.index("#")])
                self.pending = keys[keys.index("#") + 1:]
            elif len(keys) >= maxd:
                self.respond("200 result=%s\n" % keys[:maxd])
                self.pending = keys[maxd:]
            else:
                self.respond("200 result=%s (timeout)\n" % keys)
        elif name == "exec":
            if argc < 2:
                return self.usage(name)
            opts = argv[2] if argc >= 3 else ""
            self.t.execs.append((argv[1], opts))
            self.pending = ""
            if argv[1] not in self.applications:
                self.respond("200 result=-2\n")
            elif hangup_during:
                self.respond("200 result=-1\n")
                self.hangup_now()
            else:
                self.respond("200 result=0\n")
        elif name == "set variable":
            if argc != 4:
                return self.usage(name)
            self.t.variables[argv[2]] = argv[3]
            self.respond("200 result=1\n")
        elif name == "hangup":
            if argc > 2:
                return self.usage(name)
            self.respond("200 result=1\n")
            self.hangup_now()
        else:   # noop, verbose
            self.respond("200 result=0\n")
        if hangup_during and not self.dead:
            # A command without media finishes, then the hangup is seen.
            self.hangup_now()

    def run(self):
        """The whole call; returns the Transcript."""
        self.sock = socket.create_connection(
            self.addr, self.timeout,
            (self.source, 0) if self.source else None)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sent_hangup = False
        try:
            self.send_env()
            while True:
                at = self.step + 1
                c = self.caller
                if c.hangup_at == at and c.hangup_when == "before" \
                        and not self.dead:
                    self.hangup_now()
                if self.dead and not sent_hangup:
                    self.send("HANGUP\n")
                    self.t.hangup_lines += 1
                    sent_hangup = True
                line = self.read_line()
                if line is None:
                    break
                self.step = at
                argv = parse_args(line)
                self.t.commands.append(argv)
                self.t.responses.append([])
                name = " ".join(argv[:2]).lower()
                wait = self.exec_wait if name in MEDIA or \
                    (argv and argv[0].lower() == "exec") else 0.0
                if self.pipelined(wait):
                    self.violation("command %r sent before the response "
                                   "to %r" % (self.buf.split(b"\n")[0]
                                              if self.buf else "(next)",
                                              line))
                if self.on_command is not None:
                    self.on_command(at, argv)
                if at in self.inject:
                    self.respond(self.inject[at])
                    continue
                self.command(argv, c.hangup_at == at and
                             c.hangup_when == "during" and not self.dead)
            # run_agi() ends with one more HANGUP on a FastAGI socket.
            try:
                self.send("HANGUP\n")
            except OSError:
                pass
        finally:
            self.sock.close()
        return self.t


def main():
    import argparse
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=4573)
    p.add_argument("--script", default="hotline?lang=ja")
    p.add_argument("--callerid", default="0312345678")
    p.add_argument("--callingpres", type=int, default=0)
    p.add_argument("--dnid", default="0120000000")
    p.add_argument("--digits", default="",
                   help="comma-separated keys per GET DATA; '-' for none")
    p.add_argument("--hangup-at", type=int)
    p.add_argument("--sounds")
    a = p.parse_args()
    digits = [None if d == "-" else d for d in a.digits.split(",")] \
        if a.digits else []
    t = FakeAsterisk(a.host, a.port, Caller(
        callerid=a.callerid, callingpres=a.callingpres, dnid=a.dnid,
        digits=digits, hangup_at=a.hangup_at), script=a.script,
        sounds=a.sounds, strict=False).run()
    for argv, resp in zip(t.commands, t.responses):
        print(" ".join(argv), "->", "".join(resp).strip())
    print("variables:", t.variables)
    for v in t.violations:
        print("VIOLATION:", v)
    return 1 if t.violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
