"""A server killed in the middle of a relay's fan-out loses nothing half-written, and a retry
with the same Idempotency-Key after the restart completes the relay exactly once."""
import sqlite3

import requests

from alerting import start_server
from conftest import free_port, run

ADVISORY = {
    "title": {"ja": "【注意喚起】クラッシュ試験", "en": "Crash test"}, "body": {"ja": "全構成員へ。"}, "severity": "critical",
    "category": "threat", "tlp": "AMBER",
    "targets": [{"kind": "sector", "key": "finance"}, {"kind": "sector", "key": "government"}],
}


def start(database, port, env_extra=None):
    return start_server(database, port, extra=env_extra)


def counts(database):
    with sqlite3.connect(database) as db:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ["advisories", "relay_hops", "deliveries", "jobs", "audit_log"]}


def test_a_kill_mid_fan_out_leaves_nothing_and_the_retry_relays_once(tmp_path):
    database = str(tmp_path / "crash.sqlite")
    assert run("seed", "--demo", "--database", database)[0] == 0
    code, token, _ = run("token", "create", "--email", "nisc@demo.ceptoar.example", "--database", database)
    assert code == 0
    headers = {"Authorization": "Bearer " + token.decode().strip(), "Idempotency-Key": "crash-test-0001"}
    before = counts(database)

    # The server kills itself (SIGKILL) after the third CEPTOAR hop has inserted its deliveries.
    port = free_port()
    server = start(database, port, {"CEPTOAR_FAULT_KILL_AFTER_FANOUTS": "3"})
    try:
        requests.post(f"http://127.0.0.1:{port}/api/v1/advisories", json=ADVISORY, headers=headers, timeout=30)
        raise AssertionError("the request should have died with the server")
    except requests.ConnectionError:
        pass
    assert server.wait(timeout=30) == -9
    # Nothing of the relay was committed: no advisory, no hop, no delivery, no job, no audit row.
    assert counts(database) == before

    # Restarted without the fault, the same request with the same key relays once, completely.
    port = free_port()
    server = start(database, port)
    try:
        first = requests.post(f"http://127.0.0.1:{port}/api/v1/advisories", json=ADVISORY, headers=headers, timeout=30)
        assert first.status_code == 201
        advisory = first.json()["id"]
        again = requests.post(f"http://127.0.0.1:{port}/api/v1/advisories", json=ADVISORY, headers=headers, timeout=30)
        assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["id"] == advisory
        other = dict(ADVISORY, title={"ja": "別の注意喚起"})
        reused = requests.post(f"http://127.0.0.1:{port}/api/v1/advisories", json=other, headers=headers, timeout=30)
        assert reused.status_code == 409 and reused.headers["Content-Type"].startswith("application/problem+json")
    finally:
        server.terminate()
        server.wait(timeout=30)

    with sqlite3.connect(database) as db:
        members = db.execute("""
            SELECT COUNT(DISTINCT m.organisation_id) FROM memberships m JOIN ceptoar_versions v ON v.ceptoar_id = m.ceptoar_id
            JOIN sectors s ON s.id = v.sector_id
            WHERE s.key IN ('finance', 'government') AND m.role = 'member' AND v.valid_to IS NULL AND m.valid_to IS NULL
            """).fetchone()[0]
        delivered, distinct = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT organisation_id) FROM deliveries WHERE advisory_id = ?", (advisory,)).fetchone()
        hops = db.execute("SELECT COUNT(*) FROM relay_hops WHERE advisory_id = ? AND stage = 'ceptoar'", (advisory,)).fetchone()[0]
        jobs = db.execute("SELECT COUNT(*) FROM jobs j JOIN relay_hops h ON h.id = j.hop_id WHERE h.advisory_id = ?", (advisory,)).fetchone()[0]
        published = db.execute("SELECT COUNT(*) FROM advisories WHERE idempotency_key = 'crash-test-0001'").fetchone()[0]
    assert published == 1
    assert hops == 5 and jobs == 5
    assert delivered == distinct == members == 1_738 + 327 + 41 + 28 + 1_863
    # The audit chain is whole after the kill and the restart.
    code, out, err = run("audit", "verify", "--database", database)
    assert code == 0, err
