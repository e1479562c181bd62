"""lookup (SPEC §6.2) against the small hand-made list in tests/data/people:
every kind of person, every form of input, every invalid field, and the
inquiry that each answered lookup leaves in hotline.db."""
import json
import os
import signal
import sqlite3
import time

from harness import Daemon, HotlineTest

# Text notices write the fraud warning's numbers as dialled (SPEC §6).
FRAUD_JA = "警察相談専用電話（#9110）"
FRAUD_EN = "police consultation line (#9110)"


def inquiries(dd):
    db = sqlite3.connect(os.path.join(dd.data, "hotline.db"))
    try:
        rows = db.execute("SELECT id, channel, client, outcome, duration_s "
                          "FROM inquiry ORDER BY id").fetchall()
        orgs = db.execute("SELECT inquiry, org FROM inquiry_org "
                          "ORDER BY inquiry, org").fetchall()
    finally:
        db.close()
    return rows, orgs


class TestLookup(HotlineTest):

    def lookup(self, phone, birthdate, client="gw", **kw):
        c = self.connect(client)
        params = {"phone": phone, "birthdate": birthdate}
        params.update(kw)
        return c.call("lookup", params)

    def test_single_organisation(self):
        r = self.assertResult(self.lookup("090-1111-2222", "1975-04-01"))
        self.assertEqual(r["status"], "affected")
        self.assertEqual(len(r["matches"]), 1)
        m = r["matches"][0]
        self.assertEqual(m["org"], {"code": "komorebi", "name": "こもれび市",
                                    "kind": "municipality"})
        self.assertEqual(m["service"], "特定健康診査の電話による受診勧奨")
        self.assertEqual(m["period"], {"from": "2016-04-01",
                                       "to": "2018-03-31"})
        # Two rows of the same person in the same list: one match, items
        # of both rows.
        self.assertEqual(m["items"], ["name", "kana", "phone", "gender",
                                      "birthdate", "age", "postal_code",
                                      "address"])
        self.assertEqual(m["contact"]["phone"], "0120-000-101")
        self.assertIn("こもれび市", r["notice"])
        self.assertIn(FRAUD_JA, r["notice"])
        self.assertIsInstance(r["inquiry"], int)

    def test_two_organisations_each_once(self):
        r = self.assertResult(self.lookup("08033334444", "1970-12-03"))
        self.assertEqual(r["status"], "affected")
        self.assertEqual([m["org"]["code"] for m in r["matches"]],
                         ["komorebi", "sakura-tel"])
        self.assertIn("katagaki", r["matches"][0]["items"])
        self.assertNotIn("katagaki", r["matches"][1]["items"])
        self.assertEqual(r["notice"].count("こもれび市の、"), 1)
        self.assertEqual(r["notice"].count("さくら通信株式会社の、"), 1)

    def test_unknown_source(self):
        r = self.assertResult(self.lookup("03-1234-5678", "1950-01-15",
                                          lang="en"))
        self.assertEqual(r["status"], "affected")
        self.assertEqual(len(r["matches"]), 1)
        m = r["matches"][0]
        self.assertEqual(m["org"]["code"], "unknown")
        self.assertEqual(m["org"]["kind"], "unknown")
        self.assertIn("still being identified", r["notice"])
        self.assertIn(FRAUD_EN, r["notice"])

    def test_not_found_near_miss(self):
        r = self.assertResult(self.lookup("090-1111-2222", "1975-04-02"))
        self.assertEqual(r["status"], "not_found")
        self.assertEqual(r["matches"], [])
        self.assertIn("一致する記録は、ありませんでした", r["notice"])
        self.assertIn(FRAUD_JA, r["notice"])
        r = self.assertResult(self.lookup("090-1111-2223", "1975-04-01",
                                          lang="en"))
        self.assertEqual(r["status"], "not_found")
        self.assertIn("No record matches", r["notice"])
        self.assertIn(FRAUD_EN, r["notice"])

    def test_five_forms_of_phone_and_birthdate(self):
        phones = ["090-1111-2222", "09011112222", "０９０－１１１１－２２２２",
                  "+81 90-1111-2222", "(090)1111-2222"]
        births = ["1975-04-01", "19750401", "昭和50年4月1日", "S50.4.1",
                  "3500401"]
        c = self.connect("gw")
        for p in phones:
            for b in births:
                r = self.assertResult(c.call("lookup", {"phone": p,
                                                        "birthdate": b}))
                self.assertEqual(r["status"], "affected", (p, b))
                self.assertEqual(r["matches"][0]["org"]["code"], "komorebi")

    def test_era_birthdate_in_list(self):
        r = self.assertResult(self.lookup("09055556666", "1989-01-08"))
        self.assertEqual(r["matches"][0]["org"]["code"], "aoba-kokuho")

    def test_invalid_fields(self):
        c = self.connect("gw")
        cases = [
            ({"birthdate": "1975-04-01"}, "phone"),
            ({"phone": "09011112222"}, "birthdate"),
            ({"phone": 9011112222, "birthdate": "1975-04-01"}, "phone"),
            ({"phone": "110", "birthdate": "1975-04-01"}, "phone"),
            ({"phone": "#9110", "birthdate": "1975-04-01"}, "phone"),
            ({"phone": "+1 212 555 0100", "birthdate": "1975-04-01"},
             "phone"),
            ({"phone": "09011112222", "birthdate": "1975-02-30"},
             "birthdate"),
            ({"phone": "09011112222", "birthdate": "2099-01-01"},
             "birthdate"),
            ({"phone": "09011112222", "birthdate": "昭和64年1月8日"},
             "birthdate"),
            ({"phone": "09011112222", "birthdate": ["1975"]}, "birthdate"),
            ({"phone": "09011112222", "birthdate": "1975-04-01",
              "lang": "fr"}, "lang"),
        ]
        for params, field in cases:
            e = self.assertError(c.call("lookup", params), -32602, field)
            self.assertTrue(e["data"]["reason"])
            # No echo of what the caller sent, raw or normalized.
            text = json.dumps(e, ensure_ascii=False)
            for v in params.values():
                if isinstance(v, str) and len(v) > 3:
                    self.assertNotIn(v, text)
            self.assertNotIn("1975-04-01", text)
            self.assertNotIn("09011112222", text)

    def test_inquiries_committed_per_lookup(self):
        c = self.connect("gw")
        self.assertResult(c.call("lookup", {"phone": "08033334444",
                                            "birthdate": "1970-12-03"}))
        self.assertResult(c.call("lookup", {"phone": "08033334444",
                                            "birthdate": "1970-12-04"}))
        self.assertError(c.call("lookup", {"phone": "x",
                                           "birthdate": "1970-12-04"}),
                         -32602)
        op = self.connect("op")
        r = self.assertResult(op.call("lookup", {"phone": "03-1234-5678",
                                                 "birthdate": "1950-01-15"}))
        rows, orgs = inquiries(self.dd)
        self.assertEqual([(r[1], r[2], r[3], r[4]) for r in rows], [
            ("api", "gw", "affected", None),
            ("api", "gw", "not_found", None),
            ("operator", "op", "affected", None),
        ])
        self.assertEqual(rows[2][0], r["inquiry"])
        self.assertEqual(orgs, [(rows[0][0], "komorebi"),
                                (rows[0][0], "sakura-tel"),
                                (rows[2][0], "unknown")])

    def test_acknowledged_inquiries_survive_kill_9(self):
        c = self.connect("gw")
        seen = []
        for i in range(50):
            r = self.assertResult(c.call("lookup", {
                "phone": "09011112222", "birthdate": "1975-04-01"}))
            seen.append(r["inquiry"])
        self.d.signal(signal.SIGKILL)
        self.d.proc.wait(10)
        rows, _ = inquiries(self.dd)
        self.assertTrue(set(seen) <= {r[0] for r in rows})
        # The next start recovers the WAL and goes on numbering.
        self.d = Daemon(self.dd)
        c = self.connect("gw")
        r = self.assertResult(c.call("lookup", {
            "phone": "09011112222", "birthdate": "1975-04-01"}))
        self.assertGreater(r["inquiry"], max(seen))

    def test_storage_error_gives_32005_and_no_inquiry(self):
        c = self.connect("gw")
        self.assertResult(c.call("lookup", {"phone": "09011112222",
                                            "birthdate": "1975-04-01"}))
        # Another writer holds hotline.db's write lock: the commit fails.
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"),
                             isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        try:
            resp = c.call("lookup", {"phone": "09011112222",
                                     "birthdate": "1975-04-01"})
            self.assertError(resp, -32005)
            self.assertEqual(self.assertResult(c.call("ping")), "pong")
        finally:
            db.execute("ROLLBACK")
            db.close()
        r = self.assertResult(c.call("lookup", {"phone": "09011112222",
                                                "birthdate": "1975-04-01"}))
        rows, _ = inquiries(self.dd)
        self.assertEqual([x[0] for x in rows][-1], r["inquiry"])
        self.assertEqual(len(rows), 2)

    def test_notice_has_fraud_warning_in_every_language(self):
        c = self.connect("gw")
        for lang, mark in (("ja", FRAUD_JA), ("en", FRAUD_EN)):
            for phone, birth in (("09011112222", "1975-04-01"),
                                 ("09011112222", "1975-04-03")):
                r = self.assertResult(c.call("lookup", {
                    "phone": phone, "birthdate": birth, "lang": lang}))
                self.assertTrue(r["notice"].rstrip().endswith(
                    "ご相談ください。" if lang == "ja" else "(#9110)."),
                    r["notice"])
                self.assertIn(mark, r["notice"])
                self.assertWritten(r["notice"])

    def assertWritten(self, text):
        """The fraud warning as a person dials it, never as a voice says it."""
        self.assertRegex(text, r"(?<![0-9])188(?![0-9])")
        self.assertRegex(text, r"#9110(?![0-9])")
        for spoken in ("1 8 8", "9 1 1 0", "シャープ", "hash"):
            self.assertNotIn(spoken, text)

    def test_written_notices_in_both_languages(self):
        """Affected, unknown source and not found, ja and en: 188, #9110."""
        c = self.connect("gw")
        for lang in ("ja", "en"):
            for phone, birth in (("08033334444", "1970-12-03"),
                                 ("03-1234-5678", "1950-01-15"),
                                 ("09000000000", "1980-01-01")):
                r = self.assertResult(c.call("lookup", {
                    "phone": phone, "birthdate": birth, "lang": lang}))
                self.assertWritten(r["notice"])


class TestReload(HotlineTest):

    def test_sighup_switches_to_new_list_without_dropping(self):
        c = self.connect("gw")
        r = self.assertResult(c.call("lookup", {"phone": "09011112222",
                                                "birthdate": "1975-04-01"}))
        self.assertEqual(r["status"], "affected")
        only = self.dd.path("one.csv")
        with open(only, "w", encoding="utf-8") as f:
            f.write("org_code,name,kana,phone,gender,birthdate,"
                    "postal_code,address,katagaki,extra_items\n"
                    "sakura-tel,,,070-9999-0000,,1981-01-01,,,,\n")
        self.dd.import_lists(lists=[only])
        self.d.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "affected.db loaded" not in self.d.log():
            self.assertLess(time.monotonic(), deadline, self.d.log())
            time.sleep(0.05)
        # Same connection, still authenticated, new list.
        r = self.assertResult(c.call("lookup", {"phone": "09011112222",
                                                "birthdate": "1975-04-01"}))
        self.assertEqual(r["status"], "not_found")
        r = self.assertResult(c.call("lookup", {"phone": "07099990000",
                                                "birthdate": "1981-01-01"}))
        self.assertEqual(r["matches"][0]["org"]["code"], "sakura-tel")

    def test_removed_client_loses_access_on_reload(self):
        c = self.connect("op")
        self.assertResult(c.call("lookup", {"phone": "09011112222",
                                            "birthdate": "1975-04-01"}))
        self.dd.write_conf(clients={"gw": ("gateway", "gw-token-0123456789")})
        self.d.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "removed from the conf" not in self.d.log():
            self.assertLess(time.monotonic(), deadline, self.d.log())
            time.sleep(0.05)
        self.assertError(c.call("lookup", {"phone": "09011112222",
                                           "birthdate": "1975-04-01"}),
                         -32001)
