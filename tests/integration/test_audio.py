"""The IVR's recordings (make prompts-audio, hotlinectl prompts-audio):
every sound a say action names exists in the layout the dialplan plays
(SOUNDS/<name>.wav, 8 kHz mono 16-bit), says what the action's text says,
for every prompt and every organisation of the imported list, in ja and
en; a second run renders only what changed."""
import os
import re
import shutil
import subprocess
import tempfile
import wave

from harness import TOP, HotlineTest, build_dir, ctl, sanitized

# Prompts that are only ever said inside another: no recording of their own.
PARTS_ONLY = {"notice_org", "notice_org_brief", "greeting_org",
              "period_range", "period_from", "period_to", "period_unknown",
              "contact_phone", "contact_hours", "org_unknown_name"}
ORGS = ("komorebi", "sakura-tel", "aoba-kokuho")


def make_prompts_audio(conf, out):
    """What a user runs: make prompts-audio CONF=... SOUNDS=..."""
    build = build_dir()
    args = ["make", "--no-print-directory", "-s", "prompts-audio",
            f"BUILD={build}", f"SOUNDS={out}", f"CONF={conf}"]
    if sanitized():
        args.append("SANITIZE=1")
    p = subprocess.run(args, cwd=TOP, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=600)
    if p.returncode != 0:
        raise AssertionError(f"make prompts-audio: {p.stderr}")
    return p


class TestAudio(HotlineTest):
    start_daemon = False

    def setUp(self):
        super().setUp()
        # The project's prompts, and komorebi's desk overriding two.
        self.prompts = self.dd.path("prompts")
        shutil.copytree(os.path.join(TOP, "prompts"), self.prompts)
        for lang, pid, text in (("ja", "notice_apology",
                                 "こもれび市から、おわび申し上げます。"),
                                ("en", "menu", "Komorebi City: press 1 to "
                                 "hear this again, 0 for an operator, 9 "
                                 "to end.")):
            d = os.path.join(self.prompts, lang, "org", "komorebi")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, pid + ".txt"), "w",
                      encoding="utf-8") as f:
                f.write(text + "\n")
        self.dd.write_conf(
            prompts=self.prompts,
            extra='dnis = ( { number = "0120-000-555"; org = "komorebi"; } );'
                  'ivr = { daily_lookups_per_caller = 2; };')
        self.out = tempfile.mkdtemp(prefix="hotline-sounds-")

    def tearDown(self):
        shutil.rmtree(self.out, ignore_errors=True)
        super().tearDown()

    def check_sound(self, name):
        path = os.path.join(self.out, name + ".wav")
        self.assertTrue(os.path.exists(path), f"{name}: no {path}")
        with wave.open(path, "rb") as w:
            self.assertEqual((w.getframerate(), w.getnchannels(),
                              w.getsampwidth()), (8000, 1, 2), name)
            self.assertGreater(w.getnframes(), 800, name)  # > 0.1 s
        with open(os.path.join(self.out, name + ".txt"),
                  encoding="utf-8") as f:
            return f.read()

    def check_say(self, action):
        """Every recording exists, and they say the action's text in
        order."""
        self.assertTrue(action["audio"], action)
        pos = 0
        for name in action["audio"]:
            self.assertRegex(name, r"^hotline/(ja|en)/[a-z0-9_/-]+$")
            text = self.check_sound(name)
            at = action["text"].find(text, pos)
            self.assertGreaterEqual(at, 0, (name, text, action["text"]))
            pos = at + len(text)
        return action["audio"]

    def calls(self, named):
        """Every path of the script that says something different."""
        from harness import Daemon
        self.d = Daemon(self.dd)
        gw = self.connect("gw")

        def call(digits, **params):
            params.setdefault("call_id", "audio")
            r = self.assertResult(gw.call("call.begin", params))
            acts = list(r["actions"])
            for d in digits:
                p = {"session": r["session"]}
                if d is None:
                    p["timeout"] = True
                else:
                    p["digits"] = d
                acts += self.assertResult(gw.call("call.input", p))["actions"]
                if acts[-1]["type"] in ("hangup", "transfer"):
                    break
            self.assertResult(gw.call("call.end", {
                "session": r["session"], "reason": "hangup"}))
            for a in acts:
                if a["type"] == "say":
                    named.update(self.check_say(a))
            return acts

        for lang in ("ja", "en"):
            # Two organisations, repeated, then the operator.
            call(["19701203", "1", "0"], ani="08033334444", lang=lang)
            # Withheld: no input, a bad phone, a bad date, the unknown group.
            call([None, "12", "0312345678", "3251315", "3250115", "9"],
                 ani="anonymous", lang=lang)
            # Not found, a wrong menu key, the end.
            call(["19750402", "7", None], ani="09000000001", lang=lang)
            # The desk of komorebi: its greeting and its own prompts.
            acts = call(["19750401", "9"], ani="09011112222",
                        dnis="0120000555", lang=lang)
            self.assertEqual(acts[0]["audio"],
                             [f"hotline/{lang}/org/komorebi/greeting_org"])
            # Three failed attempts: to the operator.
            call(["1", "2", "3"], ani="anonymous", lang=lang)
            # Every item of a record, the other organisations.
            call(["19600630", "9"], ani="07077778888", lang=lang)
            call(["19990909", "9"], ani="05022223333", lang=lang)
            call(["19890108", "9"], ani="09055556666", lang=lang)
        # The daily cap of 09000000001 (two lookups): rate limited.
        acts = call([], ani="09000000001", lang="ja")
        self.assertIn("rate_limited", [a.get("prompt") for a in acts])

    def test_every_named_recording_exists(self):
        p = make_prompts_audio(self.dd.conf, self.out)
        self.assertRegex(p.stdout, r"\d+ recording\(s\) rendered, 0 kept")
        named = set()
        self.calls(named)
        # The desk's override and the organisations' own pieces were named.
        self.assertIn("hotline/ja/org/komorebi/notice_apology", named)
        self.assertIn("hotline/en/org/komorebi/menu", named)
        self.assertIn("hotline/ja/org/sakura-tel/notice_org-1", named)
        self.assertIn("hotline/en/notice_org_unknown-2", named)
        self.assertIn("hotline/en/and", named)
        # A file for every prompt that is said on its own, both languages.
        for lang in ("ja", "en"):
            for f in os.listdir(os.path.join(TOP, "prompts", lang)):
                m = re.fullmatch(r"([a-z_]+)\.txt", f)
                if m is None or m.group(1) in PARTS_ONLY:
                    continue
                base = os.path.join(self.out, "hotline", lang, m.group(1))
                self.assertTrue(os.path.exists(base + ".wav") or
                                os.path.exists(base + "-1.wav"), base)
            # Every organisation's own pieces.
            for code in ORGS:
                for piece in ("notice_org-1", "notice_org-2",
                              "notice_org_brief", "greeting_org"):
                    self.check_sound(f"hotline/{lang}/org/{code}/{piece}")
        # Spoken forms: the voice's numbers, never the written ones.
        text = self.check_sound("hotline/ja/fraud_warning")
        self.assertIn("シャープ 9 1 1 0", text)
        self.assertNotIn("#9110", text)
        # English organisation texts in the English recordings.
        self.assertIn("Komorebi City", self.check_sound(
            "hotline/en/org/komorebi/notice_org-1"))

    def test_second_run_renders_what_changed(self):
        conf = self.dd.conf
        ctl("prompts-audio", "-c", conf, "--out", self.out)
        p = ctl("prompts-audio", "-c", conf, "--out", self.out)
        self.assertRegex(p.stdout, r"^0 recording\(s\) rendered, \d+ kept")
        # A new status note for sakura-tel: only its pieces change.
        orgs = self.dd.path("orgs.csv")
        with open(self.dd.orgs, encoding="utf-8") as f:
            text = f.read()
        with open(orgs, "w", encoding="utf-8") as f:
            f.write(text.replace("calls introducing new services,,",
                                 "calls introducing new services,"
                                 "Nothing further has leaked.,"))
        self.dd.import_lists(orgs=orgs)
        p = ctl("prompts-audio", "-c", conf, "--out", self.out)
        changed = re.findall(r"text changed, placeholder rendered: (\S+)",
                             p.stdout)
        self.assertEqual(sorted(changed), [
            "hotline/en/org/sakura-tel/notice_org-2",
            "hotline/en/org/sakura-tel/notice_org_brief"])
        self.assertIn("Nothing further has leaked.", self.check_sound(
            "hotline/en/org/sakura-tel/notice_org-2"))
        # --dry-run lists, renders nothing.
        p = ctl("prompts-audio", "-c", conf, "--out", self.out, "--force",
                "--dry-run")
        self.assertIn("hotline/ja/greeting\t", p.stdout)

    def test_missing_list_and_bad_usage(self):
        p = ctl("prompts-audio", "-c", self.dd.conf, "--out", self.out,
                "--affected", self.dd.path("none.db"), check=False)
        self.assertEqual(p.returncode, 3)
        self.assertIn("--no-orgs renders the prompts alone", p.stderr)
        p = ctl("prompts-audio", "--out", self.out, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage: hotlinectl prompts-audio", p.stderr)
