"""The webhook channel against a real HTTP receiver on loopback: requests are signed with
HMAC-SHA256 over timestamp and body, carry an Idempotency-Key and the documented payload; the
gateway's signed callbacks mark messages delivered or acknowledged, and a replay is refused."""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from alerting import start_server, stop_server
from conftest import free_port, run

SECRET = "gateway-shared-secret-0001"


class Gateway:
    """An SMS gateway as a provider runs it: checks our signature, answers 202, keeps the request."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Ceptoar-Timestamp"]
                expected = "v1=" + hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
                valid = hmac.compare_digest(expected, self.headers["X-Ceptoar-Signature"]) and abs(time.time() - int(timestamp)) < 300
                with gateway.lock:
                    gateway.requests.append({"valid": valid, "key": self.headers["Idempotency-Key"], "payload": json.loads(body)})
                self.send_response(202 if valid else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.1)
        raise AssertionError(f"expected {count} gateway requests, got {len(self.requests)}")


def callback(base, event, timestamp=None, secret=SECRET):
    body = json.dumps(event).encode()
    timestamp = str(timestamp or int(time.time()))
    signature = "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return requests.post(f"{base}/api/v1/gateway/events", data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Ceptoar-Timestamp": timestamp, "X-Ceptoar-Signature": signature})


def test_sms_goes_to_a_real_gateway_signed_and_its_callbacks_acknowledge(tmp_path):
    database = str(tmp_path / "gateway.sqlite")
    assert run("seed", "--demo", "--database", database)[0] == 0
    code, out, _ = run("token", "create", "--email", "secretariat@demo.ceptoar.example", "--database", database)
    secretariat = {"Authorization": "Bearer " + out.decode().strip()}
    gateway = Gateway()
    port = free_port()
    server = start_server(database, port, extra={"CEPTOAR_GATEWAY_SMS_URL": gateway.url, "CEPTOAR_GATEWAY_SECRET": SECRET})
    base = f"http://127.0.0.1:{port}"
    try:
        policy = {"steps": [{"ranks": ["secondary"], "channels": ["mobile"], "waitSeconds": 600}], "repeatCount": 0}
        started = requests.post(f"{base}/api/v1/alerts", json={"kind": "drill", "scope": "ceptoar", "key": "t-ceptoar", "policy": policy},
                                headers=secretariat)
        assert started.status_code == 201
        alert = started.json()["alert"]["id"]
        received = gateway.wait_for(29)
        time.sleep(0.5)
        assert len(gateway.requests) == 29 and all(r["valid"] for r in received)
        payload = received[0]["payload"]
        assert set(payload) == {"attempt", "alert", "kind", "channel", "to", "contact", "text", "acknowledgeURL", "callbackURL"}
        assert payload["channel"] == "mobile" and payload["to"].startswith("090") and payload["kind"] == "drill"
        assert payload["text"]["ja"].startswith("【訓練】") and f"{base}/a/" in payload["acknowledgeURL"]
        assert received[0]["key"] == f"ceptoar-attempt-{payload['attempt']}"
        messages = requests.get(f"{base}/api/v1/alerts/{alert}/messages?route=gateway", headers=secretariat).json()
        assert {m["state"] for m in messages} == {"sent"}

        first, second = received[0]["payload"]["attempt"], received[1]["payload"]["attempt"]
        assert callback(base, {"attempt": first, "event": "delivered"}).status_code == 200
        # Someone pressed 1 on the phone: the gateway acknowledges for the organisation.
        answer = callback(base, {"attempt": first, "event": "acknowledged"})
        assert answer.status_code == 200 and answer.json()["state"] == "acknowledged"
        failed = callback(base, {"attempt": second, "event": "failed", "detail": "number not in service", "permanent": True})
        assert failed.json()["state"] == "failed_permanent"
        # Refused: a wrong key, an old timestamp, the very same request again.
        assert callback(base, {"attempt": second, "event": "acknowledged"}, secret="not-the-secret").status_code == 401
        assert callback(base, {"attempt": second, "event": "acknowledged"}, timestamp=int(time.time()) - 900).status_code == 401
        stamp = int(time.time())
        assert callback(base, {"attempt": second, "event": "delivered"}, timestamp=stamp).status_code == 200
        replay = callback(base, {"attempt": second, "event": "delivered"}, timestamp=stamp)
        assert replay.status_code == 409 and replay.headers["Content-Type"].startswith("application/problem+json")

        report = requests.get(f"{base}/api/v1/alerts/{alert}", headers=secretariat).json()
        assert report["acknowledged"] == 1
        assert any("number not in service" in p for r in report["unreached"] for p in r["problems"])
    finally:
        stop_server(server)
        gateway.server.shutdown()
