"""make install for packagers: DESTDIR and another PREFIX everywhere, the
compiled-in paths derived from them, an existing conf never overwritten,
and a systemd unit that systemd-analyze verify accepts."""
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from harness import TOP, sanitized

PREFIX = "/opt/hotline-test"


class TestInstall(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # Read here, not at import: the runner imports a module once for
        # every build it runs.
        if sanitized():
            raise unittest.SkipTest("the Makefile is tested once, on the "
                                    "plain build")
        cls.tmp = tempfile.mkdtemp(prefix="hotline-install-")
        cls.dest = os.path.join(cls.tmp, "root")
        cls.build = os.path.join(cls.tmp, "build")
        cls.make_install()

    @classmethod
    def make_install(cls):
        p = subprocess.run(
            ["make", "--no-print-directory", "-j2", "NODEPS=1",
             f"BUILD={cls.build}", f"PREFIX={PREFIX}",
             f"DESTDIR={cls.dest}", "install"], cwd=TOP,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=600)
        if p.returncode != 0:
            raise AssertionError("make install failed:\n" + p.stdout[-4000:])
        return p.stdout

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, p):
        return os.path.join(self.dest, p.lstrip("/"))

    def test_layout(self):
        for p, mode in [
                (f"{PREFIX}/sbin/hotlined", 0o755),
                (f"{PREFIX}/sbin/hotlinectl", 0o755),
                (f"{PREFIX}/share/hotline/prompts/ja/menu.txt", 0o644),
                (f"{PREFIX}/share/hotline/prompts/en/menu_not_found.txt",
                 0o644),
                (f"{PREFIX}/share/man/man8/hotlined.8", 0o644),
                (f"{PREFIX}/share/man/man8/hotlinectl.8", 0o644),
                (f"{PREFIX}/share/man/man5/hotline.conf.5", 0o644),
                (f"{PREFIX}/share/man/man5/hotline-lists.5", 0o644),
                (f"{PREFIX}/share/doc/hotline/PROTOCOL.md", 0o644),
                (f"{PREFIX}/share/doc/hotline/OPERATIONS.md", 0o644),
                (f"{PREFIX}/share/doc/hotline/examples/hotline.conf", 0o644),
                (f"{PREFIX}/lib/systemd/system/hotlined.service", 0o644),
                (f"{PREFIX}/lib/sysusers.d/hotline.conf", 0o644),
                (f"{PREFIX}/lib/tmpfiles.d/hotline.conf", 0o644),
                ("/etc/hotline/hotline.conf", 0o640)]:
            st = os.stat(self.path(p))
            self.assertEqual(stat.S_IMODE(st.st_mode), mode, p)
        # Section 8 pages, section 8 directory: no bin/.
        self.assertFalse(os.path.exists(self.path(f"{PREFIX}/bin")))
        self.assertFalse(os.path.exists(self.path("/usr/local")))

    def test_paths_inside_the_binaries(self):
        with open(self.path(f"{PREFIX}/sbin/hotlined"), "rb") as f:
            data = f.read()
        self.assertIn(f"{PREFIX}/share/hotline/prompts".encode(), data)
        self.assertIn(b"/etc/hotline/hotline.conf", data)
        self.assertNotIn(b"/usr/local/share/hotline", data)
        out = subprocess.run([self.path(f"{PREFIX}/sbin/hotlined"),
                              "--help"], stdout=subprocess.PIPE, text=True)
        self.assertIn("/etc/hotline/hotline.conf", out.stdout)
        # The installed conf names the installed prompts, and it checks.
        with open(self.path("/etc/hotline/hotline.conf")) as f:
            conf = f.read()
        self.assertIn(f"{PREFIX}/share/hotline/prompts", conf)
        self.assertNotIn("/usr/local", conf)

    def test_existing_conf_is_kept(self):
        conf = self.path("/etc/hotline/hotline.conf")
        with open(conf, "a") as f:
            f.write("# edited by the administrator\n")
        out = self.make_install()
        self.assertIn("keeping", out)
        with open(conf) as f:
            self.assertIn("# edited by the administrator", f.read())

    @unittest.skipIf(shutil.which("systemd-analyze") is None,
                     "systemd-analyze is not installed (.ci/run installs it)")
    def test_unit_verifies(self):
        unit = self.path(f"{PREFIX}/lib/systemd/system/hotlined.service")
        with open(unit) as f:
            text = f.read()
        for key in ("User=hotline", "ExecReload=", "ProtectSystem=strict",
                    "ReadWritePaths=/var/lib/hotline", "NoNewPrivileges=yes",
                    "PrivateTmp=yes", "LoadCredentialEncrypted=",
                    "LoadCredential="):
            self.assertIn(key, text)
        self.assertIn(f"ExecStart={PREFIX}/sbin/hotlined -c "
                      "/etc/hotline/hotline.conf", text)
        # Type=notify exactly when the build speaks sd_notify.
        v = subprocess.run([self.path(f"{PREFIX}/sbin/hotlined"),
                            "--version"], stdout=subprocess.PIPE,
                           text=True).stdout
        self.assertIn("Type=notify" if "(sd_notify)" in v else "Type=exec",
                      text)
        # verify checks that the programs exist: point it at DESTDIR's.
        copy = os.path.join(self.tmp, "hotlined.service")
        with open(copy, "w") as f:
            f.write(text.replace(f"{PREFIX}/sbin/",
                                 self.path(f"{PREFIX}/sbin/")))
        env = dict(os.environ,
                   MANPATH=self.path(f"{PREFIX}/share/man"))
        p = subprocess.run(["systemd-analyze", "verify", copy], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(p.stdout.strip(), "", p.stdout)


class TestBuildFlags(unittest.TestCase):

    def test_nodeps_and_werror(self):
        p = subprocess.run(["make", "-n", "NODEPS=1", "WERROR=0",
                            "BUILD=/nonexistent-build", "all"], cwd=TOP,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=120)
        self.assertNotIn("deps.sh", p.stdout)
        self.assertNotIn("apt-get", p.stdout)
        cc = [l for l in p.stdout.splitlines() if " -c -o " in l]
        self.assertTrue(cc, p.stdout[-2000:])
        self.assertTrue(all("-Werror" not in l for l in cc))
        p = subprocess.run(["make", "-n", "BUILD=/nonexistent-build",
                            "all"], cwd=TOP, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120)
        self.assertTrue(any("-Werror" in l for l in p.stdout.splitlines()
                            if " -c -o " in l))
