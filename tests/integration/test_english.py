"""English organisation texts (SPEC §4.1 optional *_en columns): imported,
stored in affected.db, used by every "en" text where filled, the Japanese
value where empty; the header's optional columns in any order, an unknown
column refused; an affected.db of schema version 1 still read."""
import os
import re
import sqlite3

from harness import PEOPLE, DataDir, Daemon, HotlineTest

# Kana, kanji and the CJK punctuation and full-width forms.
JAPANESE = re.compile("[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")

ORGS10 = ("code,name,kind,service,period_from,period_to,contact_name,"
          "contact_phone,contact_hours,status_note")

# Every person of tests/data/people/affected.csv that a lookup finds.
AFFECTED = (("09011112222", "1975-04-01"), ("08033334444", "1970-12-03"),
            ("03-1234-5678", "1950-01-15"), ("090-5555-6666", "1989-01-08"),
            ("070-7777-8888", "1960-06-30"), ("050-2222-3333", "1999-09-09"))


def write(dd, name, text):
    path = dd.path(name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class TestEnglishTexts(HotlineTest):

    def test_en_lookup_notices_have_no_japanese(self):
        """The test list fills every *_en column whose Japanese one is
        filled: an English notice is English throughout."""
        c = self.connect("gw")
        for phone, birth in AFFECTED:
            r = self.assertResult(c.call("lookup", {
                "phone": phone, "birthdate": birth, "lang": "en"}))
            self.assertEqual(r["status"], "affected")
            self.assertIsNone(JAPANESE.search(r["notice"]), r["notice"])
            for m in r["matches"]:
                for text in (m["org"]["name"], m["service"],
                             m["status_note"], m["contact"]["name"],
                             m["contact"]["hours"]):
                    if text is not None:
                        self.assertIsNone(JAPANESE.search(text), m)
        r = self.assertResult(c.call("lookup", {
            "phone": "08033334444", "birthdate": "1970-12-03", "lang": "en"}))
        self.assertEqual(r["matches"][0]["org"]["name"], "Komorebi City")
        self.assertEqual(r["matches"][0]["service"],
                         "phone reminders for specific health check-ups")
        self.assertEqual(r["matches"][0]["contact"]["hours"],
                         "weekdays 9:00 to 17:00")
        self.assertIn("Komorebi City held this data for phone reminders for "
                      "specific health check-ups, from 1 April 2016 to 31 "
                      "March 2018.", r["notice"])
        self.assertIn("No distribution to third parties has been confirmed.",
                      r["notice"])
        self.assertIn("Sakura Telecom Co. Ltd. held this data", r["notice"])
        # Japanese stays Japanese.
        r = self.assertResult(c.call("lookup", {
            "phone": "08033334444", "birthdate": "1970-12-03", "lang": "ja"}))
        self.assertEqual(r["matches"][0]["org"]["name"], "こもれび市")
        self.assertIn("こもれび市の、特定健康診査の電話による受診勧奨",
                      r["notice"])
        self.assertNotIn("Komorebi", r["notice"])

    def test_en_notice_render_and_ivr(self):
        op = self.connect("op")
        r = self.assertResult(op.call("notice.render", {
            "orgs": ["komorebi", "sakura-tel", "aoba-kokuho", "unknown"],
            "lang": "en"}))
        self.assertIsNone(JAPANESE.search(r["text"]), r["text"])
        gw = self.connect("gw")
        r = self.assertResult(gw.call("call.begin", {
            "call_id": "en-1", "ani": "08033334444", "lang": "en"}))
        s = r["session"]
        r = self.assertResult(gw.call("call.input", {"session": s,
                                                     "digits": "19701203"}))
        says = [a for a in r["actions"] if a["type"] == "say"]
        self.assertIn("notice_org", [a["prompt"] for a in says])
        for a in says:
            self.assertIsNone(JAPANESE.search(a["text"]), a)
        self.assertResult(gw.call("call.end", {"session": s,
                                               "reason": "hangup"}))


class TestEnglishColumns(HotlineTest):
    start_daemon = False

    def lookup_en(self, dd, phone="09011112222", birth="1975-04-01"):
        d = Daemon(dd)
        try:
            c = d.connect("gw")
            r = c.call("lookup", {"phone": phone, "birthdate": birth,
                                  "lang": "en"})
            c.close()
        finally:
            d.stop()
        self.assertIn("result", r, r)
        return r["result"]

    def test_optional_columns_any_order_and_fallback(self):
        orgs = write(self.dd, "orgs.csv",
                     "status_note_en,code,name,kind,service,period_from,"
                     "period_to,contact_name,contact_phone,contact_hours,"
                     "status_note,name_en\n"
                     "Nothing leaked further.,komorebi,こもれび市,"
                     "municipality,受診勧奨,,,,,平日,確認中です。,"
                     "Komorebi\n"
                     ",sakura-tel,さくら通信,company,案内,,,,,,,\n"
                     ",aoba-kokuho,あおば,agency,案内,,,,,,,\n")
        self.dd.import_lists(orgs=orgs)
        r = self.lookup_en(self.dd)
        m = r["matches"][0]
        self.assertEqual(m["org"]["name"], "Komorebi")
        self.assertEqual(m["status_note"], "Nothing leaked further.")
        # Empty or absent English columns: the Japanese text is used.
        self.assertEqual(m["service"], "受診勧奨")
        self.assertEqual(m["contact"]["hours"], "平日")
        self.assertIn("Komorebi held this data for 受診勧奨", r["notice"])
        # A list with only the ten columns still imports.
        orgs = write(self.dd, "orgs10.csv", ORGS10 + "\n"
                     "komorebi,こもれび市,municipality,受診勧奨,,,,,,\n"
                     "sakura-tel,さくら通信,company,案内,,,,,,\n"
                     "aoba-kokuho,あおば,agency,案内,,,,,,\n")
        self.dd.import_lists(orgs=orgs)
        r = self.lookup_en(self.dd)
        self.assertEqual(r["matches"][0]["org"]["name"], "こもれび市")

    def test_unknown_and_repeated_columns_refused(self):
        before = os.stat(os.path.join(self.dd.data, "affected.db")).st_mtime_ns
        for header, why in ((ORGS10 + ",name_fr", "header: unknown column 11"),
                            (ORGS10 + ",name_en,name_en",
                             "header: column name_en appears twice")):
            orgs = write(self.dd, "bad.csv", header + "\n"
                         "komorebi,こもれび市,municipality,s,,,,,,,x,y\n")
            p = self.dd.import_lists(orgs=orgs, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(f"{orgs}:1: {why}", p.stderr)
        # A row with fewer fields than its header is a bad row.
        orgs = write(self.dd, "short.csv", ORGS10 + ",name_en\n"
                     "komorebi,こもれび市,municipality,s,,,,,,\n")
        p = self.dd.import_lists(orgs=orgs, check=False)
        self.assertIn(f"{orgs}:2: row: 10 fields, expected 11", p.stderr)
        self.assertEqual(before, os.stat(os.path.join(
            self.dd.data, "affected.db")).st_mtime_ns)

    def test_schema(self):
        db = sqlite3.connect(os.path.join(self.dd.data, "affected.db"))
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], 2)
        self.assertEqual(db.execute(
            "SELECT name_en, service_en, contact_name_en, contact_hours_en, "
            "status_note_en FROM org WHERE code = 'komorebi'").fetchone(),
            ("Komorebi City", "phone reminders for specific health check-ups",
             "Komorebi City Health Promotion Division",
             "weekdays 9:00 to 17:00",
             "No distribution to third parties has been confirmed."))
        db.close()

    def test_schema_version_1_still_read(self):
        """A list imported before the English columns: no English texts,
        everything else as before. A newer schema is refused by name."""
        path = os.path.join(self.dd.data, "affected.db")
        db = sqlite3.connect(path)
        for col in ("name_en", "service_en", "contact_name_en",
                    "contact_hours_en", "status_note_en"):
            db.execute(f"ALTER TABLE org DROP COLUMN {col}")
        db.execute("PRAGMA user_version = 1")
        db.commit()
        db.close()
        r = self.lookup_en(self.dd)
        self.assertEqual(r["status"], "affected")
        self.assertEqual(r["matches"][0]["org"]["name"], "こもれび市")
        db = sqlite3.connect(path)
        db.execute("PRAGMA user_version = 3")
        db.commit()
        db.close()
        from harness import binary
        import subprocess
        p = subprocess.Popen([binary("hotlined"), "-c", self.dd.conf],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        try:
            out, _ = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            self.fail("hotlined started on a schema it cannot read")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("schema version 3, this hotline reads 1 to 2", out)
