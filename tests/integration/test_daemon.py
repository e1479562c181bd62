"""hotlined as a process (SPEC §8): -t, start-up refusals, SIGTERM; and the
hotlinectl commands around it (token, demo)."""
import hashlib
import json
import os
import re
import signal
import subprocess
import time
import unittest

from harness import (TOP, DataDir, Daemon, HotlineTest, binary, conf_text,
                     ctl)


def hotlined_t(conf):
    return subprocess.run([binary("hotlined"), "-t", "-c", conf],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=60)


class TestCheckConf(unittest.TestCase):

    def setUp(self):
        self.dd = DataDir(import_list=False)

    def tearDown(self):
        self.dd.cleanup()

    def test_good_conf(self):
        p = hotlined_t(self.dd.conf)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("configuration OK", p.stdout)

    def test_shipped_example_conf_parses(self):
        # Only the key and prompt paths are machine-specific in it.
        p = hotlined_t(os.path.join(TOP, "conf", "hotline.conf"))
        self.assertNotIn("unknown key", p.stderr)
        self.assertNotIn("must be", p.stderr)

    def test_bad_keys_named_with_line(self):
        with open(self.dd.conf, "a") as f:
            f.write('\nlimits2 = { x = 1; };\n'
                    'storage = { synchronous = "sometimes"; };\n'
                    'service = { lang = "fr"; nmae = "x"; };\n')
        p = hotlined_t(self.dd.conf)
        self.assertEqual(p.returncode, 1)
        lines = p.stderr.splitlines()
        n = len(open(self.dd.conf).read().splitlines())
        self.assertIn(f"{self.dd.conf}:{n - 2}: limits2: unknown section",
                      lines)
        self.assertIn(f"{self.dd.conf}:{n - 1}: storage.synchronous: must "
                      "be \"normal\" or \"full\"", lines)
        self.assertIn(f"{self.dd.conf}:{n}: service.lang: must be \"ja\" "
                      "or \"en\"", lines)
        self.assertIn(f"{self.dd.conf}:{n}: service.nmae: unknown key",
                      lines)

    def test_out_of_range_and_syntax(self):
        self.dd.write_conf(limits={"max_line": 10})
        p = hotlined_t(self.dd.conf)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r":\d+: limits.max_line: must be between "
                         r"256 and 1048576")
        with open(self.dd.conf, "a") as f:
            f.write("broken = ;\n")
        p = hotlined_t(self.dd.conf)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, re.escape(self.dd.conf) + r":\d+: ")

    def test_bad_prompt_placeholder(self):
        prompts = self.dd.path("prompts")
        subprocess.run(["cp", "-R", os.path.join(TOP, "prompts"), prompts],
                       check=True)
        with open(os.path.join(prompts, "en", "notice_apology.txt"),
                  "w") as f:
            f.write("We apologise.\nCall {hotline_number} or {nobody}.\n")
        os.remove(os.path.join(prompts, "ja", "item_card.txt"))
        self.dd.write_conf(prompts=prompts)
        p = hotlined_t(self.dd.conf)
        self.assertEqual(p.returncode, 1)
        self.assertIn(os.path.join(prompts, "en", "notice_apology.txt") +
                      ":2: unknown placeholder {nobody}", p.stderr)
        self.assertIn(os.path.join(prompts, "ja", "item_card.txt") +
                      ":0: missing prompt", p.stderr)

    def test_key_readable_by_others_refused(self):
        key = os.path.join(self.dd.data, "hotline.key")
        os.chmod(key, 0o644)
        p = hotlined_t(self.dd.conf)
        self.assertEqual(p.returncode, 1)
        self.assertIn("readable by group or others", p.stderr)
        self.dd.import_lists(check=False)
        p = subprocess.run([binary("hotlined"), "-c", self.dd.conf],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("readable by group or others", p.stderr)

    def test_no_affected_list_refused(self):
        p = subprocess.run([binary("hotlined"), "-c", self.dd.conf],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("affected.db", p.stderr)


class TestStop(HotlineTest):

    def test_sigterm_answers_in_flight_then_exits_0(self):
        c = self.connect("gw")
        reqs = "".join(json.dumps(c.request("lookup", {
            "phone": "090-1111-2222", "birthdate": "1975-04-01"}, id=i)) +
            "\n" for i in range(100))
        c.send(reqs)
        time.sleep(0.2)
        self.d.signal(signal.SIGTERM)
        ids = [c.recv()["id"] for _ in range(100)]
        self.assertEqual(ids, list(range(100)))
        self.assertTrue(c.at_eof(wait=10))
        self.assertEqual(self.d.proc.wait(30), 0)
        self.assertIn("SIGTERM: stopping", self.d.log())

    def test_sigterm_with_idle_clients(self):
        cs = [self.connect("gw") for _ in range(5)]
        self.d.signal(signal.SIGTERM)
        for c in cs:
            self.assertTrue(c.at_eof(wait=10))
        self.assertEqual(self.d.proc.wait(30), 0)


class TestCtl(unittest.TestCase):

    def test_token(self):
        out = ctl("token").stdout
        token = re.search(r"^token: +(\S+)$", out, re.M).group(1)
        digest = re.search(r"^token_sha256: +(\S+)$", out, re.M).group(1)
        self.assertGreaterEqual(len(token), 32)
        self.assertEqual(hashlib.sha256(token.encode()).hexdigest(), digest)
        self.assertNotEqual(token, re.search(r"^token: +(\S+)$",
                                             ctl("token").stdout,
                                             re.M).group(1))

    def test_demo_builds_a_working_service(self):
        dd = DataDir(import_list=False)
        try:
            demo = dd.path("demo")
            p = ctl("demo", "--dir", demo, "--rows", "3000", "--port", "0",
                    "--prompts", os.path.join(TOP, "prompts"), check=False)
            # port 0 is not a demo port: the demo wants a real one.
            self.assertEqual(p.returncode, 2)
            p = ctl("demo", "--dir", demo, "--rows", "3000", "--port",
                    "17411", "--http-port", "17480", "--web",
                    os.path.join(TOP, "web"), "--prompts",
                    os.path.join(TOP, "prompts"))
            self.assertIn("imported 3,000 fictional rows", p.stdout)
            self.assertIn("http://127.0.0.1:17480/", p.stdout)
            m = re.search(r"lookup --port 17411 (\d+) (\S+)", p.stdout)
            self.assertIsNotNone(m, p.stdout)
            # No CSV with the generated people is left behind.
            for top, _, names in os.walk(demo):
                self.assertFalse([n for n in names if n.endswith(".csv")])
            conf = os.path.join(demo, "hotline.conf")
            self.assertEqual(hotlined_t(conf).returncode, 0)
            # Rewrite the port to a free one for the test daemon.
            text = open(conf).read().replace("port = 17411", "port = 0")
            # The web pages too, on loopback.
            self.assertIn('address = "127.0.0.1";\n  port = 17480;', text)
            text = text.replace("port = 17480", "port = 0")
            with open(conf, "w") as f:
                f.write(text)

            class DemoDir:
                def path(self, *parts):
                    return os.path.join(demo, *parts)
            dem = DemoDir()
            dem.conf = conf
            d = Daemon(dem)
            try:
                out = ctl("lookup", "--port", d.port, m.group(1),
                          m.group(2)).stdout
                self.assertIn("status:  affected", out)
                p = ctl("lookup", "--port", d.port, "--json", "09000000000",
                        "1980-01-01", check=False)
                self.assertEqual(p.returncode, 1)    # not found
                self.assertEqual(json.loads(p.stdout)["status"], "not_found")
                p = ctl("lookup", "--port", d.port, "0900", "1980-01-01",
                        check=False)
                self.assertEqual(p.returncode, 2)    # invalid input
                self.assertIn("phone:", p.stderr)
                # The demo operator signs in on its web port.
                from webclient import Web
                w = Web(d)
                try:
                    r = w.login("demo-operator", "demo-operator-token")
                    self.assertEqual(r.status, 200, r)
                    self.assertEqual(r.json["role"], "operator")
                    self.assertEqual(w.get("/desk").status, 200)
                finally:
                    w.close()
            finally:
                d.stop()
            # A second run keeps the list.
            p = ctl("demo", "--dir", demo, "--rows", "3000", "--port",
                    "17411", "--prompts", os.path.join(TOP, "prompts"))
            self.assertIn("keeping the demo list", p.stdout)
            # The same port twice is a usage error.
            p = ctl("demo", "--dir", demo, "--port", "17411", "--http-port",
                    "17411", check=False)
            self.assertEqual(p.returncode, 2)
        finally:
            dd.cleanup()
