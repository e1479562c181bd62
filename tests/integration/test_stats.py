"""Supervisor statistics (SPEC §6.2 stats.*, alerts.list), bulk-lookup
detection and suspension (SPEC §7), the per-client rate limit, and
hotlinectl stats. One scripted mix of IVR calls, lookups, searches and
operator records, and every number of stats.summary and stats.hourly
checked against it."""
import csv
import datetime
import io
import json
import os
import sqlite3
import time
import unicodedata
import zoneinfo

from harness import CLIENTS, Daemon, HotlineTest, ctl
from test_ivr import Call

TZ = zoneinfo.ZoneInfo("Asia/Tokyo")
OUTCOMES = ["affected", "not_found", "invalid_input", "transferred",
            "out_of_hours", "rate_limited", "abandoned"]
ORG_NAMES = {"komorebi": "こもれび市", "sakura-tel": "さくら通信株式会社",
             "aoba-kokuho": "あおば県国民健康保険団体連合会"}


def tokyo_now():
    return datetime.datetime.now(TZ)


def wait_clear_of_hour(margin_s=90):
    """Sleeps past the next hour if it is near: the mix must fall into
    one hour (and one day) of Asia/Tokyo."""
    now = tokyo_now()
    left = 3600 - (now.minute * 60 + now.second)
    if left < margin_s:
        time.sleep(left + 1)


def outcomes(**kw):
    d = {o: 0 for o in OUTCOMES}
    d.update(kw)
    return d


def db_query(dd, sql, args=()):
    db = sqlite3.connect(os.path.join(dd.data, "hotline.db"))
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def display_width(s):
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
               for ch in s)


class StatsTest(HotlineTest):

    def run_mix(self):
        """The scripted mix; returns what stats.summary must say."""
        wait_clear_of_hour()
        self.mix_date = tokyo_now().date().isoformat()
        self.mix_hour = tokyo_now().hour
        gw = self.connect("gw")
        # Three calls open at once: the peak.
        c1 = Call(self, gw, call_id="mix-1", ani="090-1111-2222")
        c2 = Call(self, gw, call_id="mix-2", ani="08033334444")
        c3 = Call(self, gw, call_id="mix-3", ani="anonymous")
        c1.input("19750401")
        c1.input("9")
        self.assertEqual(c1.end()["outcome"], "affected")
        c2.input("19701204")
        c2.input("9")
        self.assertEqual(c2.end()["outcome"], "not_found")
        self.assertEqual(c3.end()["outcome"], "abandoned")
        c4 = Call(self, gw, call_id="mix-4", ani="anonymous")
        for digits in ("1", "2", "3"):
            c4.input(digits)
        self.assertEqual(c4.end()["outcome"], "transferred")
        # Lookups by gateways and the admin (channel api).
        r = self.assertResult(gw.call("lookup", {
            "phone": "08033334444", "birthdate": "1970-12-03"}))
        self.assertEqual(len(r["matches"]), 2)
        r = self.assertResult(gw.call("lookup", {
            "phone": "09011112222", "birthdate": "1975-04-02"}))
        self.assertEqual(r["status"], "not_found")
        self.assertError(gw.call("lookup", {"phone": "x",
                                            "birthdate": "1975-04-02"}),
                         -32602, "phone")
        gw2 = self.connect("gw2")
        r = self.assertResult(gw2.call("lookup", {
            "phone": "03-1234-5678", "birthdate": "1950-01-15"}))
        self.unknown_name = r["matches"][0]["org"]["name"]
        adm = self.connect("adm")
        self.assertResult(adm.call("lookup", {
            "phone": "08033334444", "birthdate": "1970-12-03"}))
        # An operator: lookups, searches, records, completions.
        op = self.connect("op")
        l1 = self.assertResult(op.call("lookup", {
            "phone": "09055556666", "birthdate": "H1.1.8"}))
        self.assertEqual(l1["matches"][0]["org"]["code"], "aoba-kokuho")
        l2 = self.assertResult(op.call("lookup", {
            "phone": "09000000000", "birthdate": "1980-01-01"}))
        self.assertEqual(l2["status"], "not_found")
        self.assertResult(op.call("operator.search", {
            "kana": "やまだ たろう", "birthdate": "1975-04-01"}))
        suzuki = self.assertResult(op.call("operator.search", {
            "kana": "すずき はなこ", "birthdate": "1970-12-03",
            "gender": "F"}))["candidates"]
        takahashi = self.assertResult(op.call("operator.search", {
            "kana": "タカハシ キヨウコ", "birthdate": "1988-08-08"}))[
            "candidates"]
        self.assertError(op.call("operator.search", {
            "kana": "山田", "birthdate": "1975-04-01"}), -32602, "kana")
        self.assertEqual(suzuki[0]["org"]["code"], "komorebi")
        self.assertResult(op.call("inquiry.record", {
            "refs": [suzuki[0]["ref"]], "outcome": "affected",
            "duration_s": 120}))
        self.assertResult(op.call("inquiry.record", {
            "outcome": "not_found", "duration_s": 60}))
        self.assertResult(op.call("inquiry.record", {
            "outcome": "invalid_input"}))
        self.assertResult(op.call("inquiry.record", {
            "inquiry": l2["inquiry"], "refs": [takahashi[0]["ref"]],
            "outcome": "affected", "duration_s": 200}))
        self.assertResult(op.call("inquiry.record", {
            "inquiry": l1["inquiry"], "outcome": "transferred",
            "duration_s": 30}))
        op2 = self.connect("op2")
        self.assertResult(op2.call("operator.search", {
            "kana": "サトウ イチロウ", "birthdate": "1950-01-15"}))
        self.assertEqual(tokyo_now().hour, self.mix_hour)

        rows = db_query(self.dd, "SELECT duration_s FROM inquiry WHERE "
                        "duration_s IS NOT NULL")
        durations = [r[0] for r in rows]
        self.assertEqual(len(durations), 8)
        self.assertEqual(sorted(db_query(self.dd, "SELECT duration_s FROM "
                                         "inquiry WHERE channel = "
                                         "'operator' AND duration_s IS "
                                         "NOT NULL")),
                         [(30,), (60,), (120,), (200,)])
        return {
            "inquiries": 13,
            "by_outcome": outcomes(affected=6, not_found=3, invalid_input=1,
                                   transferred=2, abandoned=1),
            "by_channel": {"ivr": 4, "api": 4, "operator": 5},
            "match_rate": 6 / 9,
            "avg_handle_s": sum(durations) / len(durations),
            "peak_sessions": 3,
            "by_org": {
                "komorebi": {"code": "komorebi", "name": "こもれび市",
                             "inquiries": 4, "affected": 4},
                "sakura-tel": {"code": "sakura-tel",
                               "name": "さくら通信株式会社",
                               "inquiries": 2, "affected": 2},
                "aoba-kokuho": {"code": "aoba-kokuho",
                                "name": "あおば県国民健康保険団体連合会",
                                "inquiries": 2, "affected": 1},
                "unknown": {"code": "unknown", "name": self.unknown_name,
                            "inquiries": 1, "affected": 1},
            },
            "by_client": [
                {"client": "adm", "role": "admin", "inquiries": 1,
                 "lookups": 1, "searches": 0},
                {"client": "gw", "role": "gateway", "inquiries": 6,
                 "lookups": 2, "searches": 0},
                {"client": "gw2", "role": "gateway", "inquiries": 1,
                 "lookups": 1, "searches": 0},
                {"client": "op", "role": "operator", "inquiries": 5,
                 "lookups": 2, "searches": 3},
                {"client": "op2", "role": "operator", "inquiries": 0,
                 "lookups": 0, "searches": 1},
            ],
            "alerts": 0,
        }

    def summary(self, conn, params=None):
        return self.assertResult(conn.call("stats.summary",
                                           params if params is not None
                                           else {}))

    def assertSummary(self, got, want, date):
        self.assertEqual(set(got), {
            "from", "to", "tz", "inquiries", "by_outcome", "by_channel",
            "match_rate", "avg_handle_s", "peak_sessions", "by_org",
            "by_client", "alerts", "ivr_sessions"})
        self.assertEqual((got["from"], got["to"], got["tz"]),
                         (date, date, "Asia/Tokyo"))
        for k in ("inquiries", "by_outcome", "by_channel", "peak_sessions",
                  "alerts"):
            self.assertEqual(got[k], want[k], k)
        self.assertAlmostEqual(got["match_rate"], want["match_rate"],
                               places=6)
        self.assertAlmostEqual(got["avg_handle_s"], want["avg_handle_s"],
                               places=6)
        self.assertEqual({o["code"]: o for o in got["by_org"]},
                         want["by_org"])
        self.assertEqual(len(got["by_org"]), len(want["by_org"]))
        self.assertEqual(sorted(got["by_client"],
                                key=lambda c: c["client"]),
                         want["by_client"])


class TestSummary(StatsTest):

    def test_every_number_of_a_scripted_mix(self):
        want = self.run_mix()
        sup = self.connect("sup")
        today = self.mix_date
        got = self.summary(sup)
        self.assertSummary(got, want, today)
        # The same, asked with explicit dates.
        self.assertSummary(self.summary(sup, {"from": today, "to": today}),
                           want, today)
        got = self.summary(sup, {"from": today})
        self.assertEqual(got["inquiries"], 13)
        # The admin may ask too.
        adm = self.connect("adm")
        self.assertSummary(self.summary(adm), want, today)
        # A range that holds today holds the same numbers.
        day = datetime.date.fromisoformat(today)
        yesterday = (day - datetime.timedelta(days=1)).isoformat()
        tomorrow = (day + datetime.timedelta(days=1)).isoformat()
        got = self.summary(sup, {"from": yesterday, "to": tomorrow})
        self.assertEqual((got["from"], got["to"]), (yesterday, tomorrow))
        self.assertEqual(got["inquiries"], 13)
        self.assertEqual(got["by_outcome"], want["by_outcome"])
        self.assertEqual(got["peak_sessions"], 3)
        # Yesterday: nothing, every outcome still named.
        got = self.summary(sup, {"from": yesterday, "to": yesterday})
        self.assertEqual(got["inquiries"], 0)
        self.assertEqual(got["by_outcome"], outcomes())
        self.assertEqual(got["by_channel"], {"ivr": 0, "api": 0,
                                             "operator": 0})
        self.assertEqual((got["by_org"], got["by_client"], got["alerts"],
                          got["peak_sessions"]), ([], [], 0, 0))
        self.assertIsNone(got["match_rate"])
        self.assertIsNone(got["avg_handle_s"])
        # The counters agree with the inquiries themselves.
        rows = db_query(self.dd, "SELECT channel, outcome, count(*) FROM "
                        "inquiry GROUP BY channel, outcome")
        self.assertEqual(sum(r[2] for r in rows), 13)
        for o in OUTCOMES:
            self.assertEqual(sum(r[2] for r in rows if r[1] == o),
                             want["by_outcome"][o], o)

    def test_hourly(self):
        want = self.run_mix()
        sup = self.connect("sup")
        r = self.assertResult(sup.call("stats.hourly",
                                       {"date": self.mix_date}))
        self.assertEqual((r["date"], r["tz"]), (self.mix_date,
                                                "Asia/Tokyo"))
        self.assertEqual([h["hour"] for h in r["hours"]], list(range(24)))
        for h in r["hours"]:
            self.assertEqual(set(h), {"hour", "inquiries", "by_outcome"})
            if h["hour"] == self.mix_hour:
                self.assertEqual(h["inquiries"], 13)
                self.assertEqual(h["by_outcome"], want["by_outcome"])
            else:
                self.assertEqual(h["inquiries"], 0, h)
                self.assertEqual(h["by_outcome"], outcomes(), h)
        day = datetime.date.fromisoformat(self.mix_date)
        r = self.assertResult(sup.call("stats.hourly", {
            "date": (day - datetime.timedelta(days=1)).isoformat()}))
        self.assertEqual(len(r["hours"]), 24)
        self.assertEqual(sum(h["inquiries"] for h in r["hours"]), 0)
        for params in ({}, {"date": "2026-02-30"}, {"date": "26-11-26"},
                       {"date": "2026/11/26"}, {"date": 20261126},
                       {"date": "today"}):
            self.assertError(sup.call("stats.hourly", params), -32602,
                             "date")

    def test_completion_moves_the_counters(self):
        wait_clear_of_hour()
        date = tokyo_now().date().isoformat()
        op = self.connect("op")
        sup = self.connect("sup")
        suzuki = self.assertResult(op.call("operator.search", {
            "kana": "スズキ ハナコ", "birthdate": "1970-12-03"}))[
            "candidates"]
        a = self.assertResult(op.call("lookup", {
            "phone": "08033334444", "birthdate": "1970-12-03"}))
        b = self.assertResult(op.call("lookup", {
            "phone": "09011112222", "birthdate": "1975-04-01"}))
        s = self.summary(sup)
        self.assertEqual(s["by_outcome"], outcomes(affected=2))
        self.assertIsNone(s["avg_handle_s"])
        # The organisations a lookup matched count once, refs or not.
        self.assertResult(op.call("inquiry.record", {
            "inquiry": a["inquiry"], "outcome": "affected",
            "duration_s": 100, "refs": [c["ref"] for c in suzuki]}))
        # An affected lookup completed otherwise: no longer affected.
        self.assertResult(op.call("inquiry.record", {
            "inquiry": b["inquiry"], "outcome": "abandoned"}))
        s = self.summary(sup)
        self.assertEqual((s["from"], s["inquiries"]), (date, 2))
        self.assertEqual(s["by_outcome"], outcomes(affected=1, abandoned=1))
        self.assertEqual(s["by_channel"], {"ivr": 0, "api": 0,
                                           "operator": 2})
        self.assertEqual(s["match_rate"], 1.0)
        self.assertEqual(s["avg_handle_s"], 100.0)
        self.assertEqual({o["code"]: (o["inquiries"], o["affected"])
                          for o in s["by_org"]},
                         {"komorebi": (2, 1), "sakura-tel": (1, 1)})
        self.assertEqual(s["by_client"], [
            {"client": "op", "role": "operator", "inquiries": 2,
             "lookups": 2, "searches": 1}])
        r = self.assertResult(sup.call("stats.hourly", {"date": date}))
        self.assertEqual(sum(h["inquiries"] for h in r["hours"]), 2)
        self.assertEqual(r["hours"][tokyo_now().hour]["by_outcome"],
                         outcomes(affected=1, abandoned=1))

    def test_dates_validated(self):
        sup = self.connect("sup")
        today = tokyo_now().date()
        for bad in ("2026-13-01", "2026-02-30", "2026/11/26", "26-11-26",
                    "2026-11-26T00:00", "yesterday", "", 20261126):
            self.assertError(sup.call("stats.summary", {"from": bad}),
                             -32602, "from")
            self.assertError(sup.call("stats.summary", {
                "from": today.isoformat(), "to": bad}), -32602, "to")
        # to before from.
        self.assertError(sup.call("stats.summary", {
            "from": today.isoformat(),
            "to": (today - datetime.timedelta(days=1)).isoformat()}),
            -32602, "to")
        # Default: today, both ends.
        r = self.summary(sup)
        if tokyo_now().date() == today:
            self.assertEqual((r["from"], r["to"]), (today.isoformat(),
                                                    today.isoformat()))
        self.assertEqual(r["inquiries"], 0)
        self.assertEqual(r["by_outcome"], outcomes())

    def test_roles(self):
        for client in ("gw", "op"):
            c = self.connect(client)
            for m in ("stats.summary", "stats.hourly", "alerts.list"):
                self.assertError(c.call(m, {"date": "x"}), -32002)
        sup = self.connect("sup")
        for m, p in (("lookup", {"phone": "09011112222",
                                 "birthdate": "1975-04-01"}),
                     ("operator.search", {}), ("call.begin", {}),
                     ("admin.client_enable", {"client": "gw"}),
                     ("audit.verify", {})):
            self.assertError(sup.call(m, p), -32002)


class TestHotlinectlStats(StatsTest):

    def ctl_stats(self, *args):
        env = dict(os.environ, HOTLINE_CLIENT="sup",
                   HOTLINE_TOKEN=CLIENTS["sup"][1])
        return ctl("stats", "--port", self.d.port, *args, env=env).stdout

    def assertFits(self, out):
        self.assertTrue(out.strip())
        for line in out.splitlines():
            self.assertLessEqual(display_width(line), 80, line)

    def test_tables_csv_json(self):
        self.run_mix()
        sup = self.connect("sup")
        s = self.summary(sup)
        # The summary table.
        out = self.ctl_stats()
        self.assertFits(out)
        self.assertIn(f"{s['from']} to {s['to']} (Asia/Tokyo)", out)
        self.assertRegex(out, r"inquiries\s+13\b")
        self.assertRegex(out, r"match rate\s+%.1f%%" %
                         (100 * s["match_rate"]))
        self.assertRegex(out, r"avg handle\s+%.0f s" % s["avg_handle_s"])
        self.assertRegex(out, r"peak sessions\s+3\b")
        self.assertRegex(out, r"alerts\s+0\b")
        for o in OUTCOMES:
            self.assertRegex(out, r"(?m)^\s+%s\s+%d$" %
                             (o, s["by_outcome"][o]))
        for ch in ("ivr", "api", "operator"):
            self.assertRegex(out, r"(?m)^\s+%s\s+%d$" %
                             (ch, s["by_channel"][ch]))
        # By organisation.
        out = self.ctl_stats("--by", "org")
        self.assertFits(out)
        rows = [line.split() for line in out.splitlines()[1:]]
        self.assertEqual(len(rows), len(s["by_org"]))
        for o in s["by_org"]:
            line = [r for r in rows if r[0] == o["code"]]
            self.assertEqual(len(line), 1, (o, out))
            self.assertEqual(line[0][-2:], [str(o["inquiries"]),
                                            str(o["affected"])])
        self.assertIn("あおば県国民健康保険団体連合会", out)
        # By client.
        out = self.ctl_stats("--by", "client")
        self.assertFits(out)
        rows = [line.split() for line in out.splitlines()[1:]]
        self.assertEqual(rows, [[c["client"], c["role"], str(c["inquiries"]),
                                 str(c["lookups"]), str(c["searches"])]
                                for c in s["by_client"]])
        # By hour: 24 lines of today, the inquiries in the mix's hour.
        out = self.ctl_stats("--by", "hour")
        self.assertFits(out)
        lines = out.splitlines()[1:]
        self.assertEqual(len(lines), 24)
        for line in lines:
            f = line.split()
            self.assertEqual(f[0], self.mix_date)
            n = 13 if int(f[1]) == self.mix_hour else 0
            self.assertEqual(int(f[2]), n, line)
            if n:
                self.assertEqual(int(f[3]), 6)
                self.assertEqual(int(f[4]), 3)
                self.assertTrue(f[5].startswith("#"))
        # CSV: parses, and holds the same numbers.
        out = self.ctl_stats("--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual((row["from"], row["to"], row["tz"]),
                         (s["from"], s["to"], "Asia/Tokyo"))
        self.assertEqual(int(row["inquiries"]), 13)
        for o in OUTCOMES:
            self.assertEqual(int(row[o]), s["by_outcome"][o], o)
        for ch in ("ivr", "api", "operator"):
            self.assertEqual(int(row[ch]), s["by_channel"][ch], ch)
        self.assertAlmostEqual(float(row["match_rate"]), s["match_rate"],
                               places=3)
        self.assertAlmostEqual(float(row["avg_handle_s"]),
                               s["avg_handle_s"], places=0)
        self.assertEqual(int(row["peak_sessions"]), 3)
        self.assertEqual(int(row["alerts"]), 0)
        out = self.ctl_stats("--by", "org", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual([(r["code"], r["name"], int(r["inquiries"]),
                           int(r["affected"])) for r in rows],
                         [(o["code"], o["name"], o["inquiries"],
                           o["affected"]) for o in s["by_org"]])
        out = self.ctl_stats("--by", "client", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual([{k: (int(v) if v.isdigit() else v)
                           for k, v in r.items()} for r in rows],
                         s["by_client"])
        out = self.ctl_stats("--by", "hour", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual(len(rows), 24)
        for r in rows:
            n = 13 if int(r["hour"]) == self.mix_hour else 0
            self.assertEqual(int(r["inquiries"]), n)
            self.assertEqual(sum(int(r[o]) for o in OUTCOMES), n)
        # JSON: what stats.summary answers.
        out = self.ctl_stats("--format", "json")
        self.assertEqual(json.loads(out), self.summary(sup))
        out = self.ctl_stats("--by", "hour", "--format", "json")
        self.assertEqual(json.loads(out)["days"], [self.assertResult(
            sup.call("stats.hourly", {"date": self.mix_date}))])
        # Explicit dates.
        out = self.ctl_stats("--from", self.mix_date, "--to",
                             self.mix_date, "--format", "json")
        self.assertEqual(json.loads(out)["inquiries"], 13)

    def test_by_day_hour_totals_org_json(self):
        import datetime
        self.run_mix()
        sup = self.connect("sup")
        s = self.summary(sup)
        day = datetime.date.fromisoformat(self.mix_date)
        first = (day - datetime.timedelta(days=2)).isoformat()
        # --by day: a row per day of the period, the total last.
        out = self.ctl_stats("--by", "day", "--from", first, "--to",
                             self.mix_date)
        self.assertFits(out)
        lines = out.splitlines()[1:]
        self.assertEqual([l.split()[0] for l in lines],
                         [(day - datetime.timedelta(days=k)).isoformat()
                          for k in (2, 1, 0)] + ["total"])
        self.assertEqual([int(l.split()[1]) for l in lines], [0, 0, 13, 13])
        rows = list(csv.DictReader(io.StringIO(self.ctl_stats(
            "--by", "day", "--from", first, "--to", self.mix_date,
            "--format", "csv"))))
        self.assertEqual(rows[-1]["date"], "total")
        self.assertEqual(int(rows[2]["affected"]), s["by_outcome"]["affected"])
        j = json.loads(self.ctl_stats("--by", "day", "--from", first,
                                      "--to", self.mix_date, "--format",
                                      "json"))
        self.assertEqual(len(j["days"]), 3)
        self.assertEqual(j["total"]["inquiries"], 13)
        # --by hour over three days: 24 rows and a total for each.
        out = self.ctl_stats("--by", "hour", "--from", first, "--to",
                             self.mix_date)
        self.assertFits(out)
        totals = [l.split() for l in out.splitlines() if " total " in l]
        self.assertEqual([(t[0], int(t[2])) for t in totals],
                         [(first, 0), ((day - datetime.timedelta(days=1))
                                       .isoformat(), 0), (self.mix_date, 13)])
        rows = list(csv.DictReader(io.StringIO(self.ctl_stats(
            "--by", "hour", "--from", first, "--to", self.mix_date,
            "--format", "csv"))))
        self.assertEqual(len(rows), 3 * 25)
        self.assertEqual([r["hour"] for r in rows].count("total"), 3)
        # --by org --format json: the organisation rows themselves.
        j = json.loads(self.ctl_stats("--by", "org", "--format", "json"))
        self.assertEqual(j, s["by_org"])
        j = json.loads(self.ctl_stats("--by", "client", "--format", "json"))
        self.assertEqual(j, s["by_client"])

    def test_watch(self):
        self.run_mix()
        gw = self.connect("gw")
        gw.call("call.begin", {"call_id": "open-call"})
        out = self.ctl_stats("--watch", "1", "--frames", "2")
        frames = out.split("hotline now: ")[1:]
        self.assertEqual(len(frames), 2, out)
        for f in frames:
            self.assertRegex(f, r"calls in the IVR now +1\n")
            self.assertRegex(f, r"inquiries today +13\b")
            self.assertRegex(f, r"affected +6\n")
            self.assertRegex(f, r"this hour \(%02d:00\) +13 " %
                             self.mix_hour)
            self.assertIn("no open alerts", f)
        self.assertFits(out)
        p = ctl("stats", "--port", self.d.port, "--watch", "--by", "org",
                env=dict(os.environ, HOTLINE_CLIENT="sup",
                         HOTLINE_TOKEN=CLIENTS["sup"][1]), check=False)
        self.assertEqual(p.returncode, 2)

    def test_errors(self):
        env = dict(os.environ, HOTLINE_CLIENT="sup",
                   HOTLINE_TOKEN="wrong-token")
        p = ctl("stats", "--port", self.d.port, env=env, check=False)
        self.assertNotEqual(p.returncode, 0)
        env = dict(os.environ, HOTLINE_CLIENT="gw",
                   HOTLINE_TOKEN=CLIENTS["gw"][1])
        p = ctl("stats", "--port", self.d.port, env=env, check=False)
        self.assertNotEqual(p.returncode, 0)
        env = dict(os.environ, HOTLINE_CLIENT="sup",
                   HOTLINE_TOKEN=CLIENTS["sup"][1])
        p = ctl("stats", "--port", self.d.port, "--from", "2026-02-30",
                env=env, check=False)
        self.assertNotEqual(p.returncode, 0)
        p = ctl("stats", "--port", self.d.port, "--by", "month", env=env,
                check=False)
        self.assertEqual(p.returncode, 2)


def alert_lines(log):
    return [line for line in log.splitlines() if "ALERT" in line]


class TestAlerts(StatsTest):
    dd_kwargs = {"alerts": {"threshold": 5, "window_s": 60}}

    def lookup(self, conn):
        return conn.call("lookup", {"phone": "09011112222",
                                    "birthdate": "1975-04-01"})

    def test_one_alert_per_crossing(self):
        sup = self.connect("sup")
        gw = self.connect("gw")
        before = tokyo_now().replace(microsecond=0)
        for _ in range(5):
            self.assertResult(self.lookup(gw))
        self.assertEqual(self.assertResult(sup.call("alerts.list"))[
            "alerts"], [])
        self.assertEqual(alert_lines(self.d.log()), [])
        self.assertResult(self.lookup(gw))
        alerts = self.assertResult(sup.call("alerts.list"))["alerts"]
        self.assertEqual(len(alerts), 1, alerts)
        a = alerts[0]
        self.assertEqual(set(a), {"id", "time", "client", "role", "kind",
                                  "count", "window_s", "suspended",
                                  "acked_by", "acked_at", "note"})
        self.assertEqual((a["acked_by"], a["acked_at"], a["note"]),
                         (None, None, None))
        self.assertEqual((a["client"], a["role"], a["kind"], a["count"],
                          a["window_s"], a["suspended"]),
                         ("gw", "gateway", "bulk_lookup", 6, 60, False))
        t = datetime.datetime.fromisoformat(a["time"])
        self.assertEqual(t.utcoffset(), datetime.timedelta(hours=9))
        self.assertLessEqual(before, t)
        self.assertLessEqual(t, tokyo_now())
        # Further lookups: no second alert, and not suspended.
        for _ in range(4):
            self.assertResult(self.lookup(gw))
        alerts = self.assertResult(sup.call("alerts.list"))["alerts"]
        self.assertEqual(len(alerts), 1)
        lines = alert_lines(self.d.log())
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("gw", lines[0])
        self.assertIn("warn", lines[0].lower())
        s = self.summary(sup)
        self.assertEqual(s["alerts"], 1)
        self.assertEqual(s["inquiries"], 10)
        # The alert is in the audit log.
        rows = db_query(self.dd, "SELECT client, role, method FROM audit "
                        "WHERE method LIKE 'alert.%'")
        self.assertEqual(rows, [("gw", "gateway", "alert.bulk_lookup")])
        # Another client has its own count.
        gw2 = self.connect("gw2")
        for _ in range(5):
            self.assertResult(self.lookup(gw2))
        self.assertEqual(len(self.assertResult(sup.call("alerts.list"))[
            "alerts"]), 1)

    def test_searches_count_too(self):
        sup = self.connect("sup")
        op = self.connect("op")
        for _ in range(3):
            self.assertResult(self.lookup(op))
        for _ in range(2):
            self.assertResult(op.call("operator.search", {
                "kana": "ヤマダ タロウ", "birthdate": "1975-04-01"}))
        self.assertEqual(self.assertResult(sup.call("alerts.list"))[
            "alerts"], [])
        # Refused searches do not count.
        self.assertError(op.call("operator.search", {
            "kana": "山田", "birthdate": "1975-04-01"}), -32602, "kana")
        self.assertEqual(self.assertResult(sup.call("alerts.list"))[
            "alerts"], [])
        self.assertResult(op.call("operator.search", {
            "kana": "ヤマダ タロウ", "birthdate": "1975-04-01"}))
        alerts = self.assertResult(sup.call("alerts.list"))["alerts"]
        self.assertEqual([(a["client"], a["role"], a["count"],
                           a["suspended"]) for a in alerts],
                         [("op", "operator", 6, False)])
        # since: an ISO 8601 time.
        t = alerts[0]["time"]
        self.assertEqual(len(self.assertResult(sup.call(
            "alerts.list", {"since": t}))["alerts"]), 1)
        later = (datetime.datetime.fromisoformat(t) +
                 datetime.timedelta(seconds=1)).isoformat()
        self.assertEqual(self.assertResult(sup.call(
            "alerts.list", {"since": later}))["alerts"], [])
        self.assertEqual(self.assertResult(sup.call(
            "alerts.list", {"since": "2000-01-01T00:00:00Z"}))["alerts"],
            alerts)
        for bad in ("yesterday", "2026-13-01T00:00:00Z", 12):
            self.assertError(sup.call("alerts.list", {"since": bad}),
                             -32602, "since")


class TestSuspend(StatsTest):
    dd_kwargs = {"alerts": {"threshold": 5, "suspend": "true"}}

    def lookup(self, conn):
        return conn.call("lookup", {"phone": "09011112222",
                                    "birthdate": "1975-04-01"})

    def assertSuspended(self, resp):
        e = self.assertError(resp, -32002)
        self.assertEqual(e.get("data", {}).get("reason"), "suspended", e)

    def test_suspended_until_enabled_across_restarts(self):
        gw = self.connect("gw")
        for _ in range(6):
            self.assertResult(self.lookup(gw))
        # From now on every request of gw is refused.
        self.assertSuspended(self.lookup(gw))
        self.assertSuspended(gw.call("call.begin", {"call_id": "x"}))
        self.assertSuspended(gw.call("lookup", {}))
        # Whatever the method, its role's or not.
        self.assertSuspended(gw.call("stats.summary", {}))
        self.assertSuspended(gw.call("operator.search", {}))
        self.assertSuspended(gw.call("admin.client_enable",
                                     {"client": "gw"}))
        gw_b = self.connect("gw")
        self.assertSuspended(self.lookup(gw_b))
        self.assertSuspended(gw_b.call("call.begin", {"call_id": "x"}))
        # Other clients are not.
        gw2 = self.connect("gw2")
        self.assertResult(self.lookup(gw2))
        sup = self.connect("sup")
        alerts = self.assertResult(sup.call("alerts.list"))["alerts"]
        self.assertEqual([(a["client"], a["count"], a["window_s"],
                           a["suspended"]) for a in alerts],
                         [("gw", 6, 3600, True)])
        self.assertIn("suspended", alert_lines(self.d.log())[0])
        self.assertEqual(db_query(self.dd, "SELECT count(*) FROM inquiry "
                                  "WHERE client = 'gw'"), [(6,)])
        # Still suspended after a restart.
        self.d.stop()
        self.d = Daemon(self.dd)
        gw = self.connect("gw")
        self.assertSuspended(self.lookup(gw))
        adm = self.connect("adm")
        self.assertError(adm.call("admin.client_enable", {"client": "nosuch"}),
                         -32602, "client")
        self.assertError(adm.call("admin.client_enable", {}), -32602,
                         "client")
        self.assertError(self.connect("sup").call("admin.client_enable", {
            "client": "gw"}), -32002)
        self.assertSuspended(self.lookup(gw))
        r = self.assertResult(adm.call("admin.client_enable",
                                       {"client": "gw"}))
        self.assertEqual(r, {"client": "gw", "suspended": False})
        # The same connection works again.
        r = self.assertResult(self.lookup(gw))
        self.assertEqual(r["status"], "affected")
        self.assertResult(gw.call("call.begin", {"call_id": "y"}))
        # And stays enabled after a restart.
        self.d.stop()
        self.d = Daemon(self.dd)
        gw = self.connect("gw")
        self.assertResult(self.lookup(gw))
        # A new crossing: a new alert, a new suspension.
        for _ in range(5):
            self.assertResult(self.lookup(gw))
        self.assertSuspended(self.lookup(gw))
        alerts = self.assertResult(self.connect("sup").call(
            "alerts.list"))["alerts"]
        self.assertEqual([(a["client"], a["suspended"]) for a in alerts],
                         [("gw", True), ("gw", True)])

    def test_suspended_operator(self):
        op = self.connect("op")
        for _ in range(6):
            self.assertResult(op.call("operator.search", {
                "kana": "ヤマダ タロウ", "birthdate": "1975-04-01"}))
        self.assertSuspended(op.call("operator.search", {
            "kana": "ヤマダ タロウ", "birthdate": "1975-04-01"}))
        self.assertSuspended(op.call("notice.render", {
            "orgs": ["komorebi"]}))
        self.assertSuspended(op.call("inquiry.record", {
            "outcome": "affected"}))
        self.assertSuspended(self.lookup(op))
        adm = self.connect("adm")
        self.assertResult(adm.call("admin.client_enable", {"client": "op"}))
        self.assertResult(op.call("notice.render", {"orgs": ["komorebi"]}))


class TestRateLimit(StatsTest):
    dd_kwargs = {"rate": {"lookups_per_s": 1, "burst": 2}}

    def test_third_quick_lookup_is_limited(self):
        gw = self.connect("gw")
        req = [gw.request("lookup", {"phone": "09011112222",
                                     "birthdate": "1975-04-01"})
               for _ in range(3)]
        # Pipelined: the three arrive at once.
        gw.send("".join(json.dumps(r) + "\n" for r in req))
        resps = [gw.recv() for _ in req]
        self.assertEqual([r["id"] for r in resps], [r["id"] for r in req])
        self.assertResult(resps[0])
        self.assertResult(resps[1])
        e = self.assertError(resps[2], -32003)
        retry = e["data"]["retry_after_s"]
        self.assertIsInstance(retry, int)
        self.assertGreaterEqual(retry, 1)
        self.assertLessEqual(retry, 2)
        # A refused lookup is no inquiry.
        self.assertEqual(db_query(self.dd, "SELECT count(*) FROM inquiry"),
                         [(2,)])
        # Another client has its own bucket.
        gw2 = self.connect("gw2")
        self.assertResult(gw2.call("lookup", {"phone": "09011112222",
                                              "birthdate": "1975-04-01"}))
        time.sleep(retry)
        r = self.assertResult(gw.call("lookup", {
            "phone": "09011112222", "birthdate": "1975-04-01"}))
        self.assertEqual(r["status"], "affected")
        self.assertEqual(db_query(self.dd, "SELECT count(*) FROM inquiry"),
                         [(4,)])
        s = self.summary(self.connect("sup"))
        self.assertEqual(s["inquiries"], 4)
        gwrow = [c for c in s["by_client"] if c["client"] == "gw"][0]
        self.assertEqual(gwrow["lookups"], 2 + 1)


class TestIvrCountsTowardsAlerts(StatsTest):
    dd_kwargs = {"alerts": {"threshold": 3, "window_s": 60}}

    def test_calls_with_a_lookup_raise_the_gateways_alert(self):
        gw = self.connect("gw")
        sup = self.connect("sup")
        for i in range(4):
            c = Call(self, gw, call_id=f"bulk-{i}", ani="anonymous")
            c.input("09011112222")
            c.input("19750401")
            c.end()
        # Calls that never reach a lookup do not count.
        c = Call(self, gw, call_id="nolookup", ani="anonymous")
        c.end()
        alerts = self.assertResult(sup.call("alerts.list"))["alerts"]
        self.assertEqual(len(alerts), 1)
        self.assertEqual((alerts[0]["client"], alerts[0]["count"]),
                         ("gw", 4))


class TestDates(StatsTest):

    def test_to_alone_is_one_day(self):
        sup = self.connect("sup")
        r = self.assertResult(sup.call("stats.summary", {"to": "2026-01-05"}))
        self.assertEqual((r["from"], r["to"]), ("2026-01-05", "2026-01-05"))
