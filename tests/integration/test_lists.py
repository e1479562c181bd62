"""Lists as organisations send them (hotline-lists(5)): Japanese header
names, --map, every bad field of a row, one diagnosis for a file of the
wrong kind, --encoding and --orgs-encoding, --rejects, no lock file."""
import csv
import io
import os
import stat

from harness import HotlineTest

JA_HEADER = "団体コード,氏名,フリガナ,電話番号,性別,生年月日,郵便番号,住所,方書\n"


def write(dd, name, text, encoding="utf-8"):
    path = dd.path(name)
    with open(path, "wb") as f:
        f.write(text.encode(encoding) if isinstance(text, str) else text)
    return path


class ListTest(HotlineTest):
    start_daemon = False

    def imp(self, lists, extra=(), orgs=None, check=False):
        return self.dd.import_lists(orgs=orgs, lists=lists, extra=list(extra),
                                    check=check)


class TestHeaders(ListTest):

    def test_japanese_header_names(self):
        # Half-width kana, full-width letters and spaces fold alike.
        text = ("団体コード, 氏名 ,ﾌﾘｶﾞﾅ,ＴＥＬ,性別,生年月日,〒,住所,方書\n"
                "komorebi,山田 太郎,ヤマダ タロウ,090-1111-2222,男,"
                "1975-04-01,100-0001,東京都千代田区千代田1-1-1,\n")
        p = self.imp([write(self.dd, "ja.csv", text)])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("imported 1 rows", p.stdout)
        # Missing optional columns are empty fields; birthdate and a key
        # are required.
        p = self.imp([write(self.dd, "few.csv", "団体コード,電話番号,生年月日\n"
                            "komorebi,090-1111-2222,1975-04-01\n")])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.imp([write(self.dd, "nokey.csv", "団体コード,氏名,生年月日\n"
                            "komorebi,山田,1975-04-01\n")])
        self.assertEqual(p.returncode, 1)
        self.assertIn("nokey.csv:1: header: missing columns kana and phone",
                      p.stderr)

    def test_unknown_and_duplicate_columns(self):
        p = self.imp([write(self.dd, "u.csv", JA_HEADER.strip() + ",備考\n"
                            "komorebi,a,ア,090-1111-0000,,1980-01-01,,,,x\n")])
        self.assertEqual(p.returncode, 1)
        self.assertIn("u.csv:1: header: unknown column 10", p.stderr)
        # The header's own text is never quoted (it may be a data row).
        self.assertNotIn("備考", p.stderr)
        p = self.imp([write(self.dd, "d.csv", "org_code,電話番号,phone,"
                            "birthdate\nkomorebi,1,2,1980-01-01\n")])
        self.assertEqual(p.returncode, 1)
        self.assertIn("column phone appears twice (columns 2 and 3)",
                      p.stderr)

    def test_map(self):
        text = ("団体,カナ名,連絡先TEL,誕生,備考\n"
                "komorebi,ヤマダ タロウ,090-1111-2222,1975-04-01,メモ\n")
        path = write(self.dd, "m.csv", text)
        p = self.imp([path])
        self.assertEqual(p.returncode, 1)
        p = self.imp([path], ["--map", "団体=org_code,カナ名=kana,"
                              "連絡先TEL=phone,誕生=birthdate,備考=-"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("imported 1 rows", p.stdout)
        # A --map entry for no column of the header is a typo.
        p = self.imp([path], ["--map", "団体=org_code,カナ名=kana,"
                              "連絡先TEL=phone,誕生=birthdate,備考=-,"
                              "誕生日=birthdate"])
        self.assertEqual(p.returncode, 1)
        self.assertIn("--map entry 6 names no column", p.stderr)
        p = self.imp([path], ["--map", "団体=organisation"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("--map: entry 1", p.stderr)


class TestErrors(ListTest):

    def test_every_bad_field_of_a_row(self):
        path = write(self.dd, "bad.csv", JA_HEADER +
                     "nosuch,a,ｶﾝｼﾞ漢字,090-12,X,1980-13-01,12,,\n"
                     "komorebi,a,ア,090-1111-0000,,1980-01-01,,,\n")
        p = self.imp([path])
        self.assertEqual(p.returncode, 1)
        for field in ("org_code", "kana", "phone", "gender", "birthdate",
                      "postal_code"):
            self.assertIn(f"bad.csv:2: {field}: ", p.stderr, field)
        self.assertIn("1 bad row(s)", p.stderr)
        self.assertNotIn("bad.csv:3:", p.stderr)

    def test_rejects_file(self):
        path = write(self.dd, "bad.csv", JA_HEADER +
                     "nosuch,山田,ヤマダ,090-12,X,1980-13-01,12,,\n"
                     "komorebi,a,ア,090-1111-0000,,1980-01-01,,,\n"
                     "komorebi,a,ア,090-1111-0000\n")
        rej = self.dd.path("rejects.csv")
        with open(rej, "w") as f:
            f.write("old content\n")
        os.chmod(rej, 0o644)
        p = self.imp([path], ["--rejects", rej])
        self.assertEqual(p.returncode, 1)
        self.assertEqual(stat.S_IMODE(os.stat(rej).st_mode), 0o600)
        with open(rej, encoding="utf-8") as f:
            text = f.read()
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual([(r["line"], r["field"]) for r in rows],
                         [("2", "org_code"), ("2", "birthdate"),
                          ("2", "phone"), ("2", "gender"), ("2", "postal_code"),
                          ("4", "row")])
        self.assertTrue(all(r["file"] == path for r in rows))
        # Where and why, never what.
        for value in ("山田", "ヤマダ", "090-12", "1980-13-01", "nosuch"):
            self.assertNotIn(value, text)
        self.assertNotIn("old content", text)

    def test_file_level_diagnosis(self):
        row = "komorebi,山田 太郎,ヤマダ タロウ,090-1111-2222,男,1975-04-01,,,\n"
        many = JA_HEADER + row * 40
        cases = [
            ("u16.csv", many.encode("utf-16"), "UTF-16"),
            ("u16le.csv", many.encode("utf-16-le"), "UTF-16"),
            ("euc.csv", many.encode("euc-jp"), "EUC-JP"),
            ("tab.tsv", many.replace(",", "\t").encode(), "tab-separated"),
        ]
        for name, data, what in cases:
            path = write(self.dd, name, data)
            p = self.imp([path])
            self.assertEqual(p.returncode, 1, (name, p.stderr))
            self.assertIn(what, p.stderr, name)
            # One diagnosis for the file, not one error per row.
            self.assertLessEqual(len(p.stderr.strip().splitlines()), 2,
                                 (name, p.stderr))
        # The same for an organisation list, and with --encoding cp932.
        p = self.imp([self.dd.lists[0]], ["--encoding", "cp932"],
                     orgs=write(self.dd, "o16.csv", open(self.dd.orgs,
                                encoding="utf-8").read().encode("utf-16")))
        self.assertEqual(p.returncode, 1)
        self.assertIn("UTF-16", p.stderr)
        p = self.imp([self.dd.path("euc.csv")], ["--encoding", "cp932"])
        self.assertIn("EUC-JP", p.stderr)

    def test_encodings_apart(self):
        # A CP932 list with a UTF-8 organisation list: --encoding names
        # the lists only.
        cp = write(self.dd, "cp.csv", JA_HEADER +
                   "komorebi,髙橋 﨑,タカハシ,090-0000-1234,,1980-01-01,,,\n",
                   "cp932")
        p = self.imp([cp], ["--encoding", "cp932"])
        self.assertEqual(p.returncode, 0, p.stderr)
        # A CP932 organisation list needs --orgs-encoding (or auto).
        with open(self.dd.orgs, encoding="utf-8") as f:
            orgs = write(self.dd, "orgs-cp.csv", f.read(), "cp932")
        p = self.imp([self.dd.lists[0]], ["--orgs-encoding", "cp932"],
                     orgs=orgs)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.imp([self.dd.lists[0]], ["--orgs-encoding", "utf-8"],
                     orgs=orgs)
        self.assertEqual(p.returncode, 1)
        self.assertIn("bad UTF-8", p.stderr)

    def test_no_lock_file_left(self):
        self.imp([self.dd.lists[0]], check=True)
        self.imp([write(self.dd, "x.csv", "nonsense\n")])
        self.assertNotIn("import.lock", os.listdir(self.dd.data))
        self.assertNotIn("affected.db.new", os.listdir(self.dd.data))
