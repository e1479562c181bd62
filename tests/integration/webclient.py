"""An HTTP client for the tests of hotlined's HTTP front end: one
http.client connection (plain or TLS) that keeps the session cookie it
was given and the CSRF token of its sign-in, so that a test can say
exactly which headers go out and read every header that comes back.

    w = Web(daemon)                   # the daemon's http port
    r = w.login("op")                 # POST /login; r.json == {role, csrf}
    r = w.rpc("operator.search", {...})   # POST /rpc with cookie and CSRF
    r = w.get("/desk")
"""
import http.client
import json
import socket
import ssl

from harness import CLIENTS

TIMEOUT_S = 30

# What every response carries (SPEC §6.4, docs/WEB.md).
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; "
       "img-src 'self'; connect-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


class Response:
    """A whole response: status, headers (lower-case names), body."""

    def __init__(self, r):
        self.status = r.status
        self.reason = r.reason
        self.headers = [(k.lower(), v) for k, v in r.getheaders()]
        self.body = r.read()

    def header(self, name):
        vals = self.all(name)
        return vals[0] if vals else None

    def all(self, name):
        return [v for k, v in self.headers if k == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8")

    @property
    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.reason} {self.body[:200]!r}>"


def tls_context(cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    return ctx


class Web:
    """One keep-alive connection to the daemon's HTTP listener."""

    def __init__(self, daemon=None, port=None, tls_ca=None, host="127.0.0.1"):
        self.port = port or daemon.http_port
        self.host = host
        self.tls_ca = tls_ca
        self.cookie = None
        self.csrf = None
        self.next_id = 1
        self.conn = None

    def _conn(self):
        if self.conn is None:
            if self.tls_ca:
                self.conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=TIMEOUT_S,
                    context=tls_context(self.tls_ca))
            else:
                self.conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=TIMEOUT_S)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None, cookie=True):
        """Sends one request; returns the Response. Reconnects if the
        server closed the keep-alive connection."""
        h = dict(headers or {})
        if cookie and self.cookie and "Cookie" not in h:
            h["Cookie"] = "hotline_session=" + self.cookie
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        for attempt in (0, 1):
            c = self._conn()
            try:
                c.request(method, path, body=body, headers=h)
                r = Response(c.getresponse())
                break
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError):
                self.close()
                if attempt:
                    raise
        if r.header("connection") == "close":
            self.close()
        for v in r.all("set-cookie"):
            name, _, rest = v.partition("=")
            if name == "hotline_session":
                value = rest.split(";")[0]
                self.cookie = value or None
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def login(self, client, token=None):
        """POST /login as a client of harness.CLIENTS; keeps its csrf."""
        token = token if token is not None else CLIENTS[client][1]
        r = self.post("/login", {"client": client, "token": token})
        if r.status == 200:
            self.csrf = r.json["csrf"]
        return r

    def logout(self):
        r = self.post("/logout", {}, headers={"X-CSRF-Token": self.csrf or ""})
        return r

    def rpc_raw(self, body, csrf=None, **kw):
        """POST /rpc with the session's CSRF token (or csrf)."""
        headers = kw.pop("headers", {})
        token = csrf if csrf is not None else self.csrf
        if token is not None:
            headers["X-CSRF-Token"] = token
        return self.post("/rpc", body, headers=headers, **kw)

    def message(self, method, params=None, id=None):
        if id is None:
            id = self.next_id
            self.next_id += 1
        m = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            m["params"] = params
        return m

    def call(self, method, params=None):
        """One JSON-RPC call; returns the decoded response object."""
        r = self.rpc_raw(self.message(method, params))
        assert r.status == 200, r
        return r.json

    def result(self, method, params=None):
        resp = self.call(method, params)
        assert "result" in resp, resp
        return resp["result"]


def raw_exchange(port, data, timeout=5.0, read_until_close=True):
    """Sends raw bytes to the HTTP port; returns what came back before the
    server closed the connection (or the timeout)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
            if not read_until_close and b"\r\n\r\n" in out:
                break
        return out
    finally:
        s.close()


def parse_raw(data):
    """(status, {lower-case header: value}, body) of a raw response."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body
