"""No plaintext (SPEC §4): after an import and a run of lookups, no file in
the data directory and no log line holds any imported person's phone,
birthdate, name, kana, postal code or address, in any form."""
import csv
import os
import re
import unicodedata

from harness import DataDir, Daemon, ctl

import unittest

ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018,
        "M": 1867, "T": 1911, "S": 1925, "H": 1988, "R": 2018}


def iso_birthdate(s):
    """The YYYY-MM-DD of the birthdate forms the generator writes."""
    s = unicodedata.normalize("NFKC", s).strip()
    m = re.fullmatch(r"(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})", s)
    if m:
        y, mo, d = map(int, m.groups())
        return f"{y:04d}-{mo:02d}-{d:02d}"
    m = re.fullmatch(r"(明治|大正|昭和|平成|令和|[MTSHR])(元|\d+)[年.](\d+)[月.]"
                     r"(\d+)日?", s)
    if m:
        era, y, mo, d = m.groups()
        y = 1 if y == "元" else int(y)
        return f"{ERAS[era] + y:04d}-{int(mo):02d}-{int(d):02d}"
    raise ValueError("unexpected birthdate form in the generated list")


def phone_digits(s):
    d = re.sub(r"\D", "", unicodedata.normalize("NFKC", s))
    if d.startswith("81"):
        d = "0" + d[2:]
    return d


def needles(row):
    """Every form of a row's personal data that must not be stored."""
    out = set()
    for key in ("name", "kana", "address", "katagaki"):
        v = row[key].strip()
        if len(v) >= 2:
            out.add(v)
            out.add(v.replace(" ", "").replace("\u3000", ""))
    kana = unicodedata.normalize("NFKC", row["kana"]).replace(" ", "")
    if len(kana) >= 2:
        out.add(kana)
    if row["phone"]:
        out.add(row["phone"])
        d = phone_digits(row["phone"])
        out.add(d)
        out.add(d[1:])                      # without the trunk 0
        out.add("81" + d[1:])
    b = row["birthdate"]
    out.add(b)
    iso = iso_birthdate(b)
    out.add(iso)
    out.add(iso.replace("-", ""))
    out.add(iso.replace("-", "/"))
    if row["postal_code"]:
        out.add(row["postal_code"])
        out.add(re.sub(r"\D", "", row["postal_code"]))
    return {n for n in out if len(n.encode()) >= 6}


def scan(paths, needles_bytes):
    """(path, needle) pairs found."""
    hits = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        for n in needles_bytes:
            if n in data:
                hits.append((path, n.decode()))
    return hits


class TestNoPlaintext(unittest.TestCase):

    def setUp(self):
        self.dd = DataDir(import_list=False, log_level="debug")
        self.src = self.dd.path("src")
        os.mkdir(self.src)
        self.orgs = os.path.join(self.src, "orgs.csv")
        self.list = os.path.join(self.src, "list.csv")
        ctl("gen", "--rows", "2000", "--seed", "11", "--orgs-out",
            self.orgs, "--list-out", self.list)
        self.import_out = self.dd.import_lists(orgs=self.orgs,
                                               lists=[self.list])
        self.d = Daemon(self.dd)

    def tearDown(self):
        try:
            self.d.stop()
        finally:
            self.d.kill()
            self.dd.cleanup()

    def test_no_personal_data_in_files_or_logs(self):
        with open(self.list, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 2000)
        c = self.d.connect("gw")
        op = self.d.connect("op")
        looked = 0
        for i, row in enumerate(rows[:400]):
            if not row["phone"]:
                continue
            conn = op if i % 5 == 0 else c
            r = conn.call("lookup", {"phone": row["phone"],
                                     "birthdate": row["birthdate"]})
            self.assertEqual(r["result"]["status"], "affected", row)
            # A near miss and an invalid request carry personal data too.
            conn.call("lookup", {"phone": row["phone"],
                                 "birthdate": "1900-01-01"})
            conn.call("lookup", {"phone": row["phone"] + "9",
                                 "birthdate": row["birthdate"]})
            looked += 1
        self.assertGreater(looked, 300)
        c.close()
        op.close()
        self.d.stop()

        all_needles = set()
        for row in rows:
            all_needles |= needles(row)
        self.assertGreater(len(all_needles), 10000)
        nb = [n.encode() for n in all_needles]

        # The scanner finds what is there: every raw value of the first
        # rows is found in the source list.
        raw = {v.encode() for row in rows[:50] for v in
               (row["phone"], row["birthdate"], row["kana"], row["address"])
               if len(v.encode()) >= 6}
        self.assertGreater(len(raw), 120)
        self.assertEqual(len(scan([self.list], raw)), len(raw))

        files = []
        for top, _, names in os.walk(self.dd.data):
            files += [os.path.join(top, n) for n in names]
        self.assertTrue(any(f.endswith("affected.db") for f in files))
        self.assertTrue(any(f.endswith("hotline.db") for f in files))
        files.append(self.d.log_path)
        hits = scan(files, nb)
        self.assertEqual(hits, [])
        # The import's own output names no person either.
        out = (self.import_out.stdout + self.import_out.stderr).encode()
        self.assertEqual([n for n in nb if n in out], [])
        # The log did record the lookups, masked.
        self.assertRegex(self.d.log(), r"phone \*{6,7}\d{4}, affected")


class TestRejectsAndMatchFiles(unittest.TestCase):
    """What the import and the match job write besides the data
    directory — the rejects file, the match output and their reports —
    holds no value of the generated list either, bad rows included."""

    def test_rejects_and_match_output(self):
        dd = DataDir(import_list=False)
        try:
            src = dd.path("src")
            os.mkdir(src)
            orgs = os.path.join(src, "orgs.csv")
            lst = os.path.join(src, "list.csv")
            ctl("gen", "--rows", "600", "--seed", "12", "--orgs-out", orgs,
                "--list-out", lst)
            with open(lst, encoding="utf-8", newline="") as f:
                rows = list(csv.DictReader(f))
            # Spoil a field or two of every tenth row: they are rejected
            # with their line, field and reason.
            bad = [dict(r) for r in rows]
            for i in range(0, len(bad), 10):
                bad[i]["postal_code"] = "12"
                if bad[i]["phone"]:
                    bad[i]["phone"] = bad[i]["phone"][:5]
            spoiled = os.path.join(src, "spoiled.csv")
            with open(spoiled, "w", encoding="utf-8", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
                w.writeheader()
                w.writerows(bad)
            rejects = dd.path("rejects.csv")
            p = ctl("import", "-c", dd.conf, "--orgs", orgs, "--rejects",
                    rejects, "--max-errors", "100", spoiled)
            with open(rejects, encoding="utf-8") as f:
                self.assertGreaterEqual(len(f.read().splitlines()), 61)
            # The register: every person of one organisation, as it
            # might have kept them, in its own header names.
            org = next(r["org_code"] for r in rows if r["org_code"])
            register = os.path.join(src, "register.csv")
            with open(register, "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f)
                w.writerow(["氏名", "フリガナ", "電話番号", "生年月日", "住所"])
                for r in rows:
                    w.writerow([r["name"], r["kana"], r["phone"],
                                r["birthdate"], r["address"]])
            out = dd.path("matched.csv")
            m = ctl("match", "-c", dd.conf, "--org", org, register, "--out",
                    out, check=False)
            self.assertIn(m.returncode, (0, 1), m.stderr)
            with open(out, encoding="utf-8") as f:
                self.assertEqual(len(f.read().splitlines()), len(rows) + 1)
            nb = set()
            for row in rows:
                nb |= needles(row)
            nb = [n.encode() for n in nb]
            self.assertTrue(scan([register], nb))
            files = [rejects, out]
            for top, _, names in os.walk(dd.data):
                files += [os.path.join(top, n) for n in names]
            self.assertEqual(scan(files, nb), [])
            said = (p.stdout + p.stderr + m.stdout + m.stderr).encode()
            self.assertEqual([n for n in nb if n in said], [])
        finally:
            dd.cleanup()
