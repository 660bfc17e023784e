"""Fixtures for tests that drive the real `ceptoar` binary: a server on a free loopback port
with the demo nation on a fresh SQLite file, and headless Chromium pointed at it."""
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

BIN = os.environ.get("CEPTOAR_BIN", str(Path(__file__).resolve().parents[2] / ".build/debug/ceptoar"))
ARTIFACTS = Path(os.environ.get("CEPTOAR_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
DEMO_PASSWORD = "ceptoar-demo-2009"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, env=None, input=None):
    """Runs the binary; returns (exit code, stdout, stderr). Never raises on a non-zero exit."""
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update({"CEPTOAR_BCRYPT_COST": "4", "LOG_LEVEL": "warning"})
    full_env.update(env or {})
    p = subprocess.run([BIN, *args], capture_output=True, env=full_env, input=input, timeout=120)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "ceptoar.sqlite")


@pytest.fixture(scope="session")
def server():
    """`ceptoar serve --demo` on a fresh SQLite file, as the README's first command does."""
    yield from serve_demo()


def serve_demo(history=False):
    """Starts a demo server on a fresh SQLite file and yields what tests need of it; a test
    module whose changes would reach every other test (a raised situation level leads every
    page) takes one of its own. The shared server has no generated past (`--no-history`): the
    tests written before it count from an empty year; those about the past ask for it."""
    from alerting import MailRecorder

    directory = tempfile.mkdtemp(prefix="ceptoar-e2e-")
    database = os.path.join(directory, "ceptoar.sqlite")
    port = free_port()
    # Alert mail goes to a real SMTP server on loopback, kept for the tests to read.
    smtp = MailRecorder().up()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"CEPTOAR_BCRYPT_COST": "4", "CEPTOAR_LOGIN_FAILURES_BEFORE_DELAY": "50", "CEPTOAR_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
                "CEPTOAR_PUBLIC_URL": f"http://127.0.0.1:{port}", "CEPTOAR_NOTIFY_POLL_MS": "100"})
    log = open(os.path.join(directory, "serve.log"), "wb")
    process = subprocess.Popen(
        [BIN, "serve", "--demo", "--history" if history else "--no-history", "--database", database, "--hostname", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    started = time.time()
    deadline = started + 60
    while time.time() < deadline:
        try:
            if requests.get(base + "/ready", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None:
            raise RuntimeError("ceptoar serve exited: " + open(log.name).read())
        time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("ceptoar serve did not become ready")
    ready_seconds = time.time() - started
    yield {"base": base, "database": database, "smtp": smtp, "ready_seconds": ready_seconds}
    process.terminate()
    process.wait(timeout=20)
    smtp.down()


@pytest.fixture(scope="session")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,1000"):
        options.add_argument(argument)
    # The console is kept, so a test can prove the Content-Security-Policy blocked nothing.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def shot(browser):
    """Saves a full-page screenshot under test-artifacts/screenshots/NAME.png."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(name: str):
        width = browser.execute_script("return Math.max(document.body.scrollWidth, 1200)")
        height = browser.execute_script("return Math.max(document.body.scrollHeight, 600)")
        browser.set_window_size(min(width + 40, 4000), min(height + 120, 4000))
        path = folder / f"{name}.png"
        browser.save_screenshot(str(path))
        browser.set_window_size(1600, 1000)
        return path

    return take
