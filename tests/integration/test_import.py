"""hotlinectl import (SPEC §4.1-4.2): error reports, atomicity, encodings,
and the summary."""
import hashlib
import os
import re
import sqlite3

from harness import PEOPLE, DataDir, Daemon, HotlineTest, ctl

HEADER = ("org_code,name,kana,phone,gender,birthdate,postal_code,address,"
          "katagaki,extra_items\n")


def file_hash(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write(dd, name, text, encoding="utf-8"):
    path = dd.path(name)
    with open(path, "wb") as f:
        f.write(text.encode(encoding))
    return path


class TestImportErrors(HotlineTest):

    def test_bad_rows_named_and_nothing_changes(self):
        before = file_hash(os.path.join(self.dd.data, "affected.db"))
        bad = write(self.dd, "bad.csv", HEADER +
                    "komorebi,a,ア,090-1111-0000,,1980-01-01,,,,\n"
                    "nosuch,a,ア,090-1111-0001,,1980-01-01,,,,\n"
                    "komorebi,a,ア,090-1111-0002,,1980-02-30,,,,\n"
                    "komorebi,a,ア,1234,,1980-01-01,,,,\n"
                    "komorebi,a,ア,090-1111-0003,X,1980-01-01,,,,\n"
                    "komorebi,a,ア,090-1111-0004,,1980-01-01\n"
                    "komorebi,a,山田,,,1980-01-01,,,,\n"
                    "komorebi,a,,,,1980-01-01,,,,\n"
                    "komorebi,a,ア,090-1111-0005,,1980-01-01,12-3,,,\n"
                    "komorebi,a,ア,090-1111-0006,,1980-01-01,,,,ssn\n")
        p = self.dd.import_lists(lists=[bad], check=False)
        self.assertNotEqual(p.returncode, 0)
        err = p.stderr
        for line, field in ((3, "org_code"), (4, "birthdate"), (5, "phone"),
                            (6, "gender"), (7, "row"), (8, "kana"),
                            (9, "row"), (10, "postal_code"),
                            (11, "extra_items")):
            self.assertRegex(err, re.escape(f"{bad}:{line}: {field}: "),
                             err)
        self.assertNotIn(f"{bad}:2:", err)
        self.assertIn("nothing imported", err)
        # No value from the file is repeated in the report.
        self.assertNotIn("090-1111-0004", err)
        self.assertNotIn("1980-02-30", err)
        self.assertEqual(before, file_hash(os.path.join(self.dd.data,
                                                        "affected.db")))
        self.assertFalse(os.path.exists(os.path.join(self.dd.data,
                                                     "affected.db.new")))
        # The running daemon still serves the old list.
        c = self.connect("gw")
        r = self.assertResult(c.call("lookup", {"phone": "09011112222",
                                                "birthdate": "1975-04-01"}))
        self.assertEqual(r["status"], "affected")

    def test_max_errors(self):
        bad = write(self.dd, "bad.csv", HEADER +
                    "komorebi,a,ア,090-1111-0000,,1980-01-01,,,,\n"
                    "komorebi,a,ア,090-1111-0001,,1980-13-01,,,,\n"
                    "komorebi,a,ア,090-1111-0002,,1980-01-01,,,,\n"
                    "komorebi,a,ア,09,,1980-01-01,,,,\n")
        p = self.dd.import_lists(lists=[bad], extra=["--max-errors", "1"],
                                 check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(f"{bad}:3: birthdate:", p.stderr)
        self.assertIn(f"{bad}:5: phone:", p.stderr)
        p = self.dd.import_lists(lists=[bad], extra=["--max-errors", "2"])
        self.assertIn(f"{bad}:3: birthdate:", p.stderr)
        self.assertIn("imported 2 rows", p.stdout)
        self.assertIn("bad rows skipped (--max-errors): 2", p.stdout)

    def test_unterminated_quote_and_bad_header(self):
        bad = write(self.dd, "q.csv", HEADER +
                    'komorebi,"a,ア,090-1111-0000,,1980-01-01,,,,\n')
        p = self.dd.import_lists(lists=[bad], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(f"{bad}:2: row: unterminated", p.stderr)
        hdr = write(self.dd, "h.csv", "org,name\nkomorebi,a\n")
        p = self.dd.import_lists(lists=[hdr], check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(f"{hdr}:1: header: missing column birthdate",
                      p.stderr)
        self.assertIn(f"{hdr}:1: header: unknown column 1", p.stderr)

    def test_bad_org_list(self):
        orgs = write(self.dd, "orgs.csv",
                     "code,name,kind,service,period_from,period_to,"
                     "contact_name,contact_phone,contact_hours,status_note\n"
                     "Bad Code,x,municipality,s,,,,,,\n"
                     "ok,x,city,s,,,,,,\n"
                     "ok2,x,company,s,2020-01-01,2019-01-01,,,,\n"
                     "unknown,x,company,s,,,,,,\n")
        p = self.dd.import_lists(orgs=orgs, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(f"{orgs}:2: code:", p.stderr)
        self.assertIn(f"{orgs}:3: kind:", p.stderr)
        self.assertIn(f"{orgs}:4: period_to: before period_from", p.stderr)
        self.assertIn(f"{orgs}:5: code: \"unknown\" is reserved", p.stderr)

    def test_missing_file(self):
        p = self.dd.import_lists(lists=[self.dd.path("none.csv")],
                                 check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("none.csv", p.stderr)


class TestImportSummary(HotlineTest):
    start_daemon = False

    def test_summary_counts(self):
        p = self.dd.import_lists()
        out = p.stdout
        self.assertIn("imported 9 rows from 1 file(s)", out)
        self.assertRegex(out, r"lookup keys \(phone \+ birthdate\): +6\n")
        self.assertRegex(out, r"search keys \(kana \+ birthdate\): +7\n")
        self.assertRegex(out, r"rows without phone: +1\n")
        self.assertRegex(out, r"rows of unknown source: +1\n")
        self.assertRegex(out, r"komorebi +4\n")
        self.assertRegex(out, r"sakura-tel +2\n")
        self.assertRegex(out, r"aoba-kokuho +2\n")

    def test_no_progress_line_on_a_pipe(self):
        p = self.dd.import_lists()
        self.assertNotIn("rows/s", p.stderr)
        self.assertEqual(p.stderr, "")

    def test_progress_line_on_a_terminal(self):
        import pty
        from harness import binary
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(binary("hotlinectl"), [
                "hotlinectl", "import", "-c", self.dd.conf, "--orgs",
                self.dd.orgs, *self.dd.lists])
        out = b""
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        text = out.decode("utf-8", "replace")
        self.assertRegex(text, r"\r\x1b\[K9 rows +\d+ rows/s +100% +0:00 "
                         r"left")
        self.assertIn("imported 9 rows", text)

    def test_key_is_never_overwritten(self):
        key = os.path.join(self.dd.data, "hotline.key")
        before = file_hash(key)
        p = ctl("init", "-c", self.dd.conf, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("refusing to overwrite", p.stderr)
        self.assertEqual(before, file_hash(key))
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)


class TestEncodings(HotlineTest):
    start_daemon = False

    def records(self, dd):
        """Everything affected.db stores of the people (same key: same
        bytes for the same people)."""
        db = sqlite3.connect(os.path.join(dd.data, "affected.db"))
        try:
            return (db.execute("SELECT * FROM lookup ORDER BY slot")
                    .fetchall(),
                    db.execute("SELECT * FROM search ORDER BY slot")
                    .fetchall())
        finally:
            db.close()

    def test_cp932_twin_imports_the_same_people(self):
        # A generated list, plus names only CP932 (not SHIFT_JIS) encodes.
        gen_orgs, gen_list = self.dd.path("g-orgs.csv"), self.dd.path(
            "g-list.csv")
        ctl("gen", "--rows", "3000", "--seed", "7", "--orgs-out", gen_orgs,
            "--list-out", gen_list)
        with open(gen_list, encoding="utf-8") as f:
            text = f.read()
        code = text.splitlines()[1].split(",")[0] or \
            text.splitlines()[2].split(",")[0]
        text += (f"{code},髙橋 﨑子,タカハシ サキコ,090-0000-1234,女,"
                 "1980-01-01,,架空市１－２－３ ① ～ －,㈱サンプル,\n")
        # ゔ has no CP932 code; the twin is what Windows would read back.
        cp_bytes = text.replace("ゔ", "ヴ").encode("cp932")
        utf8 = write(self.dd, "u.csv", cp_bytes.decode("cp932"))
        cp932 = self.dd.path("s.csv")
        with open(cp932, "wb") as f:
            f.write(cp_bytes)
        with open(gen_orgs, encoding="utf-8") as f:
            orgs_cp = write(self.dd, "o-s.csv", f.read(), "cp932")
        self.dd.import_lists(orgs=gen_orgs, lists=[utf8])
        first = self.records(self.dd)
        p = self.dd.import_lists(orgs=orgs_cp, lists=[cp932])
        self.assertIn("imported 3,001 rows", p.stdout)
        self.assertEqual(first, self.records(self.dd))
        p = self.dd.import_lists(orgs=orgs_cp, lists=[cp932],
                                 extra=["--encoding", "cp932"])
        self.assertEqual(first, self.records(self.dd))
        # 3001 people, every one with a kana name: 3001 search entries.
        self.assertEqual(sum(len(blob) for _, blob in first[1]), 3001 * 48)

    def test_bom_and_crlf(self):
        with open(os.path.join(PEOPLE, "affected.csv"), encoding="utf-8") as f:
            text = f.read()
        self.dd.import_lists()
        plain = self.records(self.dd)
        bom = write(self.dd, "bom.csv", "\ufeff" + text.replace("\n", "\r\n"))
        self.dd.import_lists(lists=[bom])
        self.assertEqual(plain, self.records(self.dd))

    def test_utf8_forced_on_cp932_names_the_line(self):
        cp = write(self.dd, "s.csv", HEADER +
                   "komorebi,髙橋,タカハシ,090-0000-1234,,1980-01-01,,,,\n",
                   "cp932")
        p = self.dd.import_lists(lists=[cp], extra=["--encoding", "utf-8"],
                                 check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(f"{cp}:2: row: bad UTF-8", p.stderr)


class TestImportWhileServing(HotlineTest):

    def test_second_import_while_first_holds_lock_is_refused(self):
        # The lock is the data directory itself: no file is left behind.
        import fcntl
        self.assertNotIn("import.lock", os.listdir(self.dd.data))
        fd = os.open(self.dd.data, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            p = self.dd.import_lists(check=False)
        finally:
            os.close(fd)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("another import is running", p.stderr)
        self.dd.import_lists()
        self.assertEqual(sorted(f for f in os.listdir(self.dd.data)
                                if not f.startswith("hotline.db")),
                         ["affected.db", "hotline.key"])
