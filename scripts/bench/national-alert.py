"""National alert, end to end: NISC starts an alert to the primary contact of every
organisation in the demo nation (by mail only); the clock runs from the POST until the
loopback SMTP server (aiosmtpd) has accepted every message. Repeated for several numbers of
SMTP connections. Usage: national-alert.py BIN SEEDED_DB CONNECTIONS..."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import json
import multiprocessing

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Counter:
    """Counts accepted messages in a shared integer; runs in its own process (the SMTP server
    is Python: sharing a process, and so the GIL, with the stopwatch would slow it)."""

    def __init__(self, shared):
        self.shared = shared

    async def handle_DATA(self, server, session, envelope):
        with self.shared.get_lock():
            self.shared.value += 1
        return "250 OK"


def serve_smtp(port, shared, stop):
    controller = Controller(Counter(shared), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


def request(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=60) as response:
        return response.status, json.loads(response.read() or b"null")


def run(binary, seeded, connections):
    work = tempfile.mkdtemp(prefix="ceptoar-national-")
    database = os.path.join(work, "db.sqlite")
    shutil.copy(seeded, database)
    count = multiprocessing.Value("l", 0)
    stop = multiprocessing.Event()
    smtp_port = free_port()
    smtp = multiprocessing.Process(target=serve_smtp, args=(smtp_port, count, stop))
    smtp.start()
    env = dict(os.environ, LOG_LEVEL="error")
    token = subprocess.run([binary, "token", "create", "--email", "nisc@demo.ceptoar.example", "--database", database],
                           capture_output=True, env=env, check=True).stdout.decode().strip()
    port = free_port()
    env.update({"CEPTOAR_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "CEPTOAR_SMTP_CONNECTIONS": str(connections),
                "CEPTOAR_PUBLIC_URL": f"http://127.0.0.1:{port}", "CEPTOAR_NOTIFY_POLL_MS": "50"})
    server = subprocess.Popen([binary, "serve", "--database", database, "--hostname", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(200):
            try:
                if request("GET", f"http://127.0.0.1:{port}/ready")[0] == 200:
                    break
            except Exception:
                time.sleep(0.1)
        alert = {"kind": "alert", "scope": "nation", "severity": "critical", "title": {"ja": "全国一斉連絡", "en": "National alert"},
                 "body": {"ja": "重要インフラ事業者各位 受信を確認してください。", "en": "Please acknowledge."},
                 "policy": {"steps": [{"ranks": ["primary"], "channels": ["email"], "waitSeconds": 3600}], "repeatCount": 0}}
        start = time.perf_counter()
        status, started = request("POST", f"http://127.0.0.1:{port}/api/v1/alerts", alert, {"Authorization": "Bearer " + token})
        committed = time.perf_counter() - start
        queued = started["messagesQueued"]
        while count.value < queued and time.perf_counter() - start < 120:
            time.sleep(0.005)
        elapsed = time.perf_counter() - start
        print(f"connections {connections:3d}: {count.value} of {queued} messages accepted in {elapsed:.2f} s "
              f"({count.value / elapsed:,.0f} messages/s; alert and first step committed in {committed * 1000:.0f} ms)", flush=True)
    finally:
        server.terminate()
        server.wait()
        stop.set()
        smtp.join()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    binary, seeded = sys.argv[1], sys.argv[2]
    for connections in [int(c) for c in sys.argv[3:]] or [32]:
        run(binary, seeded, connections)
