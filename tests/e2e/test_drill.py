"""The issue's acceptance scenario, against the real binary and a real SMTP server: a
secretariat runs a drill for its CEPTOAR; mail reaches the SMTP server; half the contacts
click their link, the rest escalate to their secondary contact on time; the report shows the
reach rate and the chart; a restart mid-drill changes none of the counts. Also: the SMTP
server down in the middle of an alert, and a process killed in the middle of a national send."""
import collections
import sqlite3
import time

import requests

from alerting import MailRecorder, click, link_in, start_server, stop_server
from conftest import free_port, run

POLICY = {"steps": [
    {"ranks": ["primary"], "channels": ["portal", "email"], "waitSeconds": 8},
    {"ranks": ["secondary"], "channels": ["email"], "waitSeconds": 8},
], "repeatCount": 0}


def token(database, email):
    code, out, _ = run("token", "create", "--email", email, "--database", database)
    assert code == 0
    return {"Authorization": "Bearer " + out.decode().strip()}


def test_a_secretariat_runs_a_drill_half_acknowledge_the_rest_escalate_and_a_restart_changes_nothing(tmp_path):
    database = str(tmp_path / "drill.sqlite")
    assert run("seed", "--demo", "--database", database)[0] == 0
    secretariat = token(database, "secretariat@demo.ceptoar.example")
    smtp = MailRecorder().up()
    port = free_port()
    server = start_server(database, port, smtp.port)
    base = f"http://127.0.0.1:{port}"
    try:
        assert requests.put(f"{base}/api/v1/ceptoars/t-ceptoar/escalation-policy", json=POLICY, headers=secretariat).status_code == 200
        started = requests.post(f"{base}/api/v1/alerts", json={"kind": "drill", "scope": "ceptoar", "key": "t-ceptoar"}, headers=secretariat)
        assert started.status_code == 201
        alert = started.json()["alert"]["id"]
        t0 = time.time()
        assert started.json()["targets"] == 29

        # Every member's primary contact gets one mail, marked as a drill, with its own link.
        first = smtp.wait_for(29, timeout=10)
        assert time.time() - t0 < 5
        assert all(m["Subject"].startswith("【訓練】疎通確認訓練") for m in first)
        assert sorted(m["To"].addresses[0].addr_spec.split(".", 1)[0] for m in first) == ["primary"] * 29
        assert all(m["X-Ceptoar-Exercise"] == "drill" for m in first)

        # Half of them (15) press the button behind their link.
        clicked = first[:15]
        for message in clicked:
            assert "受信確認を記録しました" in click(link_in(message))
        # Opened again, the link says so and offers no button.
        again = requests.get(link_in(clicked[0]), timeout=10).text
        assert 'data-testid="ack-already"' in again and 'data-testid="link-ack"' not in again
        acknowledged = {m["To"].addresses[0].addr_spec.split(".", 1)[1].split("@")[0] for m in clicked}

        before = requests.get(f"{base}/api/v1/alerts/{alert}", headers=secretariat).json()
        assert before["acknowledged"] == 15

        # A restart in the middle of the drill, before the second step is due.
        stop_server(server)
        server = start_server(database, port, smtp.port)
        after = requests.get(f"{base}/api/v1/alerts/{alert}", headers=secretariat).json()
        assert (after["acknowledged"], after["targets"], after["messages"]) == (before["acknowledged"], before["targets"], before["messages"])

        # The other 14 escalate to their secondary contact, on time (8 s after the start).
        everything = smtp.wait_for(29 + 14, timeout=20)
        escalated = [m for m in everything if m["To"].addresses[0].addr_spec.startswith("secondary.")]
        assert len(escalated) == 14
        assert 7.5 <= time.time() - t0
        organisations = {m["To"].addresses[0].addr_spec.split(".", 1)[1].split("@")[0] for m in escalated}
        assert not organisations & acknowledged
        assert all(m["X-Ceptoar-Step"] == "2" for m in escalated)

        # After the last wait the policy has run out; the report shows the rate and the chart.
        deadline = time.time() + 20
        while time.time() < deadline:
            report = requests.get(f"{base}/api/v1/alerts/{alert}", headers=secretariat).json()
            if report["exhausted"] == 14:
                break
            time.sleep(0.3)
        assert report["acknowledged"] == 15 and report["exhausted"] == 14
        assert abs(report["reachRate"] - 15 / 29) < 1e-9
        assert sum(b["count"] for b in report["histogram"]) == 15
        assert report["stages"] == [{"key": "member", "label": {"ja": "構成員", "en": "Members"}, "targets": 29, "acknowledged": 15, "rate": report["reachRate"]}]
        assert len(report["unreached"]) == 14
        csv = requests.get(f"{base}/api/v1/alerts/{alert}/report.csv", headers=secretariat)
        assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf") and csv.text.count("\r\n") == 30

        # Exactly one message per contact per step: no duplicate Message-IDs, none to spare.
        ids = collections.Counter(m["Message-ID"] for m in smtp.received())
        assert len(ids) == 43 and max(ids.values()) == 1
    finally:
        stop_server(server)
        smtp.down()


def test_the_smtp_server_down_mid_alert_is_retried_with_backoff_while_escalation_moves_on(tmp_path):
    database = str(tmp_path / "down.sqlite")
    assert run("seed", "--demo", "--database", database)[0] == 0
    secretariat = token(database, "secretariat@demo.ceptoar.example")
    smtp = MailRecorder()  # not up yet: connections are refused
    port = free_port()
    server = start_server(database, port, smtp.port)
    base = f"http://127.0.0.1:{port}"
    try:
        started = requests.post(f"{base}/api/v1/alerts", json={"kind": "test", "scope": "ceptoar", "key": "t-ceptoar", "policy": POLICY},
                                headers=secretariat)
        assert started.status_code == 201
        alert = started.json()["alert"]["id"]
        time.sleep(2)
        failed = requests.get(f"{base}/api/v1/alerts/{alert}/messages?route=smtp&state=failed_temporary", headers=secretariat).json()
        assert len(failed) == 29 and all("connect" in (m["lastError"] or "").lower() or "refused" in (m["lastError"] or "").lower() for m in failed)
        # Escalation does not wait for the mail server: step 2 is queued on time.
        time.sleep(7)
        step2 = [m for m in requests.get(f"{base}/api/v1/alerts/{alert}/messages?route=smtp", headers=secretariat).json() if m["step"] == 2]
        assert len(step2) == 29
        smtp.up()
        # Back after ~10 s: the retries deliver every message of both steps, once each.
        messages = smtp.wait_for(58, timeout=40)
        time.sleep(1)
        assert len(smtp.received()) == 58
        assert len({m["Message-ID"] for m in messages}) == 58
        sent = requests.get(f"{base}/api/v1/alerts/{alert}/messages?route=smtp&state=sent", headers=secretariat).json()
        assert len(sent) == 58 and all(m["tries"] >= 2 for m in sent)
    finally:
        stop_server(server)
        smtp.down()


def test_a_process_killed_mid_national_send_sends_every_message_exactly_once_after_restart(tmp_path):
    database = str(tmp_path / "national.sqlite")
    assert run("seed", "--demo", "--database", database)[0] == 0
    nisc = token(database, "nisc@demo.ceptoar.example")
    smtp = MailRecorder().up()
    port = free_port()
    # The server kills itself (SIGKILL) once the first 2,000 messages are sent and recorded.
    server = start_server(database, port, smtp.port, {"CEPTOAR_FAULT_KILL_AFTER_SENT": "2000"})
    base = f"http://127.0.0.1:{port}"
    national = {"kind": "alert", "scope": "nation", "severity": "critical",
                "title": {"ja": "全国一斉連絡", "en": "National alert"}, "body": {"ja": "受信を確認してください。", "en": "Please acknowledge."},
                "policy": {"steps": [{"ranks": ["primary"], "channels": ["email"], "waitSeconds": 3600}], "repeatCount": 0}}
    try:
        started = requests.post(f"{base}/api/v1/alerts", json=national, headers={**nisc, "Idempotency-Key": "national-0001"})
        assert started.status_code == 201
        alert = started.json()["alert"]["id"]
        queued = started.json()["messagesQueued"]
        assert queued > 5_692
        assert server.wait(timeout=60) == -9
        sent_before = len(smtp.received())
        assert 2_000 <= sent_before < queued

        server = start_server(database, port, smtp.port)
        # The retried request is a replay, not a second alert.
        again = requests.post(f"{base}/api/v1/alerts", json=national, headers={**nisc, "Idempotency-Key": "national-0001"})
        assert again.status_code == 200 and again.json()["alert"]["id"] == alert
        smtp.wait_for(queued, timeout=60)
        time.sleep(1)
        received = smtp.received()
        assert len(received) == queued
        per_address = collections.Counter(m["To"].addresses[0].addr_spec for m in received)
        assert max(per_address.values()) == 1 and len(per_address) == queued
        with sqlite3.connect(database) as db:
            states = dict(db.execute("SELECT state, COUNT(*) FROM notification_attempts GROUP BY state").fetchall())
        assert states == {"sent": queued}
    finally:
        stop_server(server)
        smtp.down()
