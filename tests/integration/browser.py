"""Headless Chromium through Selenium, for the tests of the web pages.

    from browser import Browser, available
    with Browser(lang="en") as b:
        b.get(url)
        b.screenshot("desk-en")        # build/screenshots/desk-en.png
        assert b.console_errors() == []

Debian's chromium, chromium-driver and python3-selenium (.ci/run installs
them). Each Browser has a fresh profile directory, removed at quit, and
runs with the flags that work on a build machine without a display, a
sandbox or a network: no GPU, no QUIC, no first-run, background,
component-update or sync traffic.
"""
import os
import shutil
import sys
import tempfile

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--no-default-browser-check"]
TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PAGE_TIMEOUT_S = 30

try:
    import selenium  # noqa: F401
except ImportError:
    # A Python of its own (not Debian's) still finds Debian's selenium.
    sys.path.append("/usr/lib/python3/dist-packages")

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False


def available():
    """Why the browser cannot run here, or None if it can."""
    if not HAVE_SELENIUM:
        return "python3-selenium is not installed"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is not installed"
    return None


def artifact_dir():
    """build/screenshots (of the build under test), created if need be."""
    build = os.environ.get("HOTLINE_BUILD", os.path.join(TOP, "build"))
    d = os.path.join(build, "screenshots")
    os.makedirs(d, exist_ok=True)
    return d


def file_url(path):
    return "file://" + os.path.abspath(path)


class Browser:
    """One headless Chromium with a fresh profile."""

    def __init__(self, width=1600, height=1000, lang="ja"):
        why = available()
        if why:
            raise RuntimeError(why)
        self.profile = tempfile.mkdtemp(prefix="hotline-chromium-")
        opts = Options()
        opts.binary_location = CHROMIUM
        for f in FLAGS:
            opts.add_argument(f)
        opts.add_argument(f"--user-data-dir={self.profile}")
        opts.add_argument(f"--window-size={width},{height}")
        opts.add_argument(f"--lang={lang}")
        opts.add_experimental_option("prefs",
                                     {"intl.accept_languages": lang})
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.log_path = os.path.join(self.profile, "chromedriver.log")
        service = Service(CHROMEDRIVER, log_path=self.log_path)
        try:
            self.driver = webdriver.Chrome(service=service, options=opts)
        except Exception:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise
        self.driver.set_page_load_timeout(PAGE_TIMEOUT_S)
        self.driver.set_script_timeout(PAGE_TIMEOUT_S)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()

    def before_each_page(self, js):
        """Runs js in every page this browser opens, before its scripts."""
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                    {"source": js})

    def get(self, url):
        """Opens url and waits until the page and its deferred scripts ran."""
        self.driver.get(url)
        self.wait(lambda d: d.execute_script(
            "return document.readyState") == "complete")

    def wait(self, cond, timeout=10):
        return WebDriverWait(self.driver, timeout).until(cond)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def console(self):
        """The console entries since the last call."""
        return self.driver.get_log("browser")

    def console_errors(self):
        """Errors (and uncaught exceptions) logged since the last call."""
        return [e for e in self.console() if e.get("level") == "SEVERE"]

    def screenshot(self, name):
        """Saves build/screenshots/NAME.png; returns its path."""
        path = os.path.join(artifact_dir(), name + ".png")
        self.driver.save_screenshot(path)
        return path

    def quit(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
