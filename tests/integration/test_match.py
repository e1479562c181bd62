"""hotlinectl match (SPEC §8): an organisation's register against its own
records — households, twins, people who moved, a person listed twice, a
record without kana, and a second organisation's people, who must never
match. Line numbers and flags only; the output, the log and hotline.db
hold no value of the register or the list."""
import csv
import io
import json
import os
import sqlite3
import stat

from harness import HotlineTest, Daemon, ctl
from test_privacy import needles, scan

ORGS = ("code,name,kind,service,period_from,period_to,contact_name,"
        "contact_phone,contact_hours,status_note\n"
        "adachi,あだち区,municipality,健診,2015-04-01,2020-03-31,,,,\n"
        "other,ほか株式会社,company,販売,2016-04-01,2021-03-31,,,,\n")

LIST_HEADER = ("org_code,name,kana,phone,gender,birthdate,postal_code,"
               "address,katagaki,extra_items\n")

# The list: (org, name, kana, phone, gender, birthdate, postal, address)
RECORDS = [
    # A household: two people, one phone, one address.
    ("adachi", "山田 太郎", "ヤマダ タロウ", "090-1000-0001", "男",
     "1950-01-01", "120-0001", "あだち区千住1-1-1"),
    ("adachi", "山田 花子", "ヤマダ ハナコ", "090-1000-0001", "女",
     "1952-02-02", "120-0001", "あだち区千住1-1-1"),
    # Twins: one birthdate, one phone, two names.
    ("adachi", "佐藤 一郎", "サトウ イチロウ", "03-1111-2222", "男",
     "1990-05-05", "120-0002", "あだち区綾瀬2-2-2"),
    ("adachi", "佐藤 次郎", "サトウ ジロウ", "03-1111-2222", "男",
     "1990-05-05", "120-0002", "あだち区綾瀬2-2-2"),
    # Moved since: the list has the old address.
    ("adachi", "鈴木 健", "スズキ ケン", "080-2000-0002", "男",
     "1960-06-06", "120-0003", "あだち区梅島3-3-3"),
    # Only in the other organisation's list.
    ("other", "田中 美紀", "タナカ ミキ", "070-3000-0003", "女",
     "1970-07-07", "120-0004", "あだち区西新井4-4-4"),
    # In both lists.
    ("adachi", "伊藤 由紀", "イトウ ユキ", "090-4000-0004", "女",
     "1980-08-08", "120-0005", "あだち区竹の塚5-5-5"),
    ("other", "伊藤 由紀", "イトウ ユキ", "090-4000-0004", "女",
     "1980-08-08", "999-9999", "ほか市6-6-6"),
    # No kana: found by phone only.
    ("adachi", "加藤 誠", "", "050-5000-0005", "男", "1985-09-09",
     "120-0006", "あだち区六町6-6-6"),
    # Listed twice by the organisation, once at an old address.
    ("adachi", "渡辺 純", "ワタナベ ジュン", "", "男", "1975-03-03",
     "120-0007", "あだち区加平7-7-7"),
    ("adachi", "渡辺 純", "ワタナベ ジュン", "", "男", "1975-03-03",
     "120-0008", "あだち区保木間8-8-8"),
    # The other organisation's twin of a register row's kana and date.
    ("other", "中村 光", "ナカムラ ヒカル", "080-6000-0006", "男",
     "1995-10-10", "120-0009", "あだち区舎人9-9-9"),
]

# The register, in the organisation's own layout: Japanese names, a
# household number and a note (ignored), a note spanning two lines.
REGISTER_HEADER = "世帯番号,氏名,フリガナ,生年月日,性別,電話番号,郵便番号,住所,備考\n"
REGISTER = [
    # (household, name, kana, birthdate, gender, phone, postal, address, note)
    ("1", "山田 太郎", "やまだ たろう", "昭和25年1月1日", "1", "09010000001",
     "1200001", "あだち区千住一丁目1番1号", ""),
    ("1", "山田 花子", "ヤマダ ハナコ", "1952/2/2", "2", "090-1000-0001",
     "", "", "転居予定\n（連絡済）"),
    ("2", "佐藤 一郎", "サトウ イチロウ", "1990-05-05", "男", "03-1111-2222",
     "120-0002", "あだち区綾瀬2-2-2", ""),
    ("2", "佐藤 次郎", "サトウ ジロウ", "1990-05-05", "女", "", "", "", ""),
    ("3", "鈴木 健", "スズキ ケン", "1960-06-06", "男", "080-2000-0002",
     "120-0010", "あだち区中央本町10-10-10", ""),
    ("4", "田中 美紀", "タナカ ミキ", "1970-07-07", "女", "070-3000-0003",
     "120-0004", "あだち区西新井4-4-4", ""),
    ("5", "伊藤 由紀", "イトウ ユキ", "1980-08-08", "女", "090-4000-0004",
     "120-0005", "あだち区竹の塚5-5-5", ""),
    ("6", "加藤 誠", "カトウ マコト", "1985-09-09", "男", "050-5000-0005",
     "", "", ""),
    ("1", "山田 太郎", "ヤマダ タロー", "1950-01-01", "", "090-1000-0001",
     "", "", ""),
    ("7", "渡辺 純", "ワタナベ ジュン", "1975-03-03", "", "", "120-0008",
     "あだち区保木間8-8-8", ""),
    ("8", "中村 光", "ナカムラ ヒカル", "1995-10-10", "", "080-6000-0006",
     "", "", ""),
    ("9", "誤り 日付", "アヤマリ ヒヅケ", "1980-02-30", "", "090-7000-0007",
     "", "", ""),
    ("9", "鍵 なし", "", "1980-01-01", "男", "", "", "", ""),
    ("9", "小林 新", "コバヤシ アラタ", "2001-01-01", "", "090-8000-0008",
     "", "", ""),
]

F = ["records", "kana", "phone", "gender", "postal_code", "address"]
# The expected output, by register row: records, then the five checks.
EXPECTED = [
    ("1", "match", "match", "match", "match", "match"),
    ("1", "match", "match", "match", "unknown", "unknown"),
    # Ichiro by kana, his twin by phone: two records, the best is his.
    ("2", "match", "match", "match", "match", "match"),
    # Jiro: the register says 女 (a typo) and has no phone.
    ("1", "match", "unknown", "mismatch", "unknown", "unknown"),
    ("1", "match", "match", "match", "mismatch", "mismatch"),
    # Only in the other organisation's list: nothing.
    ("0", "", "", "", "", ""),
    ("1", "match", "match", "match", "match", "match"),
    # Found by phone; the record has no kana.
    ("1", "unknown", "match", "unknown", "unknown", "unknown"),
    # Found by phone; the record's kana is another.
    ("1", "mismatch", "match", "unknown", "unknown", "unknown"),
    # Listed twice; the best is the current address.
    ("2", "match", "unknown", "unknown", "match", "match"),
    ("0", "", "", "", "", ""),
    ("error", "", "", "", "", ""),
    ("error", "", "", "", "", ""),
    ("0", "", "", "", "", ""),
]


def csv_line(fields):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()


class TestMatch(HotlineTest):
    start_daemon = False

    def setUp(self):
        super().setUp()
        src = self.dd.path("src")
        os.mkdir(src)
        self.orgs = os.path.join(src, "orgs.csv")
        self.list = os.path.join(src, "list.csv")
        with open(self.orgs, "w", encoding="utf-8") as f:
            f.write(ORGS)
        with open(self.list, "w", encoding="utf-8") as f:
            f.write(LIST_HEADER)
            for r in RECORDS:
                f.write(csv_line(list(r) + ["", ""]))
        self.dd.import_lists(orgs=self.orgs, lists=[self.list])
        self.register = os.path.join(src, "register.csv")
        self.lines = []
        with open(self.register, "w", encoding="utf-8") as f:
            f.write(REGISTER_HEADER)
            line = 2
            for r in REGISTER:
                text = csv_line(r)
                self.lines.append(line)
                line += text.count("\n")
                f.write(text)
        self.out = self.dd.path("matched.csv")

    def match(self, *args, check=True):
        return ctl("match", "-c", self.dd.conf, *args, check=check)

    def test_flags(self):
        p = self.match("--org", "adachi", self.register, "--out", self.out,
                       check=False)
        self.assertEqual(p.returncode, 1, p.stderr)   # rows in error
        self.assertIn("14 rows read, 9 matched (2 could not be read)",
                      p.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(self.out).st_mode), 0o600)
        with open(self.out, encoding="utf-8") as f:
            text = f.read()
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0], ["line", "records", "kana", "phone",
                                   "gender", "postal_code", "address"])
        got = [tuple(r[1:]) for r in rows[1:]]
        for i, (g, want) in enumerate(zip(got, EXPECTED)):
            self.assertEqual(g, want, f"register row {i + 1}: "
                             f"{dict(zip(F, g))}")
        self.assertEqual(len(got), len(EXPECTED))
        # Physical lines: the note over two lines moves the ones after.
        self.assertEqual([int(r[0]) for r in rows[1:]], self.lines)
        self.assertEqual(self.lines[2], 5)
        # The unreadable rows are named on stderr, without their values.
        self.assertIn(f"{self.register}:{self.lines[11]}: birthdate:",
                      p.stderr)
        self.assertIn(f"{self.register}:{self.lines[12]}: row: no match "
                      "key", p.stderr)
        self.assertNotIn("1980-02-30", p.stderr)

    def test_other_organisation_never_consulted(self):
        # The other organisation's view of the same register: only its
        # own three people, and Ito's record there is at another address.
        self.match("--org", "other", self.register, "--out", self.out,
                   check=False)
        with open(self.out, encoding="utf-8") as f:
            rows = list(csv.reader(f))[1:]
        found = {int(r[0]): r[1:] for r in rows if r[1] not in ("0",
                                                                "error")}
        self.assertEqual(sorted(found), [self.lines[5], self.lines[6],
                                         self.lines[10]])
        self.assertEqual(found[self.lines[6]], ["1", "match", "match",
                                                "match", "mismatch",
                                                "mismatch"])
        # The unknown-source group is an organisation like any other.
        p = self.match("--org", "unknown", self.register, "--out",
                       self.out, check=False)
        self.assertIn("0 matched", p.stdout)
        p = self.match("--org", "nosuch", self.register, "--out", self.out,
                       check=False)
        self.assertEqual(p.returncode, 2)

    def test_audited(self):
        self.match("--org", "adachi", self.register, "--out", self.out,
                   check=False)
        db = sqlite3.connect(os.path.join(self.dd.data, "hotline.db"))
        rows = db.execute("SELECT client, role, method, outcome, args FROM "
                          "audit WHERE method = 'match'").fetchall()
        db.close()
        self.assertEqual(len(rows), 1)
        client, role, method, outcome, args = rows[0]
        self.assertTrue(client.startswith("local:"), client)
        self.assertEqual((role, outcome), ("admin", "ok"))
        self.assertEqual(json.loads(args), {"org": "adachi", "rows": 14,
                                            "matched": 9})
        p = ctl("audit", "-c", self.dd.conf, "verify")
        self.assertIn("audit log OK", p.stdout)
        # A hotlined started afterwards goes on with the chain.
        d = Daemon(self.dd)
        try:
            c = d.connect("adm")
            r = c.call("audit.verify", {})
            self.assertTrue(r["result"]["ok"], r)
            c.close()
        finally:
            d.stop()
        p = ctl("audit", "-c", self.dd.conf, "verify")
        self.assertIn("audit log OK", p.stdout)

    def test_while_hotlined_serves(self):
        """The job's audit entry and a running hotlined's chain as one:
        requests audited before, between and after the job all commit,
        and the chain verifies."""
        self.dd.write_conf(port=0)
        d = Daemon(self.dd)
        try:
            c = d.connect("adm")
            self.assertIn("result", c.call("ping"))
            self.assertTrue(c.call("audit.verify", {})["result"]["ok"])
            p = self.match("--org", "adachi", self.register, "--out",
                           self.out, check=False)
            self.assertEqual(p.returncode, 1, p.stderr)   # rows in error
            self.assertTrue(os.path.exists(self.out))
            for _ in range(3):
                r = c.call("stats.summary", {})
                self.assertIn("result", r)
            r = c.call("audit.verify", {})
            self.assertTrue(r["result"]["ok"], r)
            c.close()
        finally:
            d.stop()
        p = ctl("audit", "-c", self.dd.conf, "verify")
        self.assertIn("audit log OK", p.stdout)
        db = sqlite3.connect(self.dd.path("data", "hotline.db"))
        methods = [m for (m,) in db.execute(
            "SELECT method FROM audit ORDER BY id")]
        db.close()
        i = methods.index("match")
        self.assertIn("audit.verify", methods[:i])
        self.assertIn("stats.summary", methods[i + 1:])

    def test_usage_and_failures_write_nothing(self):
        p = self.match("--org", "adachi", self.register, check=False)
        self.assertEqual(p.returncode, 2)
        p = self.match("--org", "adachi", self.register, "--out",
                       self.register, check=False)
        self.assertEqual(p.returncode, 2)
        bad = self.dd.path("bad.csv")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("氏名,住所\n山田,どこか\n")
        p = self.match("--org", "adachi", bad, "--out", self.out,
                       check=False)
        self.assertEqual(p.returncode, 3)
        self.assertIn("missing column birthdate", p.stderr)
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual([f for f in os.listdir(self.dd.root)
                          if f.startswith(".matched")], [])
        # --map reads another layout.
        with open(bad, "w", encoding="utf-8") as f:
            f.write("カナ名,誕生,連絡先\nヤマダ タロウ,1950-01-01,"
                    "090-1000-0001\n")
        p = self.match("--org", "adachi", "--map", "カナ名=kana,誕生=birthdate,"
                       "連絡先=phone", bad, "--out", self.out)
        with open(self.out, encoding="utf-8") as f:
            self.assertEqual(list(csv.reader(f))[1][:4],
                             ["2", "1", "match", "match"])

    def test_privacy_of_every_file_written(self):
        p = self.match("--org", "adachi", self.register, "--out", self.out,
                       check=False)
        people = []
        for r in REGISTER:
            people.append({"name": r[1], "kana": r[2], "birthdate": r[3],
                           "phone": r[5], "postal_code": r[6],
                           "address": r[7], "katagaki": ""})
        for r in RECORDS:
            people.append({"name": r[1], "kana": r[2], "phone": r[3],
                           "birthdate": r[5], "postal_code": r[6],
                           "address": r[7], "katagaki": ""})
        nb = set()
        for row in people:
            try:
                nb |= needles(row)
            except ValueError:
                nb |= {row["birthdate"]}
        nb = [n.encode() for n in nb]
        # The scanner finds what is there.
        self.assertTrue(scan([self.register], nb))
        files = [self.out]
        for top, _, names in os.walk(self.dd.data):
            files += [os.path.join(top, n) for n in names]
        self.assertEqual(scan(files, nb), [])
        out = (p.stdout + p.stderr).encode()
        self.assertEqual([n for n in nb if n in out], [])
