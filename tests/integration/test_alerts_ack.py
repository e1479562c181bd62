"""Alert review (SPEC §6.2 alerts.ack, alerts.list {unacked}): a supervisor
records that a bulk-lookup alert was looked at and what was found; the
list shows who, when and the note; a second ack, an unknown id and a bad
note are refused and change nothing; the role is checked first; every ack
is audited with the alert id and without the note's text; hotline.db of
schema version 2 is upgraded in place; hotlinectl alerts."""
import datetime
import json
import os
import sqlite3
import subprocess
import zoneinfo

from harness import CLIENTS, Daemon, HotlineTest, binary, ctl

TZ = zoneinfo.ZoneInfo("Asia/Tokyo")
NOTE = "Checked with the vendor: a scheduled reconciliation job, agreed."
ALERT_KEYS = {"id", "time", "client", "role", "kind", "count", "window_s",
              "suspended", "acked_by", "acked_at", "note"}

# hotline.db as schema version 2 made it (before alerts were acked).
SCHEMA_V2 = """
CREATE TABLE inquiry (id INTEGER PRIMARY KEY, time INTEGER NOT NULL,
  channel TEXT NOT NULL, client TEXT NOT NULL, outcome TEXT NOT NULL,
  duration_s INTEGER, completed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX inquiry_time ON inquiry(time);
CREATE TABLE inquiry_org (inquiry INTEGER NOT NULL, org TEXT NOT NULL,
  PRIMARY KEY (inquiry, org)) WITHOUT ROWID;
CREATE TABLE caller_lookup (caller INTEGER NOT NULL, time INTEGER NOT NULL);
CREATE INDEX caller_lookup_caller ON caller_lookup(caller, time);
CREATE TABLE audit (id INTEGER PRIMARY KEY, time INTEGER NOT NULL,
  client TEXT NOT NULL, role TEXT NOT NULL, method TEXT NOT NULL,
  outcome TEXT NOT NULL, args TEXT NOT NULL, hash BLOB NOT NULL);
CREATE TABLE alert (id INTEGER PRIMARY KEY, time INTEGER NOT NULL,
  client TEXT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL,
  count INTEGER NOT NULL, window_s INTEGER NOT NULL,
  suspended INTEGER NOT NULL);
CREATE INDEX alert_time ON alert(time);
CREATE TABLE client_state (client TEXT PRIMARY KEY,
  suspended INTEGER NOT NULL, since INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE stat_inquiry (bucket INTEGER NOT NULL, channel TEXT NOT NULL,
  outcome TEXT NOT NULL, n INTEGER NOT NULL, dur_n INTEGER NOT NULL,
  dur_sum INTEGER NOT NULL, PRIMARY KEY (bucket, channel, outcome))
  WITHOUT ROWID;
CREATE TABLE stat_day (day INTEGER NOT NULL, channel TEXT NOT NULL,
  outcome TEXT NOT NULL, n INTEGER NOT NULL, dur_n INTEGER NOT NULL,
  dur_sum INTEGER NOT NULL, PRIMARY KEY (day, channel, outcome))
  WITHOUT ROWID;
CREATE TABLE stat_org (day INTEGER NOT NULL, org TEXT NOT NULL,
  n INTEGER NOT NULL, affected INTEGER NOT NULL, PRIMARY KEY (day, org))
  WITHOUT ROWID;
CREATE TABLE stat_client (day INTEGER NOT NULL, client TEXT NOT NULL,
  role TEXT NOT NULL, inquiries INTEGER NOT NULL, lookups INTEGER NOT NULL,
  searches INTEGER NOT NULL, PRIMARY KEY (day, client, role)) WITHOUT ROWID;
CREATE TABLE stat_sessions (bucket INTEGER PRIMARY KEY,
  peak INTEGER NOT NULL);
"""


def db_path(dd):
    return os.path.join(dd.data, "hotline.db")


def db_query(dd, sql, args=()):
    db = sqlite3.connect(db_path(dd))
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def lookup(conn):
    return conn.call("lookup", {"phone": "09011112222",
                                "birthdate": "1975-04-01"})


class AlertTest(HotlineTest):
    dd_kwargs = {"alerts": {"threshold": 3, "window_s": 60}}

    def raise_alert(self, conn):
        """Four lookups: one over the threshold, one alert."""
        for _ in range(4):
            self.assertResult(lookup(conn))

    def alerts(self, conn, **params):
        return self.assertResult(conn.call("alerts.list", params))["alerts"]


class TestAck(AlertTest):

    def test_ack_lists_and_audits(self):
        sup = self.connect("sup")
        self.raise_alert(self.connect("gw"))
        alerts = self.alerts(sup)
        self.assertEqual(len(alerts), 1)
        a = alerts[0]
        self.assertEqual(set(a), ALERT_KEYS)
        self.assertEqual((a["client"], a["acked_by"], a["acked_at"],
                          a["note"]), ("gw", None, None, None))
        self.assertEqual(self.alerts(sup, unacked=True), alerts)
        before = datetime.datetime.now(TZ).replace(microsecond=0)
        r = self.assertResult(sup.call("alerts.ack", {"id": a["id"],
                                                      "note": NOTE}))
        self.assertEqual(set(r), {"id", "acked_by", "acked_at"})
        self.assertEqual((r["id"], r["acked_by"]), (a["id"], "sup"))
        t = datetime.datetime.fromisoformat(r["acked_at"])
        self.assertEqual(t.utcoffset(), datetime.timedelta(hours=9))
        self.assertLessEqual(before, t)
        self.assertLessEqual(t, datetime.datetime.now(TZ))
        acked = self.alerts(sup)
        self.assertEqual(len(acked), 1)
        want = dict(a, acked_by="sup", acked_at=r["acked_at"], note=NOTE)
        self.assertEqual(acked[0], want)
        self.assertEqual(self.alerts(sup, unacked=True), [])
        self.assertEqual(self.alerts(sup, unacked=False), acked)
        self.assertEqual(self.alerts(sup, unacked=None), acked)
        self.assertEqual(self.alerts(sup, since=a["time"], unacked=True),
                         [])
        # Once only; an unknown id gets the same answer.
        e1 = self.assertError(sup.call("alerts.ack", {
            "id": a["id"], "note": "again"}), -32602, "id")
        e2 = self.assertError(sup.call("alerts.ack", {
            "id": 999, "note": "none such"}), -32602, "id")
        self.assertEqual(e1, e2)
        self.assertEqual(self.alerts(sup), acked)
        # A second alert, acked by the admin.
        self.raise_alert(self.connect("gw2"))
        open_ = self.alerts(sup, unacked=True)
        self.assertEqual([x["client"] for x in open_], ["gw2"])
        self.assertEqual(len(self.alerts(sup)), 2)
        adm = self.connect("adm")
        r2 = self.assertResult(adm.call("alerts.ack", {
            "id": open_[0]["id"], "note": "同じく確認済み。業者の定期処理。"}))
        self.assertEqual(r2["acked_by"], "adm")
        self.assertEqual(self.alerts(sup, unacked=True), [])
        self.assertEqual(self.alerts(sup)[1]["note"],
                         "同じく確認済み。業者の定期処理。")
        # Audited: the alert id, never the note.
        rows = db_query(self.dd, "SELECT client, role, outcome, args FROM "
                        "audit WHERE method = 'alerts.ack' ORDER BY id")
        self.assertEqual(rows, [
            ("sup", "supervisor", "ok", json.dumps({"id": a["id"]},
                                                   separators=(",", ":"))),
            ("sup", "supervisor", "-32602", '{"id":%d}' % a["id"]),
            ("sup", "supervisor", "-32602", '{"id":999}'),
            ("adm", "admin", "ok", '{"id":%d}' % open_[0]["id"])])
        for (args,) in db_query(self.dd, "SELECT args FROM audit"):
            self.assertNotIn("vendor", args)
            self.assertNotIn("業者", args)
        # Kept across a restart.
        self.d.stop()
        self.d = Daemon(self.dd)
        got = self.alerts(self.connect("sup"))
        self.assertEqual(got[0], want)
        self.assertEqual(got[1]["acked_by"], "adm")
        p = ctl("audit", "-c", self.dd.conf, "verify")
        self.assertIn("audit log OK", p.stdout)

    def test_bad_params_change_nothing(self):
        sup = self.connect("sup")
        self.raise_alert(self.connect("gw"))
        aid = self.alerts(sup)[0]["id"]
        for params in ({"note": NOTE}, {"id": None, "note": NOTE},
                       {"id": str(aid), "note": NOTE},
                       {"id": 0, "note": NOTE}, {"id": -1, "note": NOTE},
                       {"id": 1.5, "note": NOTE}, {"id": True, "note": NOTE},
                       {"id": [aid], "note": NOTE}):
            self.assertError(sup.call("alerts.ack", params), -32602, "id")
        for note in (None, "", "   ", "\n\t ", "x" * 501, "あ" * 501, 12,
                     ["a"], "bell\x07", "esc\x1b[2J", "bidi\u202e",
                     "caller 090-1234-5678 again", "(03)1234-5678",
                     "０９０１２３４５６７８", "+81 3-1234-5678x",
                     "ticket 4711 0312345678", "090 1234 5678"):
            params = {"id": aid}
            if note is not None:
                params["note"] = note
            self.assertError(sup.call("alerts.ack", params), -32602,
                             "note")
        self.assertError(sup.call("alerts.ack", []), -32602, "params")
        self.assertError(sup.call("alerts.list", {"unacked": "yes"}),
                         -32602, "unacked")
        self.assertError(sup.call("alerts.list", {"unacked": 1}), -32602,
                         "unacked")
        a = self.alerts(sup)[0]
        self.assertEqual((a["acked_by"], a["acked_at"], a["note"]),
                         (None, None, None))
        self.assertEqual(db_query(self.dd, "SELECT count(*) FROM alert "
                                  "WHERE acked_at IS NOT NULL"), [(0,)])
        # No refused note reached the audit log either.
        for (args,) in db_query(self.dd, "SELECT args FROM audit WHERE "
                                "method = 'alerts.ack'"):
            self.assertNotIn("1234", args)
            self.assertNotIn("bell", args)
        # The longest note, in characters not bytes, and dates are prose.
        long_note = "確" * 500
        self.assertResult(sup.call("alerts.ack", {"id": aid,
                                                  "note": long_note}))
        self.assertEqual(self.alerts(sup)[0]["note"], long_note)
        self.raise_alert(self.connect("gw2"))
        aid2 = self.alerts(sup, unacked=True)[0]["id"]
        note = "Logs of 2026-11-26 09:00-10:00 read;\nno leak, see 4711."
        self.assertResult(sup.call("alerts.ack", {"id": aid2,
                                                  "note": note}))
        self.assertEqual(self.alerts(sup)[1]["note"], note)

    def test_roles(self):
        self.raise_alert(self.connect("gw"))
        aid = self.alerts(self.connect("sup"))[0]["id"]
        for client in ("gw", "op"):
            c = self.connect(client)
            # The role first: the same refusal whatever the params.
            for params in ({"id": aid, "note": NOTE}, {}, {"id": "x"}):
                e = self.assertError(c.call("alerts.ack", params), -32002)
                self.assertEqual(e["data"]["role"], CLIENTS[client][0])
        anon = self.connect()
        self.assertError(anon.call("alerts.ack", {"id": aid, "note": NOTE}),
                         -32001)
        a = self.alerts(self.connect("sup"))[0]
        self.assertIsNone(a["acked_by"])
        rows = db_query(self.dd, "SELECT client, outcome FROM audit WHERE "
                        "method = 'alerts.ack' ORDER BY id")
        self.assertEqual(rows, [("gw", "-32002")] * 3 +
                         [("op", "-32002")] * 3)

    def test_same_turn_double_ack(self):
        """Two acks of one alert in one batch: the first wins."""
        sup = self.connect("sup")
        self.raise_alert(self.connect("gw"))
        aid = self.alerts(sup)[0]["id"]
        batch = [sup.request("alerts.ack", {"id": aid, "note": "first"}),
                 sup.request("alerts.ack", {"id": aid, "note": "second"})]
        sup.send(json.dumps(batch) + "\n")
        r = sup.recv()
        self.assertIn("result", r[0])
        self.assertEqual(r[1]["error"]["data"]["field"], "id")
        self.assertEqual(self.alerts(sup)[0]["note"], "first")


class TestHotlinectlAlerts(AlertTest):

    def ctl_alerts(self, *args, check=True, client="sup"):
        env = dict(os.environ, HOTLINE_CLIENT=client,
                   HOTLINE_TOKEN=CLIENTS[client][1])
        return ctl("alerts", "--port", self.d.port, *args, env=env,
                   check=check)

    def test_list_ack_json(self):
        sup = self.connect("sup")
        out = self.ctl_alerts().stdout
        self.assertEqual(len(out.splitlines()), 1)   # the header only
        self.raise_alert(self.connect("gw"))
        a = self.alerts(sup)[0]
        out = self.ctl_alerts().stdout
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out)
        self.assertRegex(lines[1], r"^\s+%d\s+%s\s+gw \(gateway\)\s+4\s+60"
                         r"\s+OPEN$" % (a["id"], a["time"].replace("+",
                                                                   r"\+")))
        self.assertEqual(self.ctl_alerts("--unacked").stdout, out)
        p = self.ctl_alerts("--ack", a["id"], "--note", NOTE)
        self.assertRegex(p.stdout, r"^alert %d acknowledged by sup at "
                         r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00\n$" %
                         a["id"])
        out = self.ctl_alerts().stdout
        lines = out.splitlines()
        self.assertEqual(len(lines), 4, out)
        self.assertTrue(lines[1].endswith("acked"), lines[1])
        self.assertIn("acked by sup at ", lines[2])
        self.assertEqual(lines[3].strip(), "note: " + NOTE)
        for line in lines:
            self.assertLessEqual(len(line), 80, line)
        self.assertEqual(len(self.ctl_alerts("--unacked").stdout
                             .splitlines()), 1)
        listed = json.loads(self.ctl_alerts("--format", "json").stdout)
        self.assertEqual(listed, {"alerts": self.alerts(sup)})
        # A long note is cut to the terminal in the table, whole in JSON.
        self.raise_alert(self.connect("gw2"))
        b = self.alerts(sup, unacked=True)[0]
        long_note = "line one\nline two " + "x" * 300
        r = json.loads(self.ctl_alerts("--ack", b["id"], "--note", long_note,
                                       "--format", "json").stdout)
        self.assertEqual((r["id"], r["acked_by"]), (b["id"], "sup"))
        out = self.ctl_alerts().stdout
        for line in out.splitlines():
            self.assertLessEqual(len(line), 80, line)
        self.assertIn("note: line one line two xxx", out)
        self.assertEqual(self.alerts(sup)[1]["note"], long_note)

    def test_errors(self):
        self.raise_alert(self.connect("gw"))
        aid = self.alerts(self.connect("sup"))[0]["id"]
        for args in (("--ack", aid), ("--note", "x"), ("--ack", "x",
                     "--note", "x"), ("--ack", "0", "--note", "x"),
                     ("--format", "csv"), ("--ack", aid, "--note", "x",
                                           "--unacked"), ("extra",)):
            p = self.ctl_alerts(*args, check=False)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
        p = self.ctl_alerts("--ack", aid, "--note", "", check=False)
        self.assertEqual(p.returncode, 3)
        self.assertIn("note", p.stderr)
        # An operator cannot ack: named before anything is sent.
        p = self.ctl_alerts("--ack", aid, "--note", "ok", client="op",
                            check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("op", p.stderr)
        self.ctl_alerts("--ack", aid, "--note", "ok")
        p = self.ctl_alerts("--ack", aid, "--note", "again", check=False)
        self.assertEqual(p.returncode, 3)
        self.assertIn("id: not an open alert", p.stderr)


class TestSchemaUpgrade(AlertTest):
    start_daemon = False

    def write_v2(self, rows=()):
        os.makedirs(self.dd.data, exist_ok=True)
        db = sqlite3.connect(db_path(self.dd))
        db.executescript(SCHEMA_V2)
        db.executemany("INSERT INTO alert (time, client, role, kind, count, "
                       "window_s, suspended) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       rows)
        db.execute("PRAGMA user_version = 2")
        db.commit()
        db.close()

    def test_v2_file_from_its_schema(self):
        self.write_v2([(1764100000, "gw", "gateway", "bulk_lookup", 9, 3600,
                        0)])
        # hotlinectl reads only, and says what to do.
        p = ctl("audit", "-c", self.dd.conf, "verify", check=False)
        self.assertEqual(p.returncode, 3)
        self.assertIn("schema version 2, this hotline uses 3 (hotlined "
                      "upgrades it when it starts)", p.stderr)
        self.d = Daemon(self.dd)
        self.assertIn("schema version 2 upgraded to 3", self.d.own_log())
        self.assertEqual(db_query(self.dd, "PRAGMA user_version"), [(3,)])
        sup = self.connect("sup")
        a = self.alerts(sup)
        self.assertEqual([(x["client"], x["count"], x["acked_by"],
                           x["note"]) for x in a], [("gw", 9, None, None)])
        self.assertEqual(self.alerts(sup, unacked=True), a)
        self.assertResult(sup.call("alerts.ack", {"id": a[0]["id"],
                                                  "note": NOTE}))
        self.d.stop()
        self.d = Daemon(self.dd)
        self.assertNotIn("upgraded", self.d.own_log())
        self.assertEqual(self.alerts(self.connect("sup"))[0]["note"], NOTE)
        self.assertIn("audit log OK",
                      ctl("audit", "-c", self.dd.conf, "verify").stdout)

    def test_v2_file_with_history(self):
        """A file with inquiries, alerts and an audit chain, taken back to
        version 2: the upgrade keeps every row and the chain."""
        self.d = Daemon(self.dd)
        self.raise_alert(self.connect("gw"))
        sup = self.connect("sup")
        summary = self.assertResult(sup.call("stats.summary"))
        self.d.stop()
        db = sqlite3.connect(db_path(self.dd))
        for col in ("acked_by", "acked_at", "note"):
            db.execute(f"ALTER TABLE alert DROP COLUMN {col}")
        db.execute("PRAGMA user_version = 2")
        db.commit()
        db.close()
        audit = db_query(self.dd, "SELECT * FROM audit ORDER BY id")
        self.d = Daemon(self.dd)
        self.assertIn("upgraded to 3", self.d.own_log())
        self.assertEqual(db_query(self.dd, "SELECT * FROM audit WHERE "
                                  f"id <= {len(audit)} ORDER BY id"), audit)
        sup = self.connect("sup")
        got = self.assertResult(sup.call("stats.summary"))
        for k in ("inquiries", "by_outcome", "by_client", "alerts"):
            self.assertEqual(got[k] if k != "by_client" else
                             [c for c in got[k] if c["client"] == "gw"],
                             summary[k] if k != "by_client" else
                             [c for c in summary[k] if c["client"] == "gw"],
                             k)
        a = self.alerts(sup, unacked=True)
        self.assertEqual(len(a), 1)
        self.assertResult(sup.call("alerts.ack", {"id": a[0]["id"],
                                                  "note": NOTE}))
        self.d.stop()
        self.d = None
        self.assertIn("audit log OK",
                      ctl("audit", "-c", self.dd.conf, "verify").stdout)

    def test_other_versions_refused(self):
        for version in (1, 99):
            if os.path.exists(db_path(self.dd)):
                os.remove(db_path(self.dd))
            self.write_v2()
            db = sqlite3.connect(db_path(self.dd))
            db.execute(f"PRAGMA user_version = {version}")
            db.commit()
            db.close()
            p = subprocess.run([binary("hotlined"), "-c", self.dd.conf],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(f"schema version {version}, this hotline uses 3",
                          p.stdout)
            self.assertNotIn("upgrades it", p.stdout)
            self.assertEqual(db_query(self.dd, "PRAGMA user_version"),
                             [(version,)])
