#!/usr/bin/env python3
"""Runs hotline's tests against one or more builds and prints one
"N passed, N failed" line.

    python3 tests/run_tests.py BUILD_DIR [BUILD_DIR...]

For each build directory: every C unit test (BUILD/tests/test_*, cmocka,
read as TAP), then every integration test (tests/integration/test_*.py,
which start BUILD/hotlined on a free port). A build made with SANITIZE=1
runs under ASan + UBSan + LeakSanitizer: any report fails the test that
caused it. The exit status is non-zero if anything failed or nothing ran.
"""
import os
import re
import subprocess
import sys
import time
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIT_TIMEOUT_S = 300

SAN_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=23:"
                    "strict_string_checks=1:detect_stack_use_after_return=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1:exitcode=24",
    "LSAN_OPTIONS": "exitcode=23",
}


def run_unit(build, env):
    """Runs each cmocka binary with TAP output; returns (passed, failed)."""
    passed = failed = 0
    tdir = os.path.join(build, "tests")
    bins = sorted(f for f in os.listdir(tdir)
                  if f.startswith("test_") and not f.endswith((".o", ".d"))
                  and os.access(os.path.join(tdir, f), os.X_OK)) \
        if os.path.isdir(tdir) else []
    for name in bins:
        path = os.path.join(tdir, name)
        t0 = time.monotonic()
        try:
            p = subprocess.run([path], cwd=TOP, env=env, timeout=UNIT_TIMEOUT_S,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, errors="replace")
            out, err, rc = p.stdout, p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            out, err, rc = (e.stdout or b"").decode(errors="replace"), \
                "timeout", -1
        ok = len(re.findall(r"^ok \d+", out, re.M))
        bad = len(re.findall(r"^not ok \d+", out, re.M))
        # A crash, a sanitizer report or a leak after the last test shows
        # only in the exit status: it counts as one more failure.
        if rc != 0 and bad == 0:
            bad = 1
        if ok + bad == 0:
            bad = 1
        passed += ok
        failed += bad
        status = "ok" if bad == 0 else "FAILED"
        print(f"  unit {name}: {ok} passed, {bad} failed "
              f"({time.monotonic() - t0:.1f}s) {status}")
        if bad:
            sys.stdout.write(out[-4000:])
            sys.stdout.write(err[-4000:])
    return passed, failed


class CountingResult(unittest.TextTestResult):
    pass


def run_integration(build, env):
    """Runs tests/integration with HOTLINE_BUILD set; returns (passed, failed)."""
    os.environ.update(env)
    os.environ["HOTLINE_BUILD"] = os.path.abspath(build)
    sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
    loader = unittest.TestLoader()
    only = os.environ.get("HOTLINE_TEST_PATTERN", "test_*.py")
    suite = loader.discover(os.path.join(TOP, "tests", "integration"),
                            pattern=only, top_level_dir=os.path.join(
                                TOP, "tests", "integration"))
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=1,
                                     resultclass=CountingResult)
    result = runner.run(suite)
    failed = len(result.failures) + len(result.errors) + \
        len(result.unexpectedSuccesses)
    return result.testsRun - failed - len(result.skipped), failed


def main():
    builds = sys.argv[1:] or ["build"]
    total_pass = total_fail = 0
    base_env = dict(os.environ)
    base_env["HOTLINE_TESTDATA"] = os.path.join(TOP, "tests", "data")
    base_env["CMOCKA_MESSAGE_OUTPUT"] = "TAP"
    for build in builds:
        sanitized = os.path.basename(os.path.normpath(build)) == "asan"
        env = dict(base_env)
        if sanitized:
            env.update(SAN_ENV)
        print(f"== {build}{' (ASan+UBSan+LSan)' if sanitized else ''}")
        p, f = run_unit(build, env)
        total_pass += p
        total_fail += f
        p, f = run_integration(build, env)
        print(f"  integration: {p} passed, {f} failed")
        total_pass += p
        total_fail += f
    print(f"{total_pass} passed, {total_fail} failed")
    return 1 if total_fail or total_pass == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
