"""Helpers for the alert and drill tests: a recording SMTP server that can be taken down and
brought back on the same port, a server started on a given database, and mail parsing."""
import email
import email.policy
import os
import re
import subprocess
import threading
import time

import requests
from aiosmtpd.controller import Controller

from conftest import BIN, free_port


class MailRecorder:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it accepts."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 2.0.0 queued"

    def up(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def down(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def received(self):
        with self.lock:
            return list(self.messages)

    def wait_for(self, count, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.received()) >= count:
                return self.received()
            time.sleep(0.1)
        raise AssertionError(f"expected {count} messages, got {len(self.received())}")


def start_server(database, port, smtp_port=None, extra=None):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"CEPTOAR_BCRYPT_COST": "4", "LOG_LEVEL": "warning", "CEPTOAR_NOTIFY_POLL_MS": "100",
                "CEPTOAR_PUBLIC_URL": f"http://127.0.0.1:{port}"})
    if smtp_port:
        env["CEPTOAR_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    env.update(extra or {})
    log = open(database + f".{port}.log", "wb")
    process = subprocess.Popen([BIN, "serve", "--database", database, "--hostname", "127.0.0.1", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            pass
        assert process.poll() is None, "the server exited while starting: " + open(log.name).read()
        time.sleep(0.2)
    raise AssertionError("the server did not become ready")


def stop_server(process):
    process.terminate()
    process.wait(timeout=30)


def link_in(message):
    match = re.search(r"(http://\S+/a/\S+)", message.get_content())
    assert match, "no acknowledgement link in the message"
    return match.group(1)


def click(link):
    """What a person does: open the link, press the button on the page."""
    session = requests.Session()
    page = session.get(link, timeout=10)
    assert page.status_code == 200 and 'data-testid="link-ack"' in page.text
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    done = session.post(link, data={"_csrf": csrf}, timeout=10)
    assert done.status_code == 200
    return done.text
