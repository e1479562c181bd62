"""Conventions of both programs: --help and --version everywhere, one way
to name the conf and the client, documented exit codes; and the operating
commands around a running hotlined (status, reload, pid file, the key as
a systemd credential, the log's time stamps)."""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import time
import unittest

from harness import (CLIENTS, DataDir, Daemon, HotlineTest, binary, ctl,
                     assert_no_sanitizer)

COMMANDS = ["init", "token", "import", "gen", "demo", "lookup", "call",
            "stats", "audit", "match", "reload", "status"]


def run(prog, *args, env=None, input=None, cwd=None):
    p = subprocess.run([binary(prog)] + [str(a) for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=120, env=env, input=input, cwd=cwd)
    assert_no_sanitizer(p.stderr, prog)
    return p


def clean_env(**kw):
    """The environment without any HOTLINE_ variable, plus kw."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HOTLINE_") or k in ("HOTLINE_BUILD",
                                                     "HOTLINE_TESTDATA")}
    env.update(kw)
    return env


class TestHelpVersionExit(unittest.TestCase):
    """The table: each program and command, --help on stdout with exit 0,
    --version, and a usage error on stderr with exit 2."""

    def test_programs(self):
        for prog in ("hotlined", "hotlinectl"):
            for flag in ("--help", "-h"):
                p = run(prog, flag)
                self.assertEqual(p.returncode, 0, (prog, flag, p.stderr))
                self.assertTrue(p.stdout.startswith("usage: " + prog), p)
                self.assertEqual(p.stderr, "")
            for flag in ("--version", "-V"):
                p = run(prog, flag)
                self.assertEqual(p.returncode, 0, (prog, flag))
                self.assertRegex(p.stdout, rf"^{prog} \d+\.\d+")
            p = run(prog, "--no-such-option")
            self.assertEqual(p.returncode, 2, prog)
            self.assertEqual(p.stdout, "")
            self.assertIn("usage: " + prog, p.stderr)
        # hotlinectl --help lists every command.
        out = run("hotlinectl", "--help").stdout
        for cmd in COMMANDS:
            self.assertRegex(out, rf"\n  {cmd} +\S")
        p = run("hotlinectl", "nonsense")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown command nonsense", p.stderr)

    def test_every_command(self):
        for cmd in COMMANDS:
            p = run("hotlinectl", cmd, "--help")
            self.assertEqual(p.returncode, 0, (cmd, p.stderr))
            self.assertTrue(p.stdout.startswith(f"usage: hotlinectl {cmd}"),
                            (cmd, p.stdout))
            self.assertIn("Exit status:", p.stdout, cmd)
            self.assertEqual(p.stderr, "", cmd)
            p = run("hotlinectl", cmd, "--version")
            self.assertEqual(p.returncode, 0, cmd)
            self.assertRegex(p.stdout, r"^hotlinectl \d+\.\d+", cmd)
            p = run("hotlinectl", cmd, "--no-such-option")
            self.assertEqual(p.returncode, 2, cmd)
            self.assertEqual(p.stdout, "", cmd)
            self.assertIn(f"usage: hotlinectl {cmd}", p.stderr, cmd)

    def test_man_page_documents_each_commands_exit_codes(self):
        from harness import TOP
        with open(os.path.join(TOP, "docs", "hotlinectl.8"),
                  encoding="utf-8") as f:
            page = f.read()
        section = page[page.index(".Sh EXIT STATUS"):]
        for cmd in COMMANDS:
            self.assertRegex(section, rf"\.It Cm [^\n]*\b{cmd}\b", cmd)

    def test_local_commands_need_a_conf(self):
        tmp = DataDir()
        try:
            Daemon(tmp).stop()      # makes hotline.db
            env = clean_env()
            for args in (["audit", "verify"],
                         ["import", "--orgs", "x.csv", "y.csv"],
                         ["match", "--org", "x", "r.csv", "--out", "o"]):
                p = run("hotlinectl", *args, env=env, cwd=tmp.root)
                self.assertEqual(p.returncode, 2, (args, p.stderr))
                self.assertIn("HOTLINE_CONF", p.stderr)
            # $HOTLINE_CONF is as good as -c.
            p = run("hotlinectl", "audit", "verify",
                    env=clean_env(HOTLINE_CONF=tmp.conf))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("audit log OK", p.stdout)
        finally:
            tmp.cleanup()


class TestTargets(HotlineTest):
    """-c gives the address, the environment the client, per role."""

    def test_conf_gives_the_address(self):
        # The daemon listens on a free port: the conf must say which.
        self.dd.write_conf(port=self.d.port)
        env = clean_env(HOTLINE_CLIENT="gw", HOTLINE_TOKEN=CLIENTS["gw"][1])
        p = run("hotlinectl", "lookup", "-c", self.dd.conf, "09011112222",
                "1975-04-01", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run("hotlinectl", "lookup", "09011112222", "1975-04-01",
                env=dict(env, HOTLINE_CONF=self.dd.conf))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_role_per_command_from_the_environment(self):
        # A supervisor for stats and a gateway for lookup, side by side:
        # neither command takes the other's client.
        self.dd.write_conf(port=self.d.port)
        env = clean_env(HOTLINE_CONF=self.dd.conf,
                        HOTLINE_SUPERVISOR_CLIENT="sup",
                        HOTLINE_SUPERVISOR_TOKEN=CLIENTS["sup"][1],
                        HOTLINE_GATEWAY_CLIENT="gw",
                        HOTLINE_GATEWAY_TOKEN=CLIENTS["gw"][1],
                        HOTLINE_ADMIN_CLIENT="adm",
                        HOTLINE_ADMIN_TOKEN=CLIENTS["adm"][1])
        p = run("hotlinectl", "stats", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run("hotlinectl", "lookup", "09011112222", "1975-04-01", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run("hotlinectl", "call", "--digits", "19750401,9", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run("hotlinectl", "status", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_wrong_role_is_named_before_anything_is_sent(self):
        self.dd.write_conf(port=self.d.port)
        env = clean_env(HOTLINE_CONF=self.dd.conf, HOTLINE_CLIENT="sup",
                        HOTLINE_TOKEN=CLIENTS["sup"][1])
        p = run("hotlinectl", "lookup", "09011112222", "1975-04-01", env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn("client sup (from HOTLINE_CLIENT) is a supervisor "
                      "client", p.stderr)
        self.assertIn("HOTLINE_GATEWAY_CLIENT", p.stderr)
        # Without a conf the server's answer says the same.
        env = clean_env(HOTLINE_CLIENT="sup", HOTLINE_TOKEN=CLIENTS["sup"][1])
        p = run("hotlinectl", "lookup", "--port", self.d.port, "09011112222",
                "1975-04-01", env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn("is a supervisor client", p.stderr)
        # Half a pair is a usage error, not a demo token in disguise.
        p = run("hotlinectl", "lookup", "--port", self.d.port, "0901111222",
                "1975-04-01", env=clean_env(HOTLINE_CLIENT="gw"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("go together", p.stderr)

    def test_lookup_exit_codes(self):
        env = clean_env(HOTLINE_CLIENT="gw", HOTLINE_TOKEN=CLIENTS["gw"][1])
        table = [
            (["09011112222", "1975-04-01"], 0),      # affected
            (["09000000000", "1980-01-01"], 1),      # not found
            (["0900", "1980-01-01"], 2),             # invalid input
            (["09011112222"], 2),                    # usage
        ]
        for args, want in table:
            p = run("hotlinectl", "lookup", "--port", self.d.port, *args,
                    env=env)
            self.assertEqual(p.returncode, want, (args, p.stderr))
        # Nobody listening: an error, 3.
        self.d.stop()
        p = run("hotlinectl", "lookup", "--port", self.d.port,
                "09011112222", "1975-04-01", env=env)
        self.assertEqual(p.returncode, 3)
        self.assertIn("is hotlined running?", p.stderr)


class TestStatusReload(HotlineTest):

    def env(self):
        return clean_env(HOTLINE_ADMIN_CLIENT="adm",
                         HOTLINE_ADMIN_TOKEN=CLIENTS["adm"][1])

    def test_status(self):
        gw = self.connect("gw")
        gw.call("call.begin", {"call_id": "c1"})
        p = run("hotlinectl", "status", "--port", self.d.port,
                "--json", env=self.env())
        self.assertEqual(p.returncode, 0, p.stderr)
        st = json.loads(p.stdout)
        self.assertEqual(st["version"], "0.1")
        self.assertEqual(st["ivr_sessions"], 1)
        self.assertGreaterEqual(st["connections"], 2)
        self.assertEqual(st["list"]["records"], 9)
        self.assertEqual(st["list"]["organisations"], 3)
        self.assertRegex(st["list"]["built_at"], r"^\d{4}-\d\d-\d\dT")
        self.assertTrue(st["storage"]["ok"])
        self.assertGreater(st["storage"]["audit_entries"], 0)
        self.assertRegex(st["started"], r"\+09:00$")
        out = run("hotlinectl", "status", "--port", self.d.port,
                  env=self.env()).stdout
        self.assertRegex(out, r"hotlined 0\.1, up \d\d:\d\d:\d\d")
        self.assertIn("IVR sessions  1", out)
        self.assertIn("9 records, 3 organisations", out)
        # Admin only.
        p = run("hotlinectl", "status", "--port", self.d.port,
                env=clean_env(HOTLINE_CLIENT="sup",
                              HOTLINE_TOKEN=CLIENTS["sup"][1]))
        self.assertEqual(p.returncode, 2)

    def test_reload(self):
        p = run("hotlinectl", "reload", "--port", self.d.port, env=self.env())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("reloaded", p.stdout)
        # A broken conf is kept out, and said so: exit 1.
        with open(self.dd.conf, "a") as f:
            f.write("limits = { max_line = 1; };\n")
        p = run("hotlinectl", "reload", "--port", self.d.port, env=self.env())
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("conf kept", p.stdout)


class TestSoftphoneKeys(HotlineTest):

    def test_a_typed_letter_is_asked_again(self):
        env = clean_env(HOTLINE_CLIENT="gw", HOTLINE_TOKEN=CLIENTS["gw"][1])
        p = run("hotlinectl", "call", "--port", self.d.port, "--ani",
                "09011112222", env=env,
                input="19750401x\n123456789012\n19750401\n9\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.count("try again"), 2)
        self.assertIn("[notice_affected]", p.stdout)
        self.assertIn("outcome: affected", p.stdout)
        # --digits is checked before the call starts.
        p = run("hotlinectl", "call", "--port", self.d.port, "--digits",
                "1975O401", env=env)
        self.assertEqual(p.returncode, 2)

    def test_menu_2_after_not_found(self):
        env = clean_env(HOTLINE_CLIENT="gw", HOTLINE_TOKEN=CLIENTS["gw"][1])
        p = run("hotlinectl", "call", "--port", self.d.port, "--ani",
                "09011112222", "--digits", "19750402,2,19750401,9", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("[menu_not_found]", p.stdout)
        self.assertIn("[notice_affected]", p.stdout)
        self.assertIn("outcome: affected", p.stdout)
        p = run("hotlinectl", "call", "--port", self.d.port, "--ani",
                "09011112222", "--lang", "en", "--digits", "19750402,9",
                env=env)
        self.assertIn("To enter your date of birth again, press 2", p.stdout)


class TestPidFileAndLog(unittest.TestCase):

    def setUp(self):
        self.dd = DataDir()

    def tearDown(self):
        self.dd.cleanup()

    def test_pid_file(self):
        pid = self.dd.path("hotlined.pid")
        d = Daemon(self.dd, args=("-p", pid))
        try:
            # Written right after the "listening" line the harness waits
            # for: give it that moment.
            deadline = time.monotonic() + 10
            while not (os.path.exists(pid) and os.path.getsize(pid) > 0):
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.02)
            with open(pid) as f:
                self.assertEqual(int(f.read()), d.proc.pid)
            # A second hotlined with the same pid file refuses to start.
            p = run("hotlined", "-c", self.dd.conf, "-p", pid)
            self.assertEqual(p.returncode, 1)
            self.assertIn("another hotlined holds it", p.stderr)
        finally:
            d.stop()
        self.assertFalse(os.path.exists(pid))
        # The conf's pid_file does the same.
        self.dd.write_conf(extra=f'pid_file = "{pid}";')
        d = Daemon(self.dd)
        try:
            deadline = time.monotonic() + 10
            while not os.path.exists(pid):
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.02)
        finally:
            d.stop()
        self.assertFalse(os.path.exists(pid))

    def test_log_time_zone_and_journal(self):
        d = Daemon(self.dd)
        d.stop()
        # Local time of the conf's zone, with its offset.
        self.assertRegex(d.own_log(), r"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"
                         r"\.\d{3}\+09:00 hotlined notice: listening")
        # Under journald (JOURNAL_STREAM names our stderr): no stamp, a
        # priority prefix instead.
        logf = open(self.dd.path("journal.log"), "wb")
        st = os.fstat(logf.fileno())
        env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
        p = subprocess.Popen([binary("hotlined"), "-c", self.dd.conf],
                             stdout=logf, stderr=logf, env=env)
        try:
            deadline = time.monotonic() + 30
            text = ""
            while time.monotonic() < deadline and "listening" not in text:
                time.sleep(0.05)
                with open(self.dd.path("journal.log"), "rb") as f:
                    text = f.read().decode()
        finally:
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(30), 0)
            logf.close()
        with open(self.dd.path("journal.log"), "rb") as f:
            text = f.read().decode()
        assert_no_sanitizer(text, "hotlined")
        self.assertRegex(text, r"(?m)^<5>notice: listening on 127\.0\.0\.1")
        self.assertNotRegex(text, r"\d\d:\d\d:\d\d")

    def test_syslog_facility_is_checked(self):
        with open(self.dd.conf) as f:
            text = f.read()
        text = text.replace('log = { level = "info"; target = "stderr"; };',
                            'log = { level = "info"; target = "stderr"; '
                            'facility = "local3"; };')
        self.assertIn("local3", text)
        with open(self.dd.conf, "w") as f:
            f.write(text)
        p = run("hotlined", "-t", "-c", self.dd.conf)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.dd.conf, "w") as f:
            f.write(text.replace('"local3"', '"local9"'))
        p = run("hotlined", "-t", "-c", self.dd.conf)
        self.assertEqual(p.returncode, 1)
        self.assertIn("log.facility: must be", p.stderr)


class TestNotify(unittest.TestCase):
    """sd_notify: READY=1 once hotlined listens, RELOADING=1 then READY=1
    around a SIGHUP, STOPPING=1 at SIGTERM (a build with libsystemd)."""

    def test_notify_socket(self):
        import socket
        if "(sd_notify)" not in run("hotlined", "--version").stdout:
            self.skipTest("built without libsystemd")
        dd = DataDir()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        path = dd.path("notify.sock")
        sock.bind(path)
        sock.settimeout(30)
        env = dict(os.environ, NOTIFY_SOCKET=path)
        logf = open(dd.path("n.log"), "wb")
        p = subprocess.Popen([binary("hotlined"), "-c", dd.conf],
                             stdout=logf, stderr=logf, env=env)
        try:
            msg = sock.recv(4096).decode()
            self.assertIn("READY=1", msg)
            with open(dd.path("n.log"), "rb") as f:
                self.assertIn(b"listening on", f.read())
            p.send_signal(signal.SIGHUP)
            self.assertIn("RELOADING=1", sock.recv(4096).decode())
            self.assertIn("READY=1", sock.recv(4096).decode())
            p.send_signal(signal.SIGTERM)
            self.assertIn("STOPPING=1", sock.recv(4096).decode())
            self.assertEqual(p.wait(30), 0)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            logf.close()
            sock.close()
            with open(dd.path("n.log"), "rb") as f:
                assert_no_sanitizer(f.read().decode(), "hotlined")
            dd.cleanup()


class TestCredentialKey(unittest.TestCase):
    """key_file = "credential:NAME": the key comes from
    $CREDENTIALS_DIRECTORY, for both programs, and is checked alike."""

    def test_credential(self):
        dd = DataDir(import_list=False)
        try:
            creds = dd.path("creds")
            os.mkdir(creds, 0o700)
            key = os.path.join(dd.data, "hotline.key")
            shutil.move(key, os.path.join(creds, "hotline.key"))
            dd.write_conf(extra='key_file = "credential:hotline.key";')
            env = dict(os.environ, CREDENTIALS_DIRECTORY=creds)
            p = ctl("import", "-c", dd.conf, "--orgs", dd.orgs, *dd.lists,
                    env=env)
            self.assertIn("imported 9 rows", p.stdout)
            # Without the directory: a clear error, no key anywhere else.
            p = ctl("import", "-c", dd.conf, "--orgs", dd.orgs, *dd.lists,
                    check=False)
            self.assertEqual(p.returncode, 3)
            self.assertIn("$CREDENTIALS_DIRECTORY is not set", p.stderr)
            p = run("hotlined", "-t", "-c", dd.conf)
            self.assertEqual(p.returncode, 1)
            self.assertIn("LoadCredentialEncrypted", p.stderr)
            # hotlined serves with it.
            old = os.environ.get("CREDENTIALS_DIRECTORY")
            os.environ["CREDENTIALS_DIRECTORY"] = creds
            try:
                d = Daemon(dd)
                try:
                    c = d.connect("gw")
                    r = c.call("lookup", {"phone": "09011112222",
                                          "birthdate": "1975-04-01"})
                    self.assertEqual(r["result"]["status"], "affected")
                    c.close()
                finally:
                    d.stop()
            finally:
                if old is None:
                    del os.environ["CREDENTIALS_DIRECTORY"]
                else:
                    os.environ["CREDENTIALS_DIRECTORY"] = old
            # The same mode check as a key file.
            os.chmod(os.path.join(creds, "hotline.key"), 0o644)
            p = run("hotlined", "-t", "-c", dd.conf, env=env)
            self.assertEqual(p.returncode, 1)
            self.assertIn("readable by group or others", p.stderr)
            # init makes the directory and says how to make the key.
            p = ctl("init", "-c", dd.conf)
            self.assertIn("systemd-creds encrypt", p.stdout)
            out = dd.path("new.key")
            ctl("init", "-c", dd.conf, "--key-out", out)
            self.assertEqual(os.stat(out).st_size, 32)
            self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
            self.assertFalse(os.path.exists(key))
            # A name with a slash is refused by the conf check.
            dd.write_conf(extra='key_file = "credential:../k";')
            p = run("hotlined", "-t", "-c", dd.conf)
            self.assertEqual(p.returncode, 1)
            self.assertIn("credential:NAME", p.stderr)
        finally:
            dd.cleanup()
