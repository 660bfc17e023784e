"""TAXII 2.1 and STIX 2.1 against real peers' code: every object Ceptoar emits passes the OASIS
stix2-validator, and the OASIS taxii2-client pages through collections larger than a page
whose objects share one date_added; agreements decide what crosses; `ceptoar stix import`."""
import json
import uuid

import pytest
import requests
from stix2validator import ValidationOptions, validate_instance
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from alerting import start_server, stop_server
from conftest import free_port, run

AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
TAXII = "application/taxii+json;version=2.1"
AGREEMENT = "t-ceptoar-electricity-e2e"


def token(database, email):
    code, out, err = run("token", "create", "--email", email, "--database", database)
    assert code == 0, err
    return out.decode().strip()


def bearer(secret):
    return {"Authorization": "Bearer " + secret}


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    database = str(tmp_path_factory.mktemp("taxii") / "node.sqlite")
    assert run("seed", "--demo", "--database", database)[0] == 0
    tokens = {name: token(database, f"{name}@demo.ceptoar.example") for name in ("secretariat", "power-secretariat", "water-secretariat", "member")}
    port = free_port()
    process = start_server(database, port)
    yield {"base": f"http://127.0.0.1:{port}", "database": database, "tokens": tokens}
    stop_server(process)


def collection_url(node, kind, key=None):
    collections = requests.get(node["base"] + "/taxii2/api/collections/", headers={**bearer(node["tokens"]["secretariat"]), "Accept": TAXII}).json()
    for c in collections["collections"]:
        if kind == "community" and c["title"].startswith(key):
            return node["base"] + f"/taxii2/api/collections/{c['id']}/"
    raise AssertionError(f"no {kind} collection {key}: {collections}")


def publish(node, **changes):
    advisory = {
        "title": {"ja": "【注意喚起】VPN装置の脆弱性", "en": "VPN appliance vulnerability"},
        "body": {"ja": "攻撃が観測されています。\n\n対策: 修正版へ更新してください。\n管理画面を外部に公開しないでください。", "en": "Attacks are seen. Update to the fixed version."},
        "severity": "high", "category": "vulnerability", "tlp": "AMBER", "targets": [{"kind": "ceptoar", "key": "t-ceptoar"}],
        "references": ["CVE-2024-3400", "198.51.100.7", "evil.example.net", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "https://www.nisc.go.jp/"],
    }
    advisory.update(changes)
    response = requests.post(node["base"] + "/api/v1/advisories", json=advisory, headers=bearer(node["tokens"]["secretariat"]))
    assert response.status_code == 201, response.text
    return response.json()


def test_every_object_ceptoar_emits_passes_the_stix2_validator(node):
    first = publish(node)
    corrected = publish(node, supersedes=first["id"], title={"ja": "【訂正】VPN装置の脆弱性", "en": "Corrected: VPN appliance vulnerability"})
    withdrawn = requests.post(node["base"] + f"/api/v1/advisories/{corrected['id']}/withdraw", json={"reason": "誤報"}, headers=bearer(node["tokens"]["secretariat"]))
    assert withdrawn.status_code == 200, withdrawn.text
    collection = Collection(collection_url(node, "community", "t-ceptoar"), user="e2e", password=node["tokens"]["secretariat"])
    objects = collection.get_objects(version="all", limit=1000)["objects"]
    types = {o["type"] for o in objects}
    assert {"report", "vulnerability", "indicator", "course-of-action", "language-content", "identity"} <= types
    for obj in objects:
        result = validate_instance(obj, ValidationOptions(version="2.1"))
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])
    # A correction is a new version of the same report; the withdrawal a revoked one.
    reports = sorted((o for o in objects if o["type"] == "report"), key=lambda o: o["modified"])
    assert len({o["id"] for o in reports}) == 1 and len(reports) == 3
    assert reports[-1].get("revoked") is True and not reports[0].get("revoked")
    assert reports[1]["name"].startswith("【訂正】")
    assert all(o["lang"] == "ja" for o in reports) and reports[0]["object_marking_refs"] == [AMBER]
    english = [o for o in objects if o["type"] == "language-content"]
    assert english and english[0]["contents"]["en"]["name"] == "VPN appliance vulnerability"
    patterns = {o["pattern"] for o in objects if o["type"] == "indicator"}
    assert "[ipv4-addr:value = '198.51.100.7']" in patterns and "[domain-name:value = 'evil.example.net']" in patterns


def indicator(i, author):
    return {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'e2e-{i}')}",
        "created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z", "created_by_ref": author,
        "name": f"address {i}", "pattern": f"[ipv4-addr:value = '203.0.113.{i % 250}']", "pattern_type": "stix",
        "valid_from": "2026-12-01T00:00:00Z", "object_marking_refs": [AMBER],
    }


CEPTOAR_NAMESPACE = uuid.UUID("6a0d6f0e-2c4b-4c8e-9d57-3b1f0c2e7a41")


def author_of(node, collection):
    """The T-CEPTOAR secretariat's identity: a UUIDv5 of its registry key in Ceptoar's
    namespace, so any implementation derives the same id."""
    return f"identity--{uuid.uuid5(CEPTOAR_NAMESPACE, 'organisation:t-ceptoar-secretariat')}"


def test_taxii2_client_pages_through_a_collection_larger_than_a_page(node):
    url = collection_url(node, "community", "t-ceptoar")
    collection = Collection(url, user="e2e", password=node["tokens"]["secretariat"])
    assert collection.can_read and collection.can_write
    author = author_of(node, collection)
    # 1,050 objects in three envelopes: each envelope shares one date_added.
    for start in range(0, 1050, 350):
        status = collection.add_objects(json.dumps({"objects": [indicator(i, author) for i in range(start, start + 350)]}))
        assert status.status == "complete" and status.success_count == 350, status.failures
    seen = []
    pages = 0
    for envelope in as_pages(collection.get_objects, per_request=100, type="indicator"):
        pages += 1
        seen += [o["id"] for o in envelope.get("objects", [])]
    expected = {indicator(i, author)["id"] for i in range(1050)}
    assert set(seen) >= expected and len(seen) == len(set(seen))
    assert pages >= 11
    # The manifest pages alike.
    manifest = []
    for envelope in as_pages(collection.get_manifest, per_request=500, type="indicator"):
        manifest += envelope.get("objects", [])
    assert {m["id"] for m in manifest} >= expected
    # Discovery and the API root as a client finds them.
    server = Server(node["base"] + "/taxii2/", user="e2e", password=node["tokens"]["secretariat"])
    root = server.api_roots[0]
    assert isinstance(root, ApiRoot) and any(c.url == url for c in root.collections)


def test_an_agreement_decides_what_crosses(node):
    telecom, power, water = (node["tokens"][k] for k in ("secretariat", "power-secretariat", "water-secretariat"))
    proposal = {
        "key": AGREEMENT, "title": {"ja": "情報通信・電力 相互合意", "en": "Telecom and power"}, "parties": ["ceptoar:t-ceptoar", "ceptoar:electricity"],
        "direction": "both", "maxTLP": "AMBER", "anonymised": True, "mayPassOn": False, "validFrom": "2026-01-01", "retentionDays": 365,
        "contacts": {"ceptoar:t-ceptoar": "T-CEPTOAR 事務局", "ceptoar:electricity": "電気事業連合会 情報通信部"},
    }
    created = requests.post(node["base"] + "/api/v1/agreements", json=proposal, headers=bearer(telecom))
    assert created.status_code == 201, created.text
    url = node["base"] + f"/taxii2/api/collections/{created.json()['collection']}/"
    # Not active yet: the power side has no collection to read.
    assert requests.get(url + "objects/", headers={**bearer(power), "Accept": TAXII}).status_code == 403
    assert requests.post(node["base"] + f"/api/v1/agreements/{AGREEMENT}/approve", headers=bearer(power)).json()["status"] == "active"
    publish(node, title={"ja": "電力とも共有する脆弱性情報", "en": "Shared with power"})
    red = publish(node, tlp="RED", targets=[{"kind": "organisation", "key": "demo-t-ceptoar-0001"}], title={"ja": "赤い情報", "en": "Red"})
    objects = [o for page in as_pages(Collection(url, user="e2e", password=power).get_objects, per_request=1000) for o in page.get("objects", [])]
    text = json.dumps(objects, ensure_ascii=False)
    assert "電力とも共有する脆弱性情報" in text and "赤い情報" not in text and red["id"] not in text
    assert not any(o["type"] == "identity" for o in objects)
    assert "テレコム" not in text and "T-CEPTOAR 事務局" not in text
    for obj in objects:
        assert validate_instance(obj, ValidationOptions(version="2.1")).is_valid
    # A non-party: the collection is not there for it.
    assert requests.get(url + "objects/", headers={**bearer(water), "Accept": TAXII}).status_code == 404
    # Errors are TAXII error resources, never HTML.
    for response in (
        requests.get(url + "objects/?added_after=yesterday", headers={**bearer(power), "Accept": TAXII}),
        requests.get(url + "objects/", headers={**bearer(power), "Accept": "text/html"}),
        requests.post(url + "objects/", data="{}", headers={**bearer(power), "Accept": TAXII, "Content-Type": "application/json"}),
        requests.get(url + "objects/", headers={"Authorization": "Bearer wrong", "Accept": TAXII}),
    ):
        assert response.status_code in (400, 401, 406, 415)
        assert response.headers["Content-Type"].startswith("application/taxii+json")
        assert response.json()["http_status"] == str(response.status_code)


def test_stix_import_stores_a_bundle_whole_or_not_at_all(node, tmp_path):
    organisation_identity = None
    collection = Collection(collection_url(node, "community", "t-ceptoar"), user="e2e", password=node["tokens"]["secretariat"])
    organisation_identity = author_of(node, collection)
    good = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [indicator(5000 + i, organisation_identity) for i in range(3)]}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(good))
    code, out, err = run("stix", "import", str(path), "--community", "t-ceptoar", "--database", node["database"])
    assert code == 0, err
    assert b"3 new version" in out
    # The same again stores nothing new.
    code, out, _ = run("stix", "import", "-", "--community", "t-ceptoar", "--database", node["database"], input=json.dumps(good).encode())
    assert code == 0 and b"0 new version" in out
    # One foreign author in the bundle: nothing of it is stored, and the reason is named.
    bad = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": [indicator(6000, organisation_identity), indicator(6001, f"identity--{uuid.uuid4()}")]}
    path.write_text(json.dumps(bad))
    code, _, err = run("stix", "import", str(path), "--community", "t-ceptoar", "--database", node["database"])
    assert code != 0 and "created_by_ref" in err
    found = collection.get_objects(id=indicator(6000, organisation_identity)["id"])
    assert not found.get("objects")
    # Not JSON, not a bundle, no target: a clear message and a non-zero exit.
    path.write_text("{not json")
    assert run("stix", "import", str(path), "--community", "t-ceptoar", "--database", node["database"])[0] != 0
    assert run("stix", "import", str(path), "--database", node["database"])[0] != 0
