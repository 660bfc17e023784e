"""Federation between real `ceptoar serve` processes, each with its own database: the T-CEPTOAR
node and the power node share under an agreement (AMBER, anonymised, both ways); a water node
that is no party gets nothing; a pull killed mid-way resumes with nothing lost or doubled;
corrections and withdrawals propagate; nothing comes back where it came from."""
import json
import signal
import sqlite3
import uuid

import pytest
import requests
from taxii2client.v21 import Collection, as_pages

from alerting import start_server, stop_server
from conftest import free_port, run

TAXII = "application/taxii+json;version=2.1"
KEY = "t-ceptoar-electricity-2026"
T, POWER, WATER = "ceptoar:t-ceptoar", "ceptoar:electricity", "ceptoar:water"
NAMESPACE = uuid.UUID("6a0d6f0e-2c4b-4c8e-9d57-3b1f0c2e7a41")
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"


def token(database, email):
    code, out, err = run("token", "create", "--email", email, "--database", database)
    assert code == 0, err
    return out.decode().strip()


def bearer(secret):
    return {"Authorization": "Bearer " + secret, "Accept": TAXII}


class Node:
    def __init__(self, directory, name):
        self.database = str(directory / f"{name}.sqlite")
        assert run("seed", "--demo", "--database", self.database)[0] == 0
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = start_server(self.database, self.port, extra={"CEPTOAR_SYNC_POLL_SECONDS": "3600"})
        self.tokens = {}

    def token(self, who):
        if who not in self.tokens:
            self.tokens[who] = token(self.database, f"{who}@demo.ceptoar.example")
        return self.tokens[who]

    def api(self, method, path, who, **kwargs):
        return requests.request(method, self.base + path, headers={"Authorization": "Bearer " + self.token(who)}, **kwargs)

    def agree(self, key, parties, proposer, approver, pass_on=False):
        proposal = {
            "key": key, "title": {"ja": "相互合意 " + key, "en": "Agreement " + key}, "parties": parties, "direction": "both", "maxTLP": "AMBER",
            "anonymised": True, "mayPassOn": pass_on, "validFrom": "2026-01-01", "retentionDays": 365, "contacts": {p: "事務局 03-0000-0000" for p in parties},
        }
        created = self.api("POST", "/api/v1/agreements", proposer, json=proposal)
        assert created.status_code == 201, created.text
        assert self.api("POST", f"/api/v1/agreements/{key}/approve", approver).json()["status"] == "active"
        return self.base + f"/taxii2/api/collections/{created.json()['collection']}/"

    def peer(self, name, url, secret, remote, local, extra=None):
        code, out, err = run("peers", "add", "--name", name, "--url", url, "--token", secret, "--agreement", KEY if extra is None else extra,
                             "--remote", remote, "--local", local, "--database", self.database)
        assert code == 0, err

    def versions(self, type_):
        with sqlite3.connect(self.database) as db:
            return sorted(db.execute("SELECT object_id, version_key FROM stix_objects WHERE type = ?", (type_,)).fetchall())

    def sync(self, env=None):
        return run("peers", "sync", "--database", self.database, env=env)

    def received(self, key=KEY):
        with sqlite3.connect(self.database) as db:
            return db.execute("SELECT object_id, version_key, source_party FROM stix_objects WHERE received_under = ?", (key,)).fetchall()

    def stop(self):
        stop_server(self.process)


@pytest.fixture
def nodes(tmp_path):
    made = {name: Node(tmp_path, name) for name in ("telecom", "power", "water")}
    yield made
    for node in made.values():
        node.stop()


def publish(node, who, ceptoar, **changes):
    advisory = {
        "title": {"ja": "【注意喚起】制御系ネットワーク機器の脆弱性", "en": "Control network device vulnerability"},
        "body": {"ja": "対策: 修正版へ更新してください。", "en": "Update to the fixed version."}, "severity": "high", "category": "vulnerability",
        "tlp": "AMBER", "targets": [{"kind": "ceptoar", "key": ceptoar}], "references": ["CVE-2025-0001", "198.51.100.9"],
    }
    advisory.update(changes)
    response = node.api("POST", "/api/v1/advisories", who, json=advisory)
    assert response.status_code == 201, response.text
    return response.json()


def served(url, secret):
    """Every (id, version) a collection serves this requester, all versions."""
    collection = Collection(url, user="peer", password=secret)
    return {(o["id"], o["modified"] if "modified" in o else o.get("created")) for page in as_pages(collection.get_objects, per_request=1000, version="all") for o in page.get("objects", [])}


def test_two_nodes_share_under_the_agreement_and_a_killed_pull_resumes(nodes):
    telecom, power, water = nodes["telecom"], nodes["power"], nodes["water"]
    # Both nodes hold the same agreement: proposed and approved by the two secretariats on each.
    at_telecom = telecom.agree(KEY, [T, POWER], "secretariat", "power-secretariat")
    at_power = power.agree(KEY, [T, POWER], "power-secretariat", "secretariat")
    power.peer("t-node", at_telecom, telecom.token("power-secretariat"), T, POWER)
    telecom.peer("power-node", at_power, power.token("secretariat"), POWER, T)

    # T-CEPTOAR publishes to its members: AMBER (crosses) and RED (never does), and 2,500 indicators.
    amber = publish(telecom, "secretariat", "t-ceptoar")
    red = publish(telecom, "secretariat", "t-ceptoar", tlp="RED", targets=[{"kind": "organisation", "key": "demo-t-ceptoar-0001"}], title={"ja": "赤の情報", "en": "Red"})
    community = Collection(telecom.base + "/taxii2/api/collections/" + str(uuid.uuid5(NAMESPACE, "taxii-collection:community:t-ceptoar")) + "/",
                           user="x", password=telecom.token("secretariat"))
    author = f"identity--{uuid.uuid5(NAMESPACE, 'organisation:t-ceptoar-secretariat')}"
    for start in range(0, 2500, 500):
        objects = [{
            "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid5(NAMESPACE, f'fed-{i}')}", "created": "2026-12-01T00:00:00.000Z",
            "modified": "2026-12-01T00:00:00.000Z", "created_by_ref": author, "name": f"c2 {i}", "pattern": f"[ipv4-addr:value = '192.0.2.{i % 250}']",
            "pattern_type": "stix", "valid_from": "2026-12-01T00:00:00Z", "object_marking_refs": [AMBER], "labels": ["category:vulnerability"],
        } for i in range(start, start + 500)]
        assert community.add_objects(json.dumps({"objects": objects})).success_count == 500

    # The power node's pull is killed while it stores its second page; then it runs again.
    code, _, _ = power.sync(env={"CEPTOAR_FAULT_KILL_AT_PULLED_PAGE": "2"})
    assert code == -signal.SIGKILL
    partial = power.received()
    assert 0 < len(partial) < 2500
    assert power.sync()[0] == 0
    expected = served(at_telecom, telecom.token("power-secretariat"))
    got = power.received()
    assert {(i, v) for i, v, _ in got} and len(got) == len({(i, v) for i, v, _ in got})
    assert {i for i, _, _ in got} == {i for i, _ in expected}
    assert len(got) == len(expected) >= 2500 + 3
    assert all(source == T for _, _, source in got)

    # The power member reads it on its own node, without the originator's name; RED never came.
    member = Collection(power.base + "/taxii2/api/collections/" + str(uuid.uuid5(NAMESPACE, "taxii-collection:community:electricity")) + "/",
                        user="x", password=power.token("power"))
    reports = member.get_objects(type="report")["objects"]
    text = json.dumps(reports, ensure_ascii=False)
    assert any(r["name"] == amber["title"]["ja"] for r in reports)
    assert "赤の情報" not in text and red["id"] not in text
    assert "t-ceptoar-secretariat" not in text and f"identity--{uuid.uuid5(NAMESPACE, 'organisation:t-ceptoar-secretariat')}" not in text
    # The water member on the power node does not read what came under the agreement.
    water_on_power = requests.get(power.base + "/taxii2/api/collections/" + str(uuid.uuid5(NAMESPACE, "taxii-collection:community:water")) + "/objects/",
                                  headers=bearer(power.token("water")))
    assert water_on_power.status_code == 200 and "制御系" not in water_on_power.text

    # The power side publishes too; T-CEPTOAR's node pulls it, and nothing returns where it came from.
    mine = publish(power, "power-secretariat", "electricity", title={"ja": "電力から共有する情報", "en": "From power"})
    assert telecom.sync()[0] == 0
    assert any(source == POWER for _, _, source in telecom.received())
    for _ in range(3):
        assert power.sync()[0] == 0 and telecom.sync()[0] == 0
    assert all(source == T for _, _, source in power.received())
    assert all(source == POWER for _, _, source in telecom.received())
    settled = (len(power.received()), len(telecom.received()))
    assert power.sync()[0] == 0 and telecom.sync()[0] == 0
    assert (len(power.received()), len(telecom.received())) == settled
    assert mine["id"]

    # A correction and a withdrawal propagate as new versions of the same report.
    corrected = publish(telecom, "secretariat", "t-ceptoar", supersedes=amber["id"], title={"ja": "【訂正】制御系ネットワーク機器の脆弱性", "en": "Corrected"})
    assert telecom.api("POST", f"/api/v1/advisories/{corrected['id']}/withdraw", "secretariat", json={"reason": "誤り"}).status_code == 200
    assert power.sync()[0] == 0
    versions = member.get_objects(type="report", version="all")["objects"]
    same = [r for r in versions if r["name"].endswith("制御系ネットワーク機器の脆弱性")]
    assert len({r["id"] for r in same}) == 1 and len(same) == 3 and any(r.get("revoked") for r in same)
    assert member.get_objects(type="report", id=same[0]["id"])["objects"][0].get("revoked") is True

    # A node that is no party: its pull is refused, it stores nothing, and it shows as failing.
    water.agree("water-t-2026", [WATER, T], "water-secretariat", "secretariat")
    water.peer("t-node", at_telecom, telecom.token("water-secretariat"), T, WATER, extra="water-t-2026")
    code, out, err = water.sync()
    assert code != 0
    assert water.received("water-t-2026") == []
    code, out, _ = run("peers", "list", "--database", water.database)
    assert b"failing" in out and b"404" in out


def test_a_peer_that_is_down_or_answers_garbage_is_shown_failing_and_the_next_is_served(nodes, tmp_path):
    telecom, power = nodes["telecom"], nodes["power"]
    at_telecom = telecom.agree(KEY, [T, POWER], "secretariat", "power-secretariat")
    power.agree(KEY, [T, POWER], "power-secretariat", "secretariat")
    publish(telecom, "secretariat", "t-ceptoar")
    # A port nobody listens on, a plain web server answering HTML, and the real node.
    import http.server
    import threading

    class Garbage(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>not taxii</html>")

        def log_message(self, *args):
            pass

    garbage = http.server.HTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=garbage.serve_forever, daemon=True).start()
    try:
        power.peer("a-down", f"http://127.0.0.1:{free_port()}/taxii2/api/collections/x/", "t", T, POWER)
        power.peer("b-garbage", f"http://127.0.0.1:{garbage.server_port}/taxii2/api/collections/x/", "t", T, POWER)
        power.peer("c-real", at_telecom, telecom.token("power-secretariat"), T, POWER)
        code, out, err = power.sync()
        assert code != 0 and b"c-real: " in out and b"new version(s) in" in out.split(b"c-real: ")[1]
        assert power.received()
        code, out, _ = run("peers", "list", "--database", power.database)
        lines = {line.split(b"\t")[0]: line for line in out.splitlines()}
        assert b"failing" in lines[b"a-down"] and b"failing" in lines[b"b-garbage"] and b"\tok\t" in lines[b"c-real"]
        assert b"not TAXII JSON" in lines[b"b-garbage"]
        # The sync page shows the same, to the power secretariat.
        session = requests.Session()
        page = session.get(power.base + "/login")
        assert page.status_code == 200
    finally:
        garbage.shutdown()


def test_three_nodes_in_a_ring_converge_with_no_extra_versions(nodes):
    telecom, power, water = nodes["telecom"], nodes["power"], nodes["water"]
    secretariat = {T: "secretariat", POWER: "power-secretariat", WATER: "water-secretariat"}
    node_of = {T: telecom, POWER: power, WATER: water}
    ceptoar = {T: "t-ceptoar", POWER: "electricity", WATER: "water"}
    # Each pair agrees (passing on allowed, so objects may travel round the ring), on both nodes.
    ring = [("ring-ab", T, POWER), ("ring-bc", POWER, WATER), ("ring-ca", WATER, T)]
    urls = {}
    for key, first, second in ring:
        for party in (first, second):
            other = second if party == first else first
            urls[(key, party)] = node_of[party].agree(key, [first, second], secretariat[party], secretariat[other], pass_on=True)
    for key, first, second in ring:
        for local, remote in ((first, second), (second, first)):
            node_of[local].peer(f"{key}-{ceptoar[remote]}", urls[(key, remote)], node_of[remote].token(secretariat[local]), remote, local, extra=key)
    for party, node in node_of.items():
        publish(node, secretariat[party], ceptoar[party], title={"ja": f"{ceptoar[party]} からの情報", "en": f"From {ceptoar[party]}"})
    for _ in range(3):
        for node in (telecom, power, water):
            code, out, err = node.sync()
            assert code == 0, out + err.encode()
    reports = {name: node.versions("report") for name, node in nodes.items()}
    # Every node holds the three reports, one version each: the same set everywhere.
    assert len(reports["telecom"]) == 3 and reports["telecom"] == reports["power"] == reports["water"]
    everything = {name: node.versions("indicator") + node.versions("vulnerability") for name, node in nodes.items()}
    assert everything["telecom"] == everything["power"] == everything["water"]
    # Further rounds change nothing.
    for _ in range(2):
        for node in (telecom, power, water):
            assert node.sync()[0] == 0
    assert {name: node.versions("report") for name, node in nodes.items()} == reports
