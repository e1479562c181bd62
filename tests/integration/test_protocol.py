"""JSON-RPC framing, errors, authentication and roles (SPEC §6)."""
import json

from harness import CLIENTS, HotlineTest

LOOKUP = {"phone": "090-1111-2222", "birthdate": "1975-04-01"}


class TestAuth(HotlineTest):

    def test_ping_needs_no_hello(self):
        c = self.connect()
        self.assertEqual(self.assertResult(c.call("ping")), "pong")

    def test_unauthenticated_call(self):
        c = self.connect()
        self.assertError(c.call("lookup", LOOKUP), -32001)
        # The connection lives on.
        self.assertEqual(self.assertResult(c.call("ping")), "pong")

    def test_hello_returns_role(self):
        c = self.connect()
        r = self.assertResult(c.call("hello", {
            "client": "op", "token": CLIENTS["op"][1]}))
        self.assertEqual(r["role"], "operator")
        self.assertEqual(r["protocol"], 1)
        self.assertIn("server", r)

    def test_wrong_token(self):
        c = self.connect()
        self.assertError(c.call("hello", {"client": "gw",
                                          "token": "wrong"}), -32001)
        self.assertError(c.call("lookup", LOOKUP), -32001)

    def test_unknown_client_same_error_as_wrong_token(self):
        c = self.connect()
        e1 = self.assertError(c.call("hello", {"client": "nobody",
                                               "token": "x"}), -32001)
        e2 = self.assertError(c.call("hello", {"client": "gw",
                                               "token": "x"}), -32001)
        self.assertEqual(e1, e2)

    def test_token_of_another_client(self):
        c = self.connect()
        self.assertError(c.call("hello", {
            "client": "gw", "token": CLIENTS["op"][1]}), -32001)

    def test_hello_params_checked(self):
        c = self.connect()
        self.assertError(c.call("hello", {"client": "gw"}), -32602, "token")
        self.assertError(c.call("hello", {"client": 5, "token": "x"}),
                         -32602, "client")

    def test_role_forbidden(self):
        c = self.connect("sup")
        self.assertError(c.call("lookup", LOOKUP), -32002)

    def test_role_checked_before_params(self):
        c = self.connect("sup")
        self.assertError(c.call("lookup", {"phone": 12}), -32002)
        self.assertError(c.call("lookup"), -32002)

    def test_admin_may_lookup(self):
        c = self.connect("adm")
        r = self.assertResult(c.call("lookup", LOOKUP))
        self.assertEqual(r["status"], "affected")

    def test_failed_hello_drops_earlier_authentication(self):
        c = self.connect("gw")
        self.assertResult(c.call("lookup", LOOKUP))
        self.assertError(c.call("hello", {"client": "gw", "token": "x"}),
                         -32001)
        self.assertError(c.call("lookup", LOOKUP), -32001)


class TestFraming(HotlineTest):

    def test_malformed_json(self):
        c = self.connect("gw")
        c.send('{"jsonrpc": "2.0", "id": 1, "method": \n')
        e = self.assertError(c.recv(), -32700)
        self.assertNotIn("method", json.dumps(e))
        self.assertEqual(self.assertResult(c.call("ping")), "pong")

    def test_not_utf8(self):
        c = self.connect("gw")
        c.send(b'{"jsonrpc":"2.0","id":1,"method":"ping\xff"}\n')
        self.assertError(c.recv(), -32700)
        self.assertEqual(self.assertResult(c.call("ping")), "pong")

    def test_non_object(self):
        c = self.connect("gw")
        for text in ('42', '"ping"', 'null', 'true'):
            c.send(text + "\n")
            resp = c.recv()
            self.assertError(resp, -32600)
            self.assertIsNone(resp["id"])

    def test_invalid_requests(self):
        c = self.connect("gw")
        cases = [
            {"id": 1, "method": "ping"},                      # no jsonrpc
            {"jsonrpc": "1.0", "id": 2, "method": "ping"},
            {"jsonrpc": "2.0", "id": 3, "method": 7},
            {"jsonrpc": "2.0", "id": 4, "method": "ping", "params": 1},
        ]
        for req in cases:
            c.send(json.dumps(req) + "\n")
            resp = c.recv()
            self.assertError(resp, -32600)
            self.assertEqual(resp["id"], req["id"])
        c.send('{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}\n')
        resp = c.recv()
        self.assertError(resp, -32600)
        self.assertIsNone(resp["id"])

    def test_unknown_method(self):
        c = self.connect("gw")
        self.assertError(c.call("no.such.method"), -32601)

    def test_positional_params_rejected(self):
        c = self.connect("gw")
        self.assertError(c.call("lookup", ["09011112222", "1975-04-01"]),
                         -32602, "params")

    def test_string_and_null_ids(self):
        c = self.connect("gw")
        for id in ("abc", 0, 1.5, None):
            c.send(json.dumps({"jsonrpc": "2.0", "id": id,
                               "method": "ping"}) + "\n")
            resp = c.recv()
            self.assertEqual(resp["id"], id)
            self.assertEqual(resp["result"], "pong")

    def test_notification_gets_no_response(self):
        c = self.connect("gw")
        c.send('{"jsonrpc":"2.0","method":"ping"}\n')
        c.send('{"jsonrpc":"2.0","method":"no.such"}\n')
        c.send('{"jsonrpc":"2.0","method":"lookup","params":{}}\n')
        resp = c.call("ping", id="after")
        self.assertEqual(resp["id"], "after")

    def test_batch(self):
        c = self.connect("gw")
        batch = [
            {"jsonrpc": "2.0", "id": 1, "method": "ping"},
            {"jsonrpc": "2.0", "method": "ping"},           # notification
            {"jsonrpc": "2.0", "id": 2, "method": "lookup",
             "params": LOOKUP},
            {"jsonrpc": "2.0", "id": 3, "method": "nope"},
            5,
            {"jsonrpc": "2.0", "id": 4, "method": "lookup",
             "params": {"phone": "x", "birthdate": "1975-04-01"}},
        ]
        c.send(json.dumps(batch) + "\n")
        resp = c.recv()
        self.assertIsInstance(resp, list)
        self.assertEqual([r.get("id") for r in resp], [1, 2, 3, None, 4])
        self.assertEqual(resp[0]["result"], "pong")
        self.assertEqual(resp[1]["result"]["status"], "affected")
        self.assertEqual(resp[2]["error"]["code"], -32601)
        self.assertEqual(resp[3]["error"]["code"], -32600)
        self.assertEqual(resp[4]["error"]["data"]["field"], "phone")

    def test_batch_of_notifications_gets_nothing(self):
        c = self.connect("gw")
        c.send(json.dumps([{"jsonrpc": "2.0", "method": "ping"}] * 3) + "\n")
        self.assertEqual(c.call("ping", id="x")["id"], "x")

    def test_empty_batch(self):
        c = self.connect("gw")
        c.send("[]\n")
        self.assertError(c.recv(), -32600)

    def test_batch_too_large(self):
        c = self.connect("gw")
        c.send(json.dumps([{"jsonrpc": "2.0", "id": i, "method": "ping"}
                           for i in range(101)]) + "\n")
        self.assertError(c.recv(), -32600)
        self.assertEqual(self.assertResult(c.call("ping")), "pong")

    def test_crlf_and_blank_lines(self):
        c = self.connect("gw")
        c.send('\r\n\n{"jsonrpc":"2.0","id":9,"method":"ping"}\r\n')
        self.assertEqual(c.recv()["id"], 9)

    def test_pipelined_requests_answer_in_order(self):
        c = self.connect("gw")
        reqs = "".join(json.dumps(c.request("lookup" if i % 2 else "ping",
                                            LOOKUP if i % 2 else None,
                                            id=i)) + "\n"
                       for i in range(200))
        c.send(reqs)
        for i in range(200):
            self.assertEqual(c.recv()["id"], i)

    def test_line_split_across_packets(self):
        c = self.connect("gw")
        text = json.dumps(c.request("ping", id=77)) + "\n"
        for ch in text:
            c.send(ch)
        self.assertEqual(c.recv()["id"], 77)

    def test_overlong_line_error_then_close(self):
        c = self.connect("gw")
        c.send('{"jsonrpc":"2.0","id":1,"method":"ping","x":"' +
               "a" * 20000 + '"}\n')
        e = self.assertError(c.recv(), -32600)
        self.assertEqual(e["data"]["max_line"], 16384)
        self.assertTrue(c.at_eof())

    def test_overlong_line_without_newline(self):
        c = self.connect("gw")
        c.send("x" * 40000)
        self.assertError(c.recv(), -32600)
        self.assertTrue(c.at_eof())

    def test_answers_before_overlong_line_are_kept(self):
        c = self.connect("gw")
        c.send('{"jsonrpc":"2.0","id":1,"method":"ping"}\n' + "y" * 17000 +
               "\n")
        self.assertEqual(c.recv()["id"], 1)
        self.assertError(c.recv(), -32600)
        self.assertTrue(c.at_eof())

    def test_line_at_the_limit_is_accepted(self):
        c = self.connect("gw")
        req = c.request("ping", id=5)
        text = json.dumps(req)
        pad = 16384 - len(text) - len(',"pad":""')
        req["pad"] = "p" * pad
        line = json.dumps(req, separators=(",", ":"))
        self.assertLessEqual(len(line), 16384)
        c.send(line + "\r\n")
        self.assertEqual(c.recv()["id"], 5)

    def test_thousand_requests_on_one_connection(self):
        c = self.connect("gw")
        for i in range(1000):
            if i % 3 == 0:
                c.send("not json\n")
                self.assertError(c.recv(), -32700)
            elif i % 3 == 1:
                r = self.assertResult(c.call("lookup", LOOKUP))
                self.assertEqual(r["status"], "affected")
            else:
                self.assertError(c.call("lookup", {"phone": "1"}), -32602)


class TestLimits(HotlineTest):
    dd_kwargs = {"limits": {"idle_timeout_s": 1, "max_connections": 3}}

    def test_idle_connection_closed(self):
        c = self.connect()
        self.assertTrue(c.at_eof(wait=5))
        self.assertIn("idle timeout", self.d.log())

    def test_max_connections(self):
        cs = [self.connect() for _ in range(3)]
        for c in cs:
            self.assertEqual(c.call("ping")["result"], "pong")
        extra = self.connect()
        self.assertTrue(extra.at_eof(wait=5))
        self.assertIn("limits.max_connections", self.d.log())
        cs[0].close()
        self._conns.remove(cs[0])
        # A freed slot is usable again once the close is seen.
        import time
        deadline = time.monotonic() + 5
        while True:
            c = self.connect()
            try:
                if c.call("ping")["result"] == "pong":
                    break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


class TestHostileClients(HotlineTest):
    dd_kwargs = {"limits": {"max_line": 256, "idle_timeout_s": 2,
                            "max_output": 65536}}

    def test_half_close_still_gets_every_answer(self):
        import socket
        c = self.connect("gw")
        n = 300
        c.send("".join(json.dumps(c.request("lookup", LOOKUP, id=i)) + "\n"
                       for i in range(n)))
        c.sock.shutdown(socket.SHUT_WR)
        ids = [c.recv()["id"] for _ in range(n)]
        self.assertEqual(ids, list(range(n)))
        self.assertTrue(c.at_eof())

    def test_slow_reader_gets_every_answer_whole_and_in_order(self):
        # Answers go to the socket at once; what it does not take waits
        # in the output, and later answers queue behind it. A reader with
        # a small buffer that pauses, then reads a little at a time, sees
        # each answer once, whole, in order.
        import socket
        import threading
        import time
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", self.d.port))
        role, token = CLIENTS["gw"]
        lines = [json.dumps({"jsonrpc": "2.0", "id": 0, "method": "hello",
                             "params": {"client": "gw", "token": token}})]
        n = 8000
        for i in range(1, n + 1):
            if i % 4 == 0:
                lines.append('{"jsonrpc":"2.0","id":%d,"method":"ping"}' % i)
            elif i % 4 == 1:
                lines.append('{"jsonrpc":"2.0","id":%d,"method":"lookup",'
                             '"params":{"phone":"1"}}' % i)
            else:
                lines.append(json.dumps({"jsonrpc": "2.0", "id": i,
                                         "method": "lookup",
                                         "params": LOOKUP}))
        blob = ("\n".join(lines) + "\n").encode()
        sender = threading.Thread(target=s.sendall, args=(blob,))
        sender.start()
        time.sleep(0.3)
        s.settimeout(10)
        chunks, nl, reads = [], 0, 0
        while nl < n + 1:
            got = s.recv(512)
            self.assertTrue(got, "closed after %d answers" % nl)
            chunks.append(got)
            nl += got.count(b"\n")
            reads += 1
            if reads % 16 == 0:
                time.sleep(0.001)
        sender.join()
        s.close()
        buf = b"".join(chunks)
        answers = [json.loads(x) for x in buf.split(b"\n")[:n + 1]]
        self.assertEqual([a["id"] for a in answers], list(range(n + 1)))
        for a in answers[1:]:
            i = a["id"]
            if i % 4 == 0:
                self.assertEqual(a["result"], "pong")
            elif i % 4 == 1:
                self.assertEqual(a["error"]["code"], -32602)
            else:
                self.assertEqual(a["result"]["status"], "affected")

    def test_crlf_split_at_the_limit(self):
        import time
        c = self.connect("gw")
        req = c.request("ping", id=1)
        line = json.dumps(req, separators=(",", ":"))
        line = line[:-1] + ',"p":"' + "x" * (256 - len(line) - 7) + '"}'
        self.assertEqual(len(line), 256)
        c.send(line + "\r")
        time.sleep(0.3)
        c.send("\n")
        self.assertEqual(c.recv()["id"], 1)

    def test_repeated_failed_hellos_close_the_connection(self):
        c = self.connect()
        for _ in range(2):
            self.assertError(c.call("hello", {"client": "gw",
                                              "token": "guess"}), -32001)
        self.assertError(c.call("hello", {"client": "gw", "token": "guess"}),
                         -32001)
        self.assertTrue(c.at_eof())

    def test_client_that_does_not_read_is_closed(self):
        import socket
        import time
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", self.d.port))
        s.setblocking(False)
        ping = (json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}) +
                "\n").encode() * 200
        deadline = time.monotonic() + 15
        closed = False
        while time.monotonic() < deadline and not closed:
            try:
                s.send(ping)
            except BlockingIOError:
                time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
            if "write timeout" in self.d.log():
                closed = True
        s.close()
        self.assertTrue(closed, self.d.log()[-2000:])
        self.assertIn("write timeout", self.d.log())
