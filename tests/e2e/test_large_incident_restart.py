"""Large-incident mode survives a restart: NISC raises the nation to 緊急 on a real server, the
server is stopped and started again on the same database, and the mode still holds — the
plain-text situation says so and a new advisory that would be held for review at the ministry
goes straight on. Its own server: the mode changes every page of the nation."""
import requests

from alerting import start_server, stop_server
from conftest import free_port, run
from test_fuzz import token


def advisory(base, nisc):
    answer = requests.post(base + "/api/v1/advisories", headers=nisc, timeout=60, json={
        "title": {"ja": "再起動試験", "en": "restart check"}, "body": {"ja": "本文"}, "severity": "medium",
        "category": "threat", "tlp": "GREEN", "targets": [{"kind": "ceptoar", "key": "banks"}]})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def held_at_fsa(base, fsa):
    answer = requests.get(base + "/api/v1/home", headers=fsa, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()["work"]["held_hops"]


def nation_line(base, nisc):
    answer = requests.get(base + "/api/v1/situation.txt", headers=nisc, timeout=60)
    assert answer.status_code == 200, answer.text
    return next(line for line in answer.text.splitlines() if line.startswith("nation\t"))


def test_large_incident_mode_survives_a_restart(tmp_path):
    # setup: the demo nation; a medium advisory to the banks is held at FSA for review
    database = str(tmp_path / "restart.sqlite")
    assert run("seed", "--demo", "--database", database)[0] == 0
    nisc = {"Authorization": "Bearer " + token(database, "nisc@demo.ceptoar.example")}
    fsa = {"Authorization": "Bearer " + token(database, "fsa@demo.ceptoar.example")}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_server(database, port)
    try:
        first = advisory(base, nisc)
        assert held_at_fsa(base, fsa) == 1
        # act: NISC raises the nation to 緊急, citing the advisory
        raised = requests.post(base + "/api/v1/situation", headers=nisc, timeout=60, json={
            "scope": "nation", "level": "emergency", "links": [{"kind": "advisory", "id": first}],
            "rationale": {"ja": "全国的な大規模障害", "en": "a nationwide large-scale failure"}})
        assert raised.status_code == 201, raised.text
        assert raised.json()["large_incident"] is True
        assert held_at_fsa(base, fsa) == 0
    finally:
        stop_server(process)

    # act: the same database, a new process
    process = start_server(database, port)
    try:
        # check: still in the mode, and a new advisory is not held at FSA
        assert nation_line(base, nisc).split("\t")[1:4] == ["emergency", "緊急", "large-incident"]
        advisory(base, nisc)
        assert held_at_fsa(base, fsa) == 0
        # lowered, review is back
        lowered = requests.post(base + "/api/v1/situation", headers=nisc, timeout=60, json={
            "scope": "nation", "level": "caution", "links": [{"kind": "advisory", "id": first}],
            "rationale": {"ja": "復旧が進んだため", "en": "recovery under way"}})
        assert lowered.status_code == 201, lowered.text
        advisory(base, nisc)
        assert held_at_fsa(base, fsa) == 1
    finally:
        stop_server(process)
