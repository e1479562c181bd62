"""The operator methods (SPEC §6.2): operator.search and operator.verify
("verify, don't reveal"), refs and their binding to the operator,
notice.render, inquiry.record, and who may call them. Against the
hand-made list in tests/data/people."""
import json
import os
import sqlite3
import time

from harness import HotlineTest

# Text notices write the fraud warning's numbers as dialled (SPEC §6).
FRAUD_JA = "警察相談専用電話（#9110）"
FRAUD_EN = "police consultation line (#9110)"

KOMOREBI = {"code": "komorebi", "name": "こもれび市", "kind": "municipality"}
SAKURA = {"code": "sakura-tel", "name": "さくら通信株式会社",
          "kind": "company"}
AOBA = {"code": "aoba-kokuho", "name": "あおば県国民健康保険団体連合会",
        "kind": "agency"}

# Every form of the fixture's personal data (tests/data/people/affected.csv)
# and of what the tests type: none may appear in any answer. Org names,
# codes and contacts are clear data and may.
STORED = [
    # names
    "山田 太郎", "山田太郎", "山田", "太郎", "鈴木 花子", "鈴木花子", "鈴木",
    "花子", "佐藤 一郎", "佐藤", "一郎", "髙橋 京子", "髙橋", "高橋", "京子",
    "山﨑 次郎", "山﨑", "次郎", "田中, 三郎", "田中", "三郎", "伊藤 美咲",
    "伊藤", "美咲",
    # kana, every way it is written
    "ヤマダ タロウ", "ヤマダタロウ", "ヤマダ", "タロウ", "やまだ", "たろう",
    "ﾔﾏﾀﾞ", "ﾀﾛｳ", "スズキ ハナコ", "スズキ", "ハナコ", "すずき", "はなこ",
    "ｽｽﾞｷ", "ﾊﾅｺ", "サトウ", "イチロウ", "タカハシ", "キョウコ", "キヨウコ",
    "たかはし", "きょうこ", "ヤマザキ", "ジロウ", "タナカ", "サブロウ",
    "イトウ", "ミサキ",
    # phones
    "090-1111-2222", "09011112222", "9011112222", "819011112222",
    "080-3333-4444", "08033334444", "8033334444", "03-1234-5678",
    "0312345678", "+81 90-5555-6666", "09055556666", "9055556666",
    "070-7777-8888", "07077778888", "050-2222-3333", "05022223333",
    "０９０", "１１１１－２２２２",
    # birthdates
    "1975-04-01", "19750401", "1975/4/1", "1975/04/01", "1975年4月1日",
    "昭和50年4月1日", "S50.4.1", "3500401", "1970-12-03", "19701203",
    "1970/12/3", "昭和45年12月3日", "3451203", "1950-01-15", "19500115",
    "1988-08-08", "19880808", "1989-01-08", "19890108", "H1.1.8",
    "1960-06-30", "19600630", "1999-09-09", "19990909",
    # postal codes
    "100-0001", "1000001", "150-0002", "1500002", "160-0022", "1600022",
    "980-0011", "9800011", "123-4567", "1234567",
    # addresses and 方書
    "東京都千代田区千代田", "千代田1丁目1番1号", "千代田1-1-1", "千代田１－１－１",
    "一丁目一番一号", "本町2-3-4", "コーポ本町", "101号室", "東京都新宿区",
    "新宿3-1-1", "中央1-1-1", "中町", "5-6-7", "さくら市1-2-3", "ハイツさくら",
    "202号室",
]


def inquiry_rows(dd):
    db = sqlite3.connect(os.path.join(dd.data, "hotline.db"))
    try:
        rows = {r[0]: r[1:] for r in db.execute(
            "SELECT id, time, channel, client, outcome, duration_s, "
            "completed FROM inquiry")}
        orgs = {}
        for inq, org in db.execute("SELECT inquiry, org FROM inquiry_org "
                                   "ORDER BY inquiry, org"):
            orgs.setdefault(inq, []).append(org)
    finally:
        db.close()
    return rows, orgs


class OperatorTest(HotlineTest):

    def search(self, conn, kana, birthdate, **kw):
        params = {"kana": kana, "birthdate": birthdate}
        params.update(kw)
        return self.assertResult(conn.call("operator.search", params))

    def candidates(self, conn, kana, birthdate, **kw):
        cands = self.search(conn, kana, birthdate, **kw)["candidates"]
        for c in cands:
            self.assertEqual(set(c), {"ref", "org", "items", "checks"}, c)
            self.assertIsInstance(c["ref"], str)
            self.assertGreaterEqual(len(c["ref"]), 16, c)
            self.assertEqual(set(c["org"]), {"code", "name", "kind"})
            self.assertIsInstance(c["items"], list)
            self.assertIsInstance(c["checks"], dict)
        return cands

    def ref_of(self, conn, kana, birthdate, org="komorebi", index=0):
        cands = [c for c in self.candidates(conn, kana, birthdate)
                 if c["org"]["code"] == org]
        return cands[index]["ref"]


class TestSearch(OperatorTest):

    def test_kana_forms_and_birthdate_forms(self):
        op = self.connect("op")
        kanas = ["ヤマダ タロウ", "ヤマダタロウ", "やまだ たろう", "やまだたろう",
                 "ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞﾀﾛｳ", "ヤマダ　タロウ", "ヤマダ・タロウ",
                 "ヤマタ゛ タロウ"]
        births = ["1975-04-01", "1975/4/1", "19750401", "昭和50年4月1日",
                  "S50.4.1", "昭50.4.1", "１９７５年４月１日"]
        for k in kanas:
            for b in births:
                cands = self.candidates(op, k, b)
                # Two records of 山田 太郎 in komorebi: two candidates.
                self.assertEqual([c["org"] for c in cands],
                                 [KOMOREBI, KOMOREBI], (k, b))
                self.assertEqual(len({c["ref"] for c in cands}), 2)
                self.assertEqual(cands[0]["checks"], {})

    def test_one_candidate_per_record(self):
        op = self.connect("op")
        cands = self.candidates(op, "すずき はなこ", "1970-12-03")
        self.assertEqual([c["org"] for c in cands], [KOMOREBI, SAKURA])
        self.assertEqual(cands[0]["items"], [
            "name", "kana", "phone", "gender", "birthdate", "postal_code",
            "address", "katagaki"])
        self.assertEqual(cands[1]["items"], [
            "name", "kana", "phone", "gender", "birthdate"])
        # The two records of 山田 太郎 hold different items.
        cands = self.candidates(op, "ヤマダ タロウ", "1975-04-01")
        self.assertEqual(sorted(len(c["items"]) for c in cands), [5, 8])
        self.assertIn("age", cands[0]["items"] + cands[1]["items"])
        # Unknown source: the built-in group.
        cands = self.candidates(op, "サトウ イチロウ", "1950-01-15")
        self.assertEqual(len(cands), 1)
        self.assertEqual(cands[0]["org"]["code"], "unknown")
        self.assertEqual(cands[0]["org"]["kind"], "unknown")
        self.assertTrue(cands[0]["org"]["name"])

    def test_small_kana_folded(self):
        op = self.connect("op")
        for kana in ("タカハシ キヨウコ", "タカハシ キョウコ", "たかはしきようこ",
                     "ﾀｶﾊｼ ｷｮｳｺ"):
            cands = self.candidates(op, kana, "1988-08-08")
            self.assertEqual([c["org"] for c in cands], [AOBA], kana)
        # A list folded by a bank-kana system matches today's spelling.
        cands = self.candidates(op, "ヤマザキ ジロウ", "平成元年1月8日")
        self.assertEqual([c["org"] for c in cands], [AOBA])

    def test_no_match(self):
        op = self.connect("op")
        self.assertEqual(self.candidates(op, "やまだ たろう", "1975-04-02"),
                         [])
        self.assertEqual(self.candidates(op, "やまだ じろう", "1975-04-01"),
                         [])
        # The phone is not a search key.
        self.assertEqual(self.candidates(op, "やまだ はなこ", "1975-04-01",
                                         phone="090-1111-2222"), [])

    def test_checks_match_mismatch_unknown(self):
        op = self.connect("op")
        # 山田 太郎: the first record has every field, the second no
        # postal code.
        cands = self.candidates(op, "やまだ たろう", "S50.4.1", gender="男",
                                postal_code="100-0001",
                                phone="090-1111-2222")
        self.assertEqual([c["checks"] for c in cands], [
            {"gender": "match", "postal_code": "match", "phone": "match"},
            {"gender": "match", "postal_code": "unknown", "phone": "match"},
        ])
        cands = self.candidates(op, "やまだ たろう", "S50.4.1", gender="F",
                                postal_code="100-0002",
                                phone="+81 90 1111 2223")
        self.assertEqual([c["checks"] for c in cands], [
            {"gender": "mismatch", "postal_code": "mismatch",
             "phone": "mismatch"},
            {"gender": "mismatch", "postal_code": "unknown",
             "phone": "mismatch"},
        ])
        # Other spellings of the same values.
        cands = self.candidates(op, "ヤマダタロウ", "1975-04-01", gender="M",
                                postal_code="〒１００－０００１",
                                phone="０９０１１１１２２２２")
        self.assertEqual(cands[0]["checks"], {
            "gender": "match", "postal_code": "match", "phone": "match"})
        # 鈴木 花子: sakura-tel's record has no postal code.
        cands = self.candidates(op, "スズキ ハナコ", "1970-12-03",
                                postal_code="1500002", gender="2")
        self.assertEqual([(c["org"]["code"], c["checks"]) for c in cands], [
            ("komorebi", {"postal_code": "match", "gender": "match"}),
            ("sakura-tel", {"postal_code": "unknown", "gender": "match"}),
        ])
        # 髙橋 京子 has no phone: unknown, whatever is said.
        for phone in ("090-0000-0000", "03-1234-5678"):
            cands = self.candidates(op, "タカハシ キヨウコ", "1988-08-08",
                                    phone=phone, gender="女")
            self.assertEqual(cands[0]["checks"], {"phone": "unknown",
                                                  "gender": "match"})
        # Only the fields given are checked.
        cands = self.candidates(op, "タカハシ キョウコ", "1988-08-08",
                                postal_code="980-0012")
        self.assertEqual(cands[0]["checks"], {"postal_code": "mismatch"})

    def test_invalid_params(self):
        op = self.connect("op")
        cases = [
            ({"birthdate": "1975-04-01"}, "kana"),
            ({"kana": "ヤマダ タロウ"}, "birthdate"),
            ({"kana": "山田 太郎", "birthdate": "1975-04-01"}, "kana"),
            ({"kana": 12, "birthdate": "1975-04-01"}, "kana"),
            ({"kana": "ヤマダ タロウ", "birthdate": "1975-02-30"},
             "birthdate"),
            ({"kana": "ヤマダ タロウ", "birthdate": "昭和64年1月8日"},
             "birthdate"),
            ({"kana": "ヤマダ タロウ", "birthdate": "1975-04-01",
              "gender": "x"}, "gender"),
            ({"kana": "ヤマダ タロウ", "birthdate": "1975-04-01",
              "postal_code": "100-00011"}, "postal_code"),
            ({"kana": "ヤマダ タロウ", "birthdate": "1975-04-01",
              "phone": "#9110"}, "phone"),
            ({"kana": "ヤマダ タロウ", "birthdate": "1975-04-01",
              "phone": 9011112222}, "phone"),
        ]
        for params, field in cases:
            e = self.assertError(op.call("operator.search", params), -32602,
                                 field)
            self.assertTrue(e["data"]["reason"])
            text = json.dumps(e, ensure_ascii=False)
            for v in params.values():
                if isinstance(v, str) and len(v) > 1:
                    self.assertNotIn(v, text)


class TestVerify(OperatorTest):

    def test_a_ref_allows_ten_checks(self):
        op = self.connect("op")
        ref = self.candidates(op, "やまだ たろう", "1975-04-01")[0]["ref"]
        for i in range(10):
            self.assertResult(op.call("operator.verify", {
                "ref": ref, "postal_code": f"100-000{i}"}))
        e = self.assertError(op.call("operator.verify", {
            "ref": ref, "postal_code": "100-0001"}), -32602, "ref")
        self.assertIn("checked too often", e["data"]["reason"])
        # A new search gives new refs.
        ref = self.candidates(op, "やまだ たろう", "1975-04-01")[0]["ref"]
        self.assertResult(op.call("operator.verify", {
            "ref": ref, "postal_code": "100-0001"}))

    def test_no_audit_entry_no_answer(self):
        import sqlite3 as sq
        op = self.connect("op")
        self.assertResult(op.call("ping"))
        db = sq.connect(os.path.join(self.dd.data, "hotline.db"),
                        isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        try:
            # The audit entry cannot be written: the candidates stay in.
            self.assertError(op.call("operator.search", {
                "kana": "やまだ たろう", "birthdate": "1975-04-01"}), -32005)
        finally:
            db.execute("ROLLBACK")
            db.close()
        self.assertTrue(self.candidates(op, "やまだ たろう", "1975-04-01"))

    def test_address_in_three_spellings(self):
        op = self.connect("op")
        cands = self.candidates(op, "やまだ たろう", "1975-04-01")
        full = [c["ref"] for c in cands if "address" in c["items"]]
        bare = [c["ref"] for c in cands if "address" not in c["items"]]
        self.assertEqual((len(full), len(bare)), (1, 1))
        for addr in ("東京都千代田区千代田1-1-1", "東京都千代田区千代田一丁目一番一号",
                     "東京都 千代田区 千代田１－１－１", "東京都千代田区千代田1丁目1番1号",
                     "東京都千代田区千代田1丁目1-1"):
            r = self.assertResult(op.call("operator.verify", {
                "ref": full[0], "address": addr}))
            self.assertEqual(r, {"checks": {"address": "match"}}, addr)
            r = self.assertResult(op.call("operator.verify", {
                "ref": bare[0], "address": addr}))
            self.assertEqual(r, {"checks": {"address": "unknown"}}, addr)
        for addr in ("東京都千代田区千代田1-1-2", "東京都千代田区千代田二丁目一番一号",
                     "東京都千代田区千代田1-11", "東京都千代田区1-1-1"):
            r = self.assertResult(op.call("operator.verify", {
                "ref": full[0], "address": addr}))
            self.assertEqual(r, {"checks": {"address": "mismatch"}}, addr)
        # 鈴木 花子's address has a hyphenated number and a 方書.
        ref = self.ref_of(op, "スズキ ハナコ", "1970-12-03")
        r = self.assertResult(op.call("operator.verify", {
            "ref": ref, "address": "こもれび市本町二丁目3番4号"}))
        self.assertEqual(r["checks"], {"address": "match"})

    def test_postal_phone_gender(self):
        op = self.connect("op")
        ref = self.ref_of(op, "スズキ ハナコ", "1970-12-03")
        r = self.assertResult(op.call("operator.verify", {
            "ref": ref, "postal_code": "150-0002", "phone": "080 3333 4444",
            "gender": "女"}))
        self.assertEqual(r, {"checks": {"postal_code": "match",
                                        "phone": "match",
                                        "gender": "match"}})
        r = self.assertResult(op.call("operator.verify", {
            "ref": ref, "postal_code": "150-0003", "phone": "080-3333-4445",
            "gender": "男", "address": "こもれび市本町2-3-5"}))
        self.assertEqual(r, {"checks": {"postal_code": "mismatch",
                                        "phone": "mismatch",
                                        "gender": "mismatch",
                                        "address": "mismatch"}})
        sakura = self.ref_of(op, "スズキ ハナコ", "1970-12-03", "sakura-tel")
        r = self.assertResult(op.call("operator.verify", {
            "ref": sakura, "postal_code": "150-0002", "phone": "08033334444",
            "gender": "F", "address": "こもれび市本町2-3-4"}))
        self.assertEqual(r, {"checks": {"postal_code": "unknown",
                                        "phone": "match",
                                        "gender": "match",
                                        "address": "unknown"}})
        # Nothing to check: an empty answer, the ref still good.
        r = self.assertResult(op.call("operator.verify", {"ref": sakura}))
        self.assertEqual(r, {"checks": {}})
        takahashi = self.ref_of(op, "タカハシ キョウコ", "1988-08-08",
                                "aoba-kokuho")
        r = self.assertResult(op.call("operator.verify", {
            "ref": takahashi, "phone": "090-1111-2222",
            "postal_code": "980-0011", "address": "あおば市中央1丁目1番1号"}))
        self.assertEqual(r, {"checks": {"phone": "unknown",
                                        "postal_code": "match",
                                        "address": "match"}})

    def test_invalid_fields(self):
        op = self.connect("op")
        ref = self.ref_of(op, "スズキ ハナコ", "1970-12-03")
        for params, field in (({"gender": "X"}, "gender"),
                              ({"postal_code": "15-0002"}, "postal_code"),
                              ({"phone": "110"}, "phone"),
                              ({"address": 12}, "address")):
            params["ref"] = ref
            self.assertError(op.call("operator.verify", params), -32602,
                             field)
        self.assertError(op.call("operator.verify", {"address": "x"}),
                         -32602, "ref")


class TestRefs(OperatorTest):

    def test_ref_bound_to_the_operator(self):
        op = self.connect("op")
        ref = self.ref_of(op, "スズキ ハナコ", "1970-12-03")
        # Bound to the client name, not the connection.
        op_b = self.connect("op")
        r = self.assertResult(op_b.call("operator.verify", {
            "ref": ref, "gender": "F"}))
        self.assertEqual(r["checks"], {"gender": "match"})
        reasons = set()
        op2 = self.connect("op2")
        e = self.assertError(op2.call("operator.verify", {
            "ref": ref, "gender": "F"}), -32602, "ref")
        reasons.add(e["data"]["reason"])
        adm = self.connect("adm")
        e = self.assertError(adm.call("operator.verify", {
            "ref": ref, "gender": "F"}), -32602, "ref")
        reasons.add(e["data"]["reason"])
        # Unknown and malformed refs get the same answer.
        unknown = ("A" if ref[0] != "A" else "B") + ref[1:]
        for bad in (unknown, "x", "", "0" * 24, ref + "A", ref[:-1], "1"):
            e = self.assertError(op.call("operator.verify", {
                "ref": bad, "gender": "F"}), -32602, "ref")
            reasons.add(e["data"]["reason"])
        self.assertEqual(len(reasons), 1, reasons)
        self.assertNotIn(ref, json.dumps(e))
        # Not a string: refused, naming the field.
        self.assertError(op.call("operator.verify", {"ref": 12}), -32602,
                         "ref")
        # notice.render and inquiry.record refuse another's refs alike.
        e2 = self.assertError(op2.call("notice.render", {"refs": [ref]}),
                              -32602, "refs")
        e3 = self.assertError(op2.call("inquiry.record", {
            "refs": [ref], "outcome": "affected"}), -32602, "refs")
        self.assertEqual(e2["data"]["reason"], e3["data"]["reason"])
        self.assertEqual(e2["data"]["reason"], reasons.pop())
        # The owner still may.
        self.assertResult(op.call("notice.render", {"refs": [ref]}))

    def test_refs_are_fresh_random_strings(self):
        op = self.connect("op")
        seen = set()
        for _ in range(5):
            for c in self.candidates(op, "スズキ ハナコ", "1970-12-03"):
                self.assertNotIn(c["ref"], seen)
                self.assertFalse(c["ref"].isdigit())
                seen.add(c["ref"])
        self.assertEqual(len(seen), 10)


class TestRefExpiry(OperatorTest):
    # The shortest lifetime the conf allows (src/config.c).
    dd_kwargs = {"extra": "operator = { ref_lifetime_s = 10; };"}

    def test_expired_ref_is_refused_like_an_unknown_one(self):
        op = self.connect("op")
        old = self.ref_of(op, "スズキ ハナコ", "1970-12-03")
        self.assertResult(op.call("operator.verify", {"ref": old,
                                                      "gender": "F"}))
        unknown = self.assertError(op.call("operator.verify", {
            "ref": "Z" * len(old)}), -32602, "ref")
        time.sleep(11)
        fresh = self.ref_of(op, "スズキ ハナコ", "1970-12-03")
        e = self.assertError(op.call("operator.verify", {
            "ref": old, "gender": "F"}), -32602, "ref")
        self.assertEqual(e["data"]["reason"], unknown["data"]["reason"])
        self.assertError(op.call("notice.render", {"refs": [old]}), -32602,
                         "refs")
        self.assertError(op.call("inquiry.record", {
            "refs": [fresh, old], "outcome": "affected"}), -32602, "refs")
        r = self.assertResult(op.call("operator.verify", {
            "ref": fresh, "gender": "F"}))
        self.assertEqual(r["checks"], {"gender": "match"})


class TestNoEcho(OperatorTest):

    def test_no_stored_value_and_no_echo_in_any_answer(self):
        op = self.connect("op")
        answers = []

        def call(method, params):
            resp = op.call(method, params)
            answers.append(json.dumps(resp, ensure_ascii=False))
            answers.append(json.dumps(resp))
            return resp

        typed = []
        searches = [
            ("やまだ たろう", "昭和50年4月1日", {"gender": "男",
                                          "postal_code": "100-0001",
                                          "phone": "090-1111-2222"}),
            ("ﾔﾏﾀﾞ ﾀﾛｳ", "S50.4.1", {"phone": "09011112222"}),
            ("スズキ ハナコ", "1970-12-03", {"postal_code": "1500002",
                                         "phone": "08033334444"}),
            ("タカハシ キヨウコ", "1988-08-08", {"phone": "03-1234-5678"}),
            ("サトウ イチロウ", "1950-01-15", {"postal_code": "160-0022"}),
            ("ヤマザキ ジロウ", "H1.1.8", {"phone": "+81 90-5555-6666"}),
            ("タナカ サブロウ", "1960-06-30", {"postal_code": "123-4567"}),
            ("イトウ ミサキ", "1999-09-09", {"phone": "050-2222-3333"}),
            ("ヤマダ タロウ", "1975-04-02", {}),
            ("山田 太郎", "1975-04-01", {}),
            ("ヤマダ タロウ", "1975-13-01", {}),
        ]
        refs = []
        for kana, birth, extra in searches:
            typed += [kana, birth] + list(extra.values())
            params = {"kana": kana, "birthdate": birth}
            params.update(extra)
            resp = call("operator.search", params)
            for c in resp.get("result", {}).get("candidates", []):
                refs.append((c["ref"], c["org"]["code"]))
        self.assertEqual(len(refs), 11)
        addresses = ["東京都千代田区千代田1-1-1", "東京都千代田区千代田一丁目一番一号",
                     "東京都 千代田区 千代田１－１－１", "東京都千代田区千代田1-1-2",
                     "こもれび市本町2-3-4", "東京都新宿区新宿3-1-1",
                     "あおば市中央1-1-1", "さくら市1-2-3"]
        typed += addresses
        for ref, _ in refs:
            for addr in addresses:
                call("operator.verify", {"ref": ref, "address": addr,
                                         "postal_code": "100-0001",
                                         "phone": "080-3333-4444",
                                         "gender": "女"})
        call("operator.verify", {"ref": refs[0][0], "phone": "0901111222"})
        call("operator.verify", {"ref": refs[0][0], "postal_code": "100001"})
        call("notice.render", {"refs": [r for r, _ in refs]})
        call("notice.render", {"refs": [r for r, _ in refs], "lang": "en"})
        call("notice.render", {"orgs": ["komorebi", "unknown"]})
        call("inquiry.record", {"refs": [r for r, _ in refs],
                                "outcome": "affected", "duration_s": 300})
        lookup = self.assertResult(op.call("lookup", {
            "phone": "09011112222", "birthdate": "1975-04-01"}))
        call("inquiry.record", {"inquiry": lookup["inquiry"],
                                "refs": [refs[0][0]],
                                "outcome": "affected"})
        text = "\n".join(answers)
        # The answers are not empty: the scan looks at something.
        self.assertIn("こもれび市", text)
        self.assertIn("match", text)
        for needle in STORED + typed:
            self.assertNotIn(needle, text)


class TestNoticeRender(OperatorTest):

    def test_with_refs(self):
        op = self.connect("op")
        suzuki = self.candidates(op, "スズキ ハナコ", "1970-12-03")
        r = self.assertResult(op.call("notice.render", {
            "refs": [c["ref"] for c in suzuki]}))
        self.assertEqual(r["lang"], "ja")
        text = r["text"]
        self.assertEqual(text.count("こもれび市の、"), 1)
        self.assertEqual(text.count("さくら通信株式会社の、"), 1)
        self.assertIn("方書", text)
        self.assertIn(FRAUD_JA, text)
        self.assertTrue(text.rstrip().endswith("ご相談ください。"), text)
        # Two records of one organisation: one part, items of both.
        yamada = self.candidates(op, "ヤマダ タロウ", "1975-04-01")
        r = self.assertResult(op.call("notice.render", {
            "refs": [c["ref"] for c in yamada], "lang": "en"}))
        self.assertEqual(r["lang"], "en")
        self.assertEqual(r["text"].count("Komorebi City held this data"), 1)
        self.assertIn("The items that leaked are name, name in kana, phone "
                      "number, gender, date of birth, age, postal code, and "
                      "address.", r["text"])
        self.assertIn(FRAUD_EN, r["text"])
        self.assertNotIn("さくら通信株式会社", r["text"])
        # One record: only its own items.
        bare = [c for c in yamada if "address" not in c["items"]][0]
        r = self.assertResult(op.call("notice.render", {
            "refs": [bare["ref"]]}))
        self.assertIn("流出した項目は、氏名、氏名のフリガナ、電話番号、性別、"
                      "生年月日です。", r["text"])

    def test_with_orgs(self):
        op = self.connect("op")
        r = self.assertResult(op.call("notice.render", {
            "orgs": ["sakura-tel", "aoba-kokuho", "sakura-tel"]}))
        self.assertEqual(r["lang"], "ja")
        self.assertEqual(r["text"].count("さくら通信株式会社の、"), 1)
        self.assertIn("あおば県国民健康保険団体連合会", r["text"])
        self.assertNotIn("こもれび市", r["text"])
        self.assertIn(FRAUD_JA, r["text"])
        r = self.assertResult(op.call("notice.render", {
            "orgs": ["unknown"], "lang": "en"}))
        self.assertIn("still being identified", r["text"])
        self.assertIn(FRAUD_EN, r["text"])
        r = self.assertResult(op.call("notice.render", {
            "orgs": ["unknown", "komorebi"]}))
        self.assertIn("こもれび市", r["text"])
        self.assertIn(FRAUD_JA, r["text"])

    def test_errors(self):
        op = self.connect("op")
        ref = self.ref_of(op, "スズキ ハナコ", "1970-12-03")
        # Both: one of the two.
        self.assertError(op.call("notice.render", {
            "refs": [ref], "orgs": ["komorebi"]}), -32602, "orgs")
        # Neither: the refs are what is missing.
        e = self.assertError(op.call("notice.render", {}), -32602, "refs")
        self.assertTrue(e["data"]["reason"])
        self.assertError(op.call("notice.render", {"lang": "ja"}), -32602,
                         "refs")
        for orgs in (["nosuch"], ["komorebi", "nosuch"], [], "komorebi",
                     [12], ["KOMOREBI"]):
            self.assertError(op.call("notice.render", {"orgs": orgs}),
                             -32602, "orgs")
        for refs in (["x"], [ref, "x"], [], ref, [12], None):
            params = {"refs": refs}
            e = self.assertError(op.call("notice.render", params), -32602,
                                 "refs")
        self.assertError(op.call("notice.render", {"orgs": ["komorebi"],
                                                   "lang": "fr"}),
                         -32602, "lang")


class TestInquiryRecord(OperatorTest):

    def test_new_inquiry_of_channel_operator(self):
        op = self.connect("op")
        suzuki = self.candidates(op, "スズキ ハナコ", "1970-12-03")
        before = int(time.time())
        r = self.assertResult(op.call("inquiry.record", {
            "refs": [c["ref"] for c in suzuki], "outcome": "affected",
            "duration_s": 184}))
        after = int(time.time())
        self.assertIsInstance(r["inquiry"], int)
        a = r["inquiry"]
        r = self.assertResult(op.call("inquiry.record", {
            "outcome": "not_found"}))
        b = r["inquiry"]
        r = self.assertResult(op.call("inquiry.record", {
            "outcome": "transferred", "duration_s": 0,
            "refs": [suzuki[1]["ref"], suzuki[1]["ref"]]}))
        c = r["inquiry"]
        rows, orgs = inquiry_rows(self.dd)
        self.assertEqual(len(rows), 3)
        self.assertTrue(before <= rows[a][0] <= after)
        # Recorded whole: final (completed = 1), no later completion.
        self.assertEqual(rows[a][1:], ("operator", "op", "affected", 184, 1))
        self.assertEqual(rows[b][1:], ("operator", "op", "not_found", None,
                                       1))
        self.assertEqual(rows[c][1:], ("operator", "op", "transferred", 0,
                                       1))
        self.assertEqual(orgs, {a: ["komorebi", "sakura-tel"],
                                c: ["sakura-tel"]})

    def test_completing_this_operators_lookup_once(self):
        op = self.connect("op")
        lk = self.assertResult(op.call("lookup", {
            "phone": "090-1111-2222", "birthdate": "1975-04-01"}))
        rows, orgs = inquiry_rows(self.dd)
        t0 = rows[lk["inquiry"]][0]
        self.assertEqual(rows[lk["inquiry"]][1:],
                         ("operator", "op", "affected", None, 0))
        self.assertEqual(orgs[lk["inquiry"]], ["komorebi"])
        sakura = self.ref_of(op, "スズキ ハナコ", "1970-12-03", "sakura-tel")
        time.sleep(1.1)
        # Another connection of the same operator may complete it.
        op_b = self.connect("op")
        r = self.assertResult(op_b.call("inquiry.record", {
            "inquiry": lk["inquiry"], "refs": [sakura],
            "outcome": "transferred", "duration_s": 95}))
        self.assertEqual(r, {"inquiry": lk["inquiry"]})
        rows, orgs = inquiry_rows(self.dd)
        self.assertEqual(len(rows), 1)
        # Outcome replaced, duration set, time and channel kept, the refs'
        # organisations added.
        self.assertEqual(rows[lk["inquiry"]], (t0, "operator", "op",
                                               "transferred", 95, 1))
        self.assertEqual(orgs[lk["inquiry"]], ["komorebi", "sakura-tel"])
        # Once.
        e1 = self.assertError(op.call("inquiry.record", {
            "inquiry": lk["inquiry"], "outcome": "affected",
            "duration_s": 10}), -32602, "inquiry")
        rows, _ = inquiry_rows(self.dd)
        self.assertEqual(rows[lk["inquiry"]], (t0, "operator", "op",
                                               "transferred", 95, 1))
        # A not_found lookup completed as affected.
        lk2 = self.assertResult(op.call("lookup", {
            "phone": "090-1111-2222", "birthdate": "1975-04-03"}))
        self.assertEqual(lk2["status"], "not_found")
        aoba = self.ref_of(op, "タカハシ キョウコ", "1988-08-08", "aoba-kokuho")
        self.assertResult(op.call("inquiry.record", {
            "inquiry": lk2["inquiry"], "refs": [aoba],
            "outcome": "affected"}))
        rows, orgs = inquiry_rows(self.dd)
        self.assertEqual(rows[lk2["inquiry"]][1:],
                         ("operator", "op", "affected", None, 1))
        self.assertEqual(orgs[lk2["inquiry"]], ["aoba-kokuho"])
        # Not this operator's lookup: the same answer as an unknown id.
        op2 = self.connect("op2")
        lk_op2 = self.assertResult(op2.call("lookup", {
            "phone": "090-1111-2222", "birthdate": "1975-04-01"}))
        gw = self.connect("gw")
        lk_gw = self.assertResult(gw.call("lookup", {
            "phone": "090-1111-2222", "birthdate": "1975-04-01"}))
        reasons = {e1["data"]["reason"]}
        for bad in (lk_op2["inquiry"], lk_gw["inquiry"], 999999, 0, -1,
                    "1", str(lk_op2["inquiry"]), 1.5, True):
            e = self.assertError(op.call("inquiry.record", {
                "inquiry": bad, "outcome": "affected"}), -32602, "inquiry")
            reasons.add(e["data"]["reason"])
        self.assertEqual(len(reasons), 1, reasons)
        # An IVR call's inquiry too.
        r = self.assertResult(gw.call("call.begin", {"call_id": "c-1",
                                                     "ani": "anonymous"}))
        ivr = self.assertResult(gw.call("call.end", {
            "session": r["session"]}))["inquiry"]
        e = self.assertError(op.call("inquiry.record", {
            "inquiry": ivr, "outcome": "affected"}), -32602, "inquiry")
        self.assertEqual(e["data"]["reason"], reasons.pop())
        # Nothing was touched by the refused completions.
        rows, orgs = inquiry_rows(self.dd)
        self.assertEqual(rows[lk_op2["inquiry"]][1:],
                         ("operator", "op2", "affected", None, 0))
        self.assertEqual(rows[lk_gw["inquiry"]][1:],
                         ("api", "gw", "affected", None, 0))
        self.assertEqual(rows[ivr][2:4], ("gw", "abandoned"))
        self.assertEqual(len(rows), 5)
        # op2 may complete its own.
        self.assertResult(op2.call("inquiry.record", {
            "inquiry": lk_op2["inquiry"], "outcome": "abandoned",
            "duration_s": 86400}))
        rows, _ = inquiry_rows(self.dd)
        self.assertEqual(rows[lk_op2["inquiry"]][1:],
                         ("operator", "op2", "abandoned", 86400, 1))

    def test_a_record_is_not_completed_later(self):
        # SPEC §6.2: inquiry with an ID from this operator's *lookup*; an
        # inquiry that inquiry.record made is a whole call already.
        op = self.connect("op")
        r = self.assertResult(op.call("inquiry.record", {
            "outcome": "not_found", "duration_s": 60}))
        before, _ = inquiry_rows(self.dd)
        resp = op.call("inquiry.record", {"inquiry": r["inquiry"],
                                          "outcome": "affected",
                                          "duration_s": 5})
        self.assertIn("error", resp, "BUG: an inquiry recorded by "
                      "inquiry.record (not a lookup's) can be completed "
                      "afterwards, its outcome rewritten; it should get "
                      "-32602 field inquiry like a completed one. Fix: "
                      "insert such inquiries with completed = 1 (a "
                      "'completed' field in struct inquiry_rec, "
                      "include/store.h, bound in store.c's "
                      "ST_INQUIRY_ADD, set by method_inquiry_record).")
        self.assertError(resp, -32602, "inquiry")
        after, _ = inquiry_rows(self.dd)
        self.assertEqual(after, before)

    def test_bad_params(self):
        op = self.connect("op")
        lk = self.assertResult(op.call("lookup", {
            "phone": "090-1111-2222", "birthdate": "1975-04-01"}))
        cases = [
            ({}, "outcome"),
            ({"outcome": "found"}, "outcome"),
            ({"outcome": "out_of_hours"}, "outcome"),
            ({"outcome": "rate_limited"}, "outcome"),
            ({"outcome": 1}, "outcome"),
            ({"outcome": "affected", "duration_s": -1}, "duration_s"),
            ({"outcome": "affected", "duration_s": 86401}, "duration_s"),
            ({"outcome": "affected", "duration_s": 1.5}, "duration_s"),
            ({"outcome": "affected", "duration_s": "60"}, "duration_s"),
            ({"outcome": "affected", "duration_s": True}, "duration_s"),
            ({"outcome": "affected", "refs": "x"}, "refs"),
            ({"outcome": "affected", "refs": ["x"]}, "refs"),
            ({"outcome": "affected", "refs": []}, "refs"),
        ]
        for params, field in cases:
            self.assertError(op.call("inquiry.record", params), -32602,
                             field)
            # The same with an inquiry to complete.
            p = dict(params, inquiry=lk["inquiry"])
            self.assertError(op.call("inquiry.record", p), -32602, field)
        # None of them recorded or completed anything.
        rows, _ = inquiry_rows(self.dd)
        self.assertEqual(list(rows.values()),
                         [(rows[lk["inquiry"]][0], "operator", "op",
                           "affected", None, 0)])
        for outcome in ("affected", "not_found", "invalid_input",
                        "transferred", "abandoned"):
            self.assertResult(op.call("inquiry.record", {
                "outcome": outcome, "duration_s": 86400}))
        rows, _ = inquiry_rows(self.dd)
        self.assertEqual(len(rows), 6)


class TestRoles(OperatorTest):

    METHODS = ("operator.search", "operator.verify", "notice.render",
               "inquiry.record")

    def test_gateway_and_supervisor_cannot(self):
        for client in ("gw", "sup"):
            c = self.connect(client)
            for m in self.METHODS:
                # The role is checked before the params.
                for params in (None, {}, {"kana": "ヤマダ タロウ",
                                          "birthdate": "1975-04-01"}):
                    e = self.assertError(c.call(m, params), -32002)
                    self.assertNotIn("field", e.get("data", {}))
        c = self.connect()
        self.assertError(c.call("operator.search", {
            "kana": "ヤマダ タロウ", "birthdate": "1975-04-01"}), -32001)

    def test_admin_can(self):
        adm = self.connect("adm")
        cands = self.candidates(adm, "ヤマダ タロウ", "1975-04-01")
        self.assertEqual(len(cands), 2)
        r = self.assertResult(adm.call("operator.verify", {
            "ref": cands[0]["ref"], "gender": "1"}))
        self.assertEqual(r["checks"], {"gender": "match"})
        r = self.assertResult(adm.call("notice.render", {
            "refs": [cands[0]["ref"]]}))
        self.assertIn(FRAUD_JA, r["text"])
        r = self.assertResult(adm.call("inquiry.record", {
            "refs": [cands[0]["ref"]], "outcome": "affected"}))
        rows, _ = inquiry_rows(self.dd)
        self.assertEqual(rows[r["inquiry"]][1:4],
                         ("operator", "adm", "affected"))
        # The admin's refs are the admin's.
        op = self.connect("op")
        self.assertError(op.call("operator.verify", {
            "ref": cands[0]["ref"]}), -32602, "ref")
