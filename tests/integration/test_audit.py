"""The audit log (SPEC §7): one entry per authenticated request (and per
hello), masked arguments, the SHA-256 hash chain, hotlinectl audit verify
and audit.verify on an untouched, an edited, a gapped and a truncated log,
checkpoints, and the entry committed with the inquiry it reports."""
import hashlib
import json
import os
import re
import signal
import sqlite3
import struct
import subprocess
import time

from harness import CLIENTS, Daemon, HotlineTest, ctl

AUDIT_COLS = "id, time, client, role, method, outcome, args, hash"


def audit_rows(dd):
    db = sqlite3.connect(os.path.join(dd.data, "hotline.db"))
    try:
        return db.execute(f"SELECT {AUDIT_COLS} FROM audit "
                          "ORDER BY id").fetchall()
    finally:
        db.close()


def args_of(row):
    """An entry's args, the names of params in sorted order."""
    args = json.loads(row[6])
    if isinstance(args.get("params"), list):
        args["params"] = sorted(args["params"])
    return args


def chain(rows):
    """The hashes of rows as docs/STORAGE.md and src/store_audit.c define
    them: SHA-256(prev || le64(id) || le64(time) || client NUL role NUL
    method NUL outcome NUL args NUL), from 32 zero bytes."""
    prev = bytes(32)
    out = []
    for r in rows:
        id_, t, client, role, method, outcome, args = r[:7]
        h = hashlib.sha256()
        h.update(prev)
        h.update(struct.pack("<qq", id_, t))
        for part in (client, role, method, outcome, args):
            h.update(part.encode() + b"\0")
        prev = h.digest()
        out.append(prev)
    return out


def sqlite_cli(dd, sql):
    """The sqlite3 command-line tool on hotline.db, as a tamperer would."""
    subprocess.run(["sqlite3", os.path.join(dd.data, "hotline.db"), sql],
                   check=True, timeout=60, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)


def checkpoints(log):
    return re.findall(r"audit checkpoint (\d+):([0-9a-f]{64})", log)


class AuditTest(HotlineTest):

    def verify(self, *extra):
        """hotlinectl audit verify: (exit status, stdout + stderr)."""
        p = ctl("audit", "-c", self.dd.conf, *extra, "verify", check=False)
        return p.returncode, p.stdout + p.stderr

    def assertVerifyOk(self, n, *extra):
        rc, out = self.verify(*extra)
        self.assertEqual(rc, 0, out)
        self.assertIn(f"audit log OK: {n:,} entries", out)
        return out

    def assertVerifyBroken(self, k, *extra):
        rc, out = self.verify(*extra)
        self.assertNotEqual(rc, 0, out)
        self.assertIn(f"audit log BROKEN at entry {k}:", out)
        return out

    def some_traffic(self):
        """A few requests of every kind; returns the number of entries
        they make."""
        gw = self.connect("gw")
        self.assertResult(gw.call("lookup", {"phone": "090-1111-2222",
                                             "birthdate": "1975-04-01"}))
        self.assertError(gw.call("lookup", {"phone": "090-1111-2222",
                                            "birthdate": "1975-02-30"}),
                         -32602)
        self.assertError(gw.call("stats.summary", {}), -32002)
        op = self.connect("op")
        self.assertResult(op.call("operator.search", {
            "kana": "やまだ たろう", "birthdate": "1975-04-01",
            "phone": "09011112222"}))
        sup = self.connect("sup")
        self.assertResult(sup.call("stats.summary", {}))
        return 8


class TestEntries(AuditTest):

    def test_every_authenticated_request(self):
        u = self.connect()
        # Not authenticated: not audited (but hello is).
        self.assertEqual(self.assertResult(u.call("ping")), "pong")
        self.assertError(u.call("lookup", {"phone": "09011112222",
                                           "birthdate": "1975-04-01"}),
                         -32001)
        self.assertError(u.call("stats.summary"), -32001)
        self.assertError(u.call("no.such.method"), -32601)
        self.assertEqual(audit_rows(self.dd), [])
        self.assertError(u.call("hello", {"client": "gw",
                                          "token": "wrong-token-0000"}),
                         -32001)
        self.assertError(u.call("hello", {"client": "nosuch",
                                          "token": "x"}), -32001)
        self.assertError(u.call("hello", {"client": "gw"}), -32602)
        u.hello("gw")
        self.assertEqual(self.assertResult(u.call("ping")), "pong")
        self.assertResult(u.call("lookup", {"phone": "090-1111-2222",
                                            "birthdate": "昭和50年4月1日"}))
        self.assertError(u.call("lookup", {"phone": "090-1111-2222",
                                           "birthdate": "1975-02-30"}),
                         -32602, "birthdate")
        self.assertError(u.call("lookup", {"phone": "090-1111-222",
                                           "birthdate": "1975-04-01"}),
                         -32602, "phone")
        self.assertError(u.call("operator.search", {
            "kana": "ヤマダ タロウ", "birthdate": "1975-04-01"}), -32002)
        self.assertError(u.call("call.begin", ["x"]), -32602, "params")
        # A notification is a request too.
        u.send(json.dumps({"jsonrpc": "2.0", "method": "lookup", "params": {
            "phone": "08033334444", "birthdate": "1970-12-03"}}) + "\n")
        # An authenticated client trying method names is audited.
        self.assertError(u.call("admin.dump", {"all": True}), -32601)
        self.assertError(u.call("山田 " + "x" * 100), -32601)
        op = self.connect("op")
        self.assertResult(op.call("operator.search", {
            "kana": "スズキ ハナコ", "birthdate": "1970-12-03",
            "gender": "F", "postal_code": "150-0002"}))
        # A failed hello after a good one: unauthenticated again.
        self.assertError(op.call("hello", {"client": "op",
                                           "token": "bad"}), -32001)
        self.assertError(op.call("operator.search", {
            "kana": "スズキ ハナコ", "birthdate": "1970-12-03"}), -32001)
        rows = audit_rows(self.dd)
        got = [(r[2], r[3], r[4], r[5], args_of(r)) for r in rows]
        self.assertEqual(got, [
            ("-", "none", "hello", "-32001", {"client": "gw"}),
            ("-", "none", "hello", "-32001", {"client": "(unknown)"}),
            ("-", "none", "hello", "-32602", {"params": ["client"]}),
            ("gw", "gateway", "hello", "ok", {"client": "gw"}),
            # ping, a liveness probe, is not audited.
            ("gw", "gateway", "lookup", "ok", {"phone": "*******2222"}),
            ("gw", "gateway", "lookup", "-32602", {"phone": "*******2222"}),
            ("gw", "gateway", "lookup", "-32602",
             {"params": ["birthdate", "phone"]}),
            ("gw", "gateway", "operator.search", "-32002",
             {"params": ["birthdate", "kana"]}),
            ("gw", "gateway", "call.begin", "-32602", {"params": []}),
            ("gw", "gateway", "lookup", "ok", {"phone": "*******4444"}),
            ("gw", "gateway", "admin.dump", "-32601", {"params": ["all"]}),
            ("gw", "gateway", "(invalid)", "-32601", {"params": []}),
            ("op", "operator", "hello", "ok", {"client": "op"}),
            ("op", "operator", "operator.search", "ok",
             {"checked": ["gender", "postal_code"]}),
            ("-", "none", "hello", "-32001", {"client": "op"}),
        ])
        self.assertEqual([r[0] for r in rows], list(range(1, 16)))
        # No birthdate, full phone, name or token in any form.
        text = "\n".join(r[6] for r in rows)
        for needle in ("1975", "0401", "昭和", "09011112222", "090-1111",
                       "1111-2222", "08033334444", "1970", "ヤマダ",
                       "スズキ", "150-0002", "1500002", "wrong-token",
                       CLIENTS["gw"][1], "bad"):
            self.assertNotIn(needle, text)
        # Times are now-ish Unix seconds, in order.
        times = [r[1] for r in rows]
        self.assertEqual(times, sorted(times))

    def test_every_role_and_admin_methods(self):
        sup = self.connect("sup")
        self.assertResult(sup.call("stats.summary", {"from": "2026-01-01",
                                                     "to": "2026-01-02"}))
        self.assertResult(sup.call("alerts.list"))
        adm = self.connect("adm")
        r = self.assertResult(adm.call("admin.client_enable",
                                       {"client": "gw"}))
        self.assertEqual(r, {"client": "gw", "suspended": False})
        self.assertError(adm.call("admin.client_enable",
                                  {"client": "nosuch"}), -32602, "client")
        self.assertResult(adm.call("admin.reload"))
        self.assertResult(adm.call("audit.verify"))
        rows = audit_rows(self.dd)
        got = [(r[2], r[3], r[4], r[5], args_of(r)) for r in rows]
        self.assertEqual(got, [
            ("sup", "supervisor", "hello", "ok", {"client": "sup"}),
            ("sup", "supervisor", "stats.summary", "ok",
             {"from": "2026-01-01", "to": "2026-01-02"}),
            ("sup", "supervisor", "alerts.list", "ok", {"params": []}),
            ("adm", "admin", "hello", "ok", {"client": "adm"}),
            ("adm", "admin", "admin.client_enable", "ok", {"client": "gw"}),
            ("adm", "admin", "admin.client_enable", "-32602",
             {"params": ["client"]}),
            ("adm", "admin", "admin.reload", "ok", {"params": []}),
            ("adm", "admin", "audit.verify", "ok", {"params": []}),
        ])

    def test_chain_is_sha256_as_documented(self):
        self.some_traffic()
        self.d.stop()
        rows = audit_rows(self.dd)
        self.assertEqual(len(rows), 8)
        self.assertEqual([bytes(r[7]) for r in rows], chain(rows),
                         "the stored hashes are not the chain of "
                         "docs/STORAGE.md")
        for r in rows:
            self.assertIsInstance(r[7], bytes)
            self.assertEqual(len(r[7]), 32)
        # The checkpoint of the stop is the head.
        n, head = checkpoints(self.d.log())[-1]
        self.assertEqual((int(n), head), (8, chain(rows)[-1].hex()))


class TestVerify(AuditTest):

    def test_untouched_log(self):
        n = self.some_traffic()
        # While hotlined runs (WAL: readers do not block it).
        self.assertVerifyOk(n)
        self.d.stop()
        out = self.assertVerifyOk(n)
        cp = checkpoints(self.d.log())[-1]
        self.assertEqual(cp[0], str(n))
        self.assertIn(f"head {n}:{cp[1]}", out)
        self.assertVerifyOk(n, "--checkpoint", f"{cp[0]}:{cp[1]}")
        # A restart goes on with the chain.
        self.d = Daemon(self.dd)
        self.some_traffic()
        self.d.stop()
        self.assertVerifyOk(2 * n)
        self.assertVerifyOk(2 * n, "--checkpoint", f"{cp[0]}:{cp[1]}")
        rc, out = self.verify("--checkpoint", "12:zz")
        self.assertNotEqual(rc, 0)
        self.assertNotIn("OK", out)

    def test_empty_log(self):
        self.d.stop()
        self.assertVerifyOk(0)

    def test_edited_entry(self):
        self.some_traffic()
        self.d.stop()
        rows = audit_rows(self.dd)
        # The forbidden call: hidden as if it had gone through.
        k = [r[0] for r in rows if r[5] == "-32002"][0]
        self.assertEqual(k, 4)
        sqlite_cli(self.dd, f"UPDATE audit SET outcome = 'ok' WHERE id = {k}")
        out = self.assertVerifyBroken(k)
        self.assertIn(f"entry {k} ", out)
        # Put back, it verifies again.
        sqlite_cli(self.dd, f"UPDATE audit SET outcome = '-32002' "
                   f"WHERE id = {k}")
        self.assertVerifyOk(len(rows))
        # Any column counts.
        for sql in ("UPDATE audit SET args = '{}' WHERE id = 2",
                    "UPDATE audit SET time = time + 1 WHERE id = 2",
                    "UPDATE audit SET client = 'op' WHERE id = 2",
                    "UPDATE audit SET method = 'ping' WHERE id = 2",
                    "UPDATE audit SET hash = zeroblob(32) WHERE id = 2",
                    "UPDATE audit SET hash = hex(hash) WHERE id = 2"):
            sqlite_cli(self.dd, sql)
            out = self.assertVerifyBroken(2)
            self.assertIn("entry 2 ", out)
            db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
            db.execute("UPDATE audit SET time = ?, client = ?, role = ?, "
                       "method = ?, outcome = ?, args = ?, hash = ? "
                       "WHERE id = 2", rows[1][1:])
            db.commit()
            db.close()
            self.assertVerifyOk(len(rows))

    def test_deleted_entry(self):
        n = self.some_traffic()
        self.d.stop()
        sqlite_cli(self.dd, "DELETE FROM audit WHERE id = 5")
        out = self.assertVerifyBroken(5)
        self.assertIn("missing", out)
        self.assertEqual(len(audit_rows(self.dd)), n - 1)

    def test_rows_removed_from_the_end(self):
        dd_extra = self.some_traffic()
        self.d.stop()
        n, head = checkpoints(self.d.log())[-1]
        self.assertEqual(int(n), dd_extra)
        cp = f"{n}:{head}"
        self.assertVerifyOk(int(n), "--checkpoint", cp)
        sqlite_cli(self.dd, f"DELETE FROM audit WHERE id > {int(n) - 3}")
        # Without the checkpoint the shorter chain is consistent...
        self.assertVerifyOk(int(n) - 3)
        # ...with it, the truncation shows.
        out = self.assertVerifyBroken(int(n) - 2, "--checkpoint", cp)
        self.assertIn("removed from the end", out)

    def test_rebuilt_chain_is_caught_by_a_checkpoint(self):
        self.some_traffic()
        self.d.stop()
        n, head = checkpoints(self.d.log())[-1]
        # Edit entry 4 and rebuild every hash after it.
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
        db.execute("UPDATE audit SET outcome = 'ok' WHERE id = 4")
        rows = db.execute(f"SELECT {AUDIT_COLS} FROM audit ORDER BY id"
                          ).fetchall()
        for r, h in zip(rows, chain(rows)):
            db.execute("UPDATE audit SET hash = ? WHERE id = ?", (h, r[0]))
        db.commit()
        db.close()
        self.assertVerifyOk(int(n))
        out = self.assertVerifyBroken(int(n), "--checkpoint",
                                      f"{n}:{head}")
        self.assertIn("checkpoint", out)

    def test_periodic_checkpoints(self):
        self.d.stop()
        self.dd.write_conf(extra="audit = { checkpoint_every = 5; };")
        self.d = Daemon(self.dd)
        self.some_traffic()
        # At most one checkpoint a second: traffic a second apart.
        time.sleep(1.1)
        self.some_traffic()
        time.sleep(1.1)
        # Logged while running, at least every 5 entries.
        cps = checkpoints(self.d.own_log())
        self.assertGreaterEqual(len(cps), 2, self.d.own_log())
        ns = [int(n) for n, _ in cps]
        self.assertEqual(ns, sorted(ns))
        self.assertTrue(all(b - a >= 5 for a, b in zip(ns, ns[1:])), ns)
        self.assertGreaterEqual(ns[-1], 10)
        hashes = chain(audit_rows(self.dd))
        for n, h in cps:
            self.assertEqual(hashes[int(n) - 1].hex(), h)
        mid = cps[0]
        self.d.stop()
        self.assertVerifyOk(16, "--checkpoint", f"{mid[0]}:{mid[1]}")
        sqlite_cli(self.dd, f"DELETE FROM audit WHERE id >= {mid[0]}")
        self.assertVerifyBroken(int(mid[0]), "--checkpoint",
                                f"{mid[0]}:{mid[1]}")


class TestVerifyMethod(AuditTest):

    def test_same_answer_over_the_protocol(self):
        adm = self.connect("adm")
        self.some_traffic()
        r = self.assertResult(adm.call("audit.verify"))
        self.assertEqual(r["ok"], True)
        rc, out = self.verify()
        self.assertEqual(rc, 0, out)
        # The audit.verify request is now an entry too.
        n = len(audit_rows(self.dd))
        m = re.search(r"audit log OK: (\d+) entries, head (\d+):(\w+)", out)
        hashes = chain(audit_rows(self.dd))
        self.assertEqual(int(m.group(1)), n)
        self.assertEqual(m.group(3), hashes[n - 1].hex())
        self.assertEqual(r["entries"], n - 1)
        self.assertEqual(r["head"], hashes[n - 2].hex())
        self.assertNotIn("bad_entry", r)
        # With a checkpoint.
        cp = f"{r['entries']}:{r['head']}"
        r2 = self.assertResult(adm.call("audit.verify", {"checkpoint": cp}))
        self.assertEqual(r2["ok"], True)
        self.assertVerifyOk(n + 1, "--checkpoint", cp)
        # A checkpoint the log does not reach: the same answer both ways.
        cp = f"{n + 50}:{r['head']}"
        r2 = self.assertResult(adm.call("audit.verify", {"checkpoint": cp}))
        self.assertEqual(r2["ok"], False)
        self.assertEqual(r2["bad_entry"], n + 2)
        self.assertIn(f"ends at entry {n + 1} ", r2["reason"])
        self.assertIn("removed from the end", r2["reason"])
        # (one more entry since: that audit.verify request's own)
        out = self.assertVerifyBroken(n + 3, "--checkpoint", cp)
        self.assertIn(f"ends at entry {n + 2} ", out)
        self.assertIn("removed from the end", out)
        # A malformed checkpoint is a bad param.
        for bad in ("7", f"{n}:{r['head'][:-1]}", f"x:{r['head']}",
                    f"{n}:{r['head'].upper()}", 7):
            self.assertError(adm.call("audit.verify", {"checkpoint": bad}),
                             -32602, "checkpoint")
            if isinstance(bad, str):
                rc, out = self.verify("--checkpoint", bad)
                self.assertNotEqual(rc, 0)
                self.assertNotIn("OK", out)
        # Tampered while hotlined runs: the same entry, the same reason.
        sqlite_cli(self.dd, "UPDATE audit SET outcome = 'ok' WHERE id = 5")
        r = self.assertResult(adm.call("audit.verify"))
        self.assertEqual((r["ok"], r["bad_entry"]), (False, 5), r)
        out = self.assertVerifyBroken(5)
        self.assertIn(r["reason"], out)
        sqlite_cli(self.dd, "DELETE FROM audit WHERE id = 3")
        r = self.assertResult(adm.call("audit.verify"))
        self.assertEqual((r["ok"], r["bad_entry"]), (False, 3), r)
        out = self.assertVerifyBroken(3)
        self.assertIn(r["reason"], out)
        # Only the admin may ask.
        for client in ("gw", "op", "sup"):
            self.assertError(self.connect(client).call("audit.verify"),
                             -32002)


class TestDurability(AuditTest):

    def test_entry_committed_with_its_inquiry(self):
        gw = self.connect("gw")
        seen = []
        for i in range(30):
            r = self.assertResult(gw.call("lookup", {
                "phone": "08033334444", "birthdate": "1970-12-03"}))
            seen.append(r["inquiry"])
        self.d.signal(signal.SIGKILL)
        self.d.proc.wait(10)
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
        ids = [x[0] for x in db.execute("SELECT id FROM inquiry")]
        lookups = db.execute("SELECT count(*) FROM audit WHERE method = "
                             "'lookup' AND outcome = 'ok'").fetchone()[0]
        db.close()
        self.assertEqual(sorted(ids), sorted(seen))
        self.assertEqual(lookups, 30)
        self.assertVerifyOk(len(audit_rows(self.dd)))
        # The next start goes on with the chain.
        self.d = Daemon(self.dd)
        gw = self.connect("gw")
        self.assertResult(gw.call("lookup", {"phone": "08033334444",
                                             "birthdate": "1970-12-03"}))
        self.d.stop()
        self.assertVerifyOk(len(audit_rows(self.dd)))
        self.assertEqual(len(audit_rows(self.dd)), 31 + 2)


def long_log(dd, n):
    """Appends n valid entries to hotline.db's audit log (hotlined
    stopped): a log as long as months of calls make it."""
    db = sqlite3.connect(os.path.join(dd.data, "hotline.db"))
    try:
        rows = db.execute(f"SELECT {AUDIT_COLS} FROM audit ORDER BY id"
                          ).fetchall()
        prev = rows[-1][7] if rows else bytes(32)
        first = len(rows) + 1
        now = int(time.time())
        new = []
        for i in range(first, first + n):
            r = (i, now, "gw", "gateway", "lookup", "ok",
                 '{"params":["birthdate","phone"]}')
            h = hashlib.sha256(prev + struct.pack("<qq", i, now) +
                               b"".join(p.encode() + b"\0" for p in r[2:]))
            prev = h.digest()
            new.append(r + (prev,))
        db.executemany("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       new)
        db.commit()
        return first + n - 1
    finally:
        db.close()


class TestVerifyOffTheLoop(AuditTest):
    """audit.verify reads and hashes the whole log: on a thread of its
    own, while the loop answers everyone else; its answer keeps its place
    among the connection's answers."""

    def setUp(self):
        super().setUp()
        self.lengthen(100000)

    def lengthen(self, entries):
        self.d.stop()
        self.n = long_log(self.dd, entries)
        self.d = Daemon(self.dd)

    def verify_request(self, conn, id):
        conn.send(json.dumps(conn.request("audit.verify", {}, id)) + "\n")

    def test_others_are_answered_meanwhile(self):
        # Long enough that the loop, had it read the log, would have
        # kept the others waiting well past the bound below.
        self.lengthen(1500000)
        adm = self.connect("adm")
        gw = self.connect("gw")
        n = self.n + 1      # adm's hello
        t0 = time.monotonic()
        self.verify_request(adm, 900)
        worst, pings = 0.0, 0
        adm.sock.setblocking(False)
        while True:
            try:
                chunk = adm.sock.recv(65536)
            except BlockingIOError:
                chunk = None
            if chunk == b"":
                self.fail("hotlined closed the connection")
            if chunk:
                adm.buf += chunk
                if b"\n" in adm.buf:
                    break
            p0 = time.monotonic()
            self.assertEqual(gw.call("ping")["result"], "pong")
            self.assertResult(gw.call("lookup", {
                "phone": "08033334444", "birthdate": "1970-12-03"}))
            worst = max(worst, time.monotonic() - p0)
            pings += 1
        took = time.monotonic() - t0
        adm.sock.setblocking(True)
        r = adm.recv()
        self.assertEqual(r["id"], 900)
        self.assertTrue(r["result"]["ok"], r)
        # A snapshot: all before the ask, perhaps some of gw's since.
        self.assertGreaterEqual(r["result"]["entries"], n, r)
        self.assertLessEqual(r["result"]["entries"], n + 1 + 2 * pings, r)
        # Meaningful only if the verify took long enough to block.
        self.assertGreater(took, 0.3, "the log is too short to show it")
        self.assertGreater(pings, 3)
        self.assertLess(worst, 0.1, (worst, took))
        print(f"\n  audit.verify of {n:,} entries: {took:.2f} s; "
              f"{pings} pings and lookups meanwhile, the slowest "
              f"{worst * 1000:.1f} ms", end=" ")

    def test_answers_in_order(self):
        adm = self.connect("adm")
        # Pipelined on one connection: the verify's answer first.
        self.verify_request(adm, 1)
        adm.send(json.dumps(adm.request("ping", None, 2)) + "\n")
        self.assertEqual(adm.recv()["id"], 1)
        self.assertEqual(adm.recv(), {"jsonrpc": "2.0", "id": 2,
                                      "result": "pong"})
        # In a batch: one line, in the order asked.
        adm.send(json.dumps([adm.request("ping", None, "a"),
                             adm.request("audit.verify", {}, "b"),
                             adm.request("ping", None, "c"),
                             adm.request("audit.verify", {}, "d")]) + "\n")
        batch = adm.recv()
        self.assertEqual([x["id"] for x in batch], ["a", "b", "c", "d"])
        self.assertTrue(batch[1]["result"]["ok"] and
                        batch[3]["result"]["ok"], batch)
        # A notification is done and audited, and says nothing.
        adm.send('{"jsonrpc":"2.0","method":"audit.verify"}\n')
        self.assertEqual(adm.call("ping", id=3)["id"], 3)
        self.d.stop()
        rows = [r for r in audit_rows(self.dd) if r[4] == "audit.verify"]
        self.assertEqual([r[5] for r in rows], ["ok"] * 4, rows)

    def test_asker_gone_and_stop(self):
        adm = self.connect("adm")
        self.verify_request(adm, 1)
        adm.close()
        # The next one is answered; the first went nowhere.
        adm = self.connect("adm")
        self.verify_request(adm, 2)
        self.assertTrue(adm.recv()["result"]["ok"])
        # SIGTERM while one runs: it is answered, then the exit is clean.
        self.verify_request(adm, 3)
        time.sleep(0.05)
        self.d.signal(signal.SIGTERM)
        r = adm.recv()
        self.assertEqual(r["id"], 3)
        self.assertTrue(r["result"]["ok"], r)
        self.assertTrue(adm.at_eof(10))
        self.d.stop()
        self.assertVerifyOk(len(audit_rows(self.dd)))
