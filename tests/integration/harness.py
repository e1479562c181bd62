"""Integration test harness: a temporary data directory with a conf, a key
and an imported list; a real hotlined started on a free port under a hard
timeout; a line-oriented JSON-RPC connection to it.

Every daemon is stopped with SIGTERM at the end of its test and must exit 0
without a sanitizer report in its log (the ASan build is leak-checked at
exit), so each integration test is also a leak test of what it exercised.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DATA = os.path.join(TOP, "tests", "data")
PEOPLE = os.path.join(DATA, "people")
START_TIMEOUT_S = 30
CALL_TIMEOUT_S = 30

# name -> (role, token); the conf holds only the SHA-256 of each token.
CLIENTS = {
    "gw": ("gateway", "gw-token-0123456789"),
    "gw2": ("gateway", "gw2-token-0123456789"),
    "op": ("operator", "op-token-0123456789"),
    "op2": ("operator", "op2-token-0123456789"),
    "sup": ("supervisor", "sup-token-0123456789"),
    "adm": ("admin", "adm-token-0123456789"),
}

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer")


def build_dir():
    return os.environ.get("HOTLINE_BUILD", os.path.join(TOP, "build"))


def sanitized():
    """The sanitizer build is under test (read per test: the runner runs
    every build in one process, and a module is imported only once)."""
    return os.path.basename(os.path.normpath(build_dir())) == "asan"


def binary(name):
    return os.path.join(build_dir(), name)


def ctl(*args, check=True, timeout=300, env=None, input=None):
    """Runs hotlinectl; returns the CompletedProcess (text)."""
    p = subprocess.run([binary("hotlinectl")] + [str(a) for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout, env=env, input=input)
    if check and p.returncode != 0:
        raise AssertionError(f"hotlinectl {' '.join(map(str, args))} "
                             f"exited {p.returncode}:\n{p.stderr}")
    assert_no_sanitizer(p.stderr, "hotlinectl " + str(args[0]))
    return p


def assert_no_sanitizer(text, what):
    for mark in SANITIZER_MARKS:
        if mark in text:
            raise AssertionError(f"{what}: sanitizer report:\n{text[-6000:]}")


def sha256_hex(s):
    import hashlib
    return hashlib.sha256(s.encode()).hexdigest()


def conf_text(port=0, data_dir="data", prompts=None, extra="", clients=None,
              limits=None, hours=None, log_level="info", rate=None,
              alerts=None, http=None, fastagi=None):
    prompts = prompts or os.path.join(TOP, "prompts")
    clients = clients or CLIENTS
    lines = [
        f'listen = {{ address = "127.0.0.1"; port = {port}; }};',
        f'data_dir = "{data_dir}";',
        f'prompts_dir = "{prompts}";',
        f'log = {{ level = "{log_level}"; target = "stderr"; }};',
    ]
    lim = {"idle_timeout_s": 120}
    lim.update(limits or {})
    lines.append("limits = { " + " ".join(f"{k} = {v};" for k, v in
                                          lim.items()) + " };")
    h = {"open": '"00:00"', "close": '"24:00"', "time_zone": '"Asia/Tokyo"'}
    h.update(hours or {})
    lines.append("hours = { " + " ".join(f"{k} = {v};" for k, v in
                                         h.items()) + " };")
    # Tests make many lookups quickly: no rate limit, no alerts, unless
    # the test is about them.
    r = {"lookups_per_s": 1000000, "burst": 1000000}
    r.update(rate or {})
    lines.append("rate = { " + " ".join(f"{k} = {v};" for k, v in
                                        r.items()) + " };")
    a = {"threshold": 100000000}
    a.update(alerts or {})
    lines.append("alerts = { " + " ".join(f"{k} = {v};" for k, v in
                                          a.items()) + " };")
    lines.append("clients = (")
    items = []
    for name, (role, token) in clients.items():
        items.append(f'  {{ name = "{name}"; role = "{role}"; '
                     f'token_sha256 = "{sha256_hex(token)}"; }}')
    lines.append(",\n".join(items))
    lines.append(");")
    if http is not None:
        # The HTTP listener on a free loopback port, the pages of web/;
        # http: {key: conf literal} on top.
        h = {"address": '"127.0.0.1"', "port": 0,
             "web_dir": '"%s"' % os.path.join(TOP, "web")}
        h.update(http)
        lines.append("http = { " + " ".join(f"{k} = {v};" for k, v in
                                            h.items()) + " };")
    if fastagi is not None:
        # The FastAGI listener (docs/ASTERISK.md); values as libconfig text.
        lines.append("fastagi = { " + " ".join(f"{k} = {v};" for k, v in
                                               fastagi.items()) + " };")
    lines.append(extra)
    return "\n".join(lines) + "\n"


class DataDir:
    """A temporary directory: conf, data/ with key, and an imported list."""

    def __init__(self, orgs=None, lists=None, import_list=True, **conf_kw):
        self.root = tempfile.mkdtemp(prefix="hotline-test-")
        self.data = os.path.join(self.root, "data")
        self.conf = os.path.join(self.root, "hotline.conf")
        self.conf_kw = conf_kw
        self.write_conf()
        ctl("init", "-c", self.conf)
        self.orgs = orgs or os.path.join(PEOPLE, "orgs.csv")
        self.lists = lists or [os.path.join(PEOPLE, "affected.csv")]
        if import_list:
            self.import_lists()

    def write_conf(self, **kw):
        args = dict(self.conf_kw)
        args.update(kw)
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(conf_text(**args))

    def import_lists(self, orgs=None, lists=None, extra=(), check=True):
        return ctl("import", "-c", self.conf, "--orgs", orgs or self.orgs,
                   *extra, *(lists or self.lists), check=check)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


class Conn:
    """One JSON-RPC connection: raw lines or calls."""

    def __init__(self, port, timeout=CALL_TIMEOUT_S):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.buf = b""
        self.next_id = 1

    def close(self):
        self.sock.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def recv_line(self):
        """The next line without its LF, or None at EOF."""
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def recv(self):
        line = self.recv_line()
        if line is None:
            raise AssertionError("connection closed by hotlined")
        return json.loads(line)

    def request(self, method, params=None, id=None):
        if id is None:
            id = self.next_id
            self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            msg["params"] = params
        return msg

    def call(self, method, params=None, id=None):
        req = self.request(method, params, id)
        self.send(json.dumps(req, ensure_ascii=False) + "\n")
        resp = self.recv()
        assert resp.get("id") == req["id"], (req, resp)
        return resp

    def hello(self, client):
        role, token = CLIENTS[client]
        resp = self.call("hello", {"client": client, "token": token})
        assert "result" in resp, resp
        return resp["result"]

    def at_eof(self, wait=5.0):
        """True if the server closes the connection within wait seconds."""
        self.sock.settimeout(wait)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        finally:
            self.sock.settimeout(CALL_TIMEOUT_S)


class Daemon:
    """hotlined on a free port, its stderr in a log file."""

    def __init__(self, datadir, args=()):
        self.dd = datadir
        self.log_path = datadir.path("hotlined.log")
        self.logf = open(self.log_path, "ab")
        self.log_start = self.logf.tell()
        self.proc = subprocess.Popen(
            [binary("hotlined"), "-c", datadir.conf, *args],
            stdout=self.logf, stderr=self.logf)
        self.port = None
        self.http_port = self.http_scheme = None
        with open(datadir.conf, encoding="utf-8") as f:
            has_http = "http = {" in f.read()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            log = self.own_log()
            m = re.search(r"listening on \S+ port (\d+)", log)
            # With an http section, its line follows the TCP port's.
            h = re.search(r"serving (https?) on \S+ port (\d+)", log)
            if m and (h or not has_http):
                self.port = int(m.group(1))
                if h:
                    self.http_scheme, self.http_port = h.group(1), \
                        int(h.group(2))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        if self.port is None:
            self.kill()
            raise AssertionError("hotlined did not start:\n" + self.log())

    def log(self):
        """What this daemon (and earlier ones of the data dir) logged."""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def own_log(self):
        """What this daemon logged."""
        with open(self.log_path, "rb") as f:
            f.seek(self.log_start)
            return f.read().decode("utf-8", "replace")

    def connect(self, client=None):
        c = Conn(self.port)
        if client is not None:
            c.hello(client)
        return c

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=30):
        """SIGTERM; asserts a clean exit 0 and no sanitizer report."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("hotlined did not stop on SIGTERM:\n" +
                                 self.log()[-4000:])
        self.logf.close()
        log = self.own_log()
        assert_no_sanitizer(log, "hotlined")
        if rc != 0:
            raise AssertionError(f"hotlined exited {rc}:\n{log[-4000:]}")
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if not self.logf.closed:
            self.logf.close()


class HotlineTest(unittest.TestCase):
    """A test with a data dir (self.dd) and a running daemon (self.d)."""

    dd_kwargs = {}
    start_daemon = True

    def setUp(self):
        self.dd = DataDir(**self.dd_kwargs)
        self.d = Daemon(self.dd) if self.start_daemon else None
        self._conns = []

    def tearDown(self):
        for c in self._conns:
            c.close()
        try:
            if self.d is not None:
                self.d.stop()
        finally:
            if self.d is not None:
                self.d.kill()
            self.dd.cleanup()

    def connect(self, client=None, daemon=None):
        c = (daemon or self.d).connect(client)
        self._conns.append(c)
        return c

    def assertError(self, resp, code, field=None):
        self.assertIn("error", resp, resp)
        self.assertEqual(resp["error"]["code"], code, resp)
        if field is not None:
            self.assertEqual(resp["error"].get("data", {}).get("field"),
                             field, resp)
        return resp["error"]

    def assertResult(self, resp):
        self.assertIn("result", resp, resp)
        return resp["result"]
