"""Incident reports leave Ceptoar in the formats peers read: STIX 2.1 (an `incident` with the
OASIS Incident Core extension) from the API and through the TAXII reports collection, read by
the OASIS taxii2-client and passed by the OASIS stix2-validator; and VERIS 1.4, checked with
jsonschema against the VERIS community schema's rules for every field Ceptoar writes.

The VERIS schema itself (verisc-merged.json) is published on GitHub only, which CI cannot reach,
so `VERIS_1_4` below restates its requirements for the fields Ceptoar emits: the top-level
required keys, and the enumerations and patterns of those fields as VERIS 1.4.1 defines them.
Given VERIS_SCHEMA (a path to verisc-merged.json), the export is checked against it as well."""
import datetime
import json
import os

import jsonschema
import pytest
import requests
from stix2validator import ValidationOptions, validate_instance
from taxii2client.v21 import Collection

from alerting import start_server, stop_server
from conftest import free_port, run

TAXII = "application/taxii+json;version=2.1"
INCIDENT_CORE = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"

UNKNOWN_LIST = {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string"}}


def enum_list(*values):
    return {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string", "enum": list(values)}}


SPAN = {"type": "object", "required": ["unit"], "additionalProperties": False,
        "properties": {"unit": {"enum": ["Seconds", "Minutes", "Hours", "Days", "Weeks", "Months", "Years", "Never", "NA", "Unknown"]}, "value": {"type": "number"}}}
MOTIVES = ["Convenience", "Espionage", "Fear", "Financial", "Fun", "Grudge", "Ideology", "NA", "Secondary", "Other", "Unknown"]

VERIS_1_4 = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "additionalProperties": False,
    "required": ["actor", "action", "discovery_method", "schema_version", "asset", "timeline", "incident_id", "security_incident", "summary"],
    "properties": {
        "schema_version": {"type": "string"},
        "incident_id": {"type": "string"},
        "source_id": {"type": "string"},
        "summary": {"type": "string"},
        "notes": {"type": "string"},
        "security_incident": {"enum": ["Confirmed", "Suspected", "Near miss", "False positive"]},
        "discovery_method": {"type": "object", "additionalProperties": False, "properties": {"unknown": {"type": "boolean"}}},
        "timeline": {"type": "object", "required": ["incident"], "additionalProperties": False, "properties": {
            "incident": {"type": "object", "required": ["year"], "additionalProperties": False,
                         "properties": {"year": {"type": "integer"}, "month": {"type": "integer"}, "day": {"type": "integer"}}},
            "discovery": SPAN}},
        "action": {"type": "object", "minProperties": 1, "additionalProperties": False, "properties": {
            "hacking": {"type": "object", "required": ["vector", "variety"], "additionalProperties": False, "properties": {
                "variety": enum_list("DoS", "Exploit vuln", "Use of stolen creds", "Other", "Unknown"),
                "vector": enum_list("Web application", "VPN", "Other", "Unknown"), "cve": {"type": "string"}, "notes": {"type": "string", "minLength": 1}}},
            "malware": {"type": "object", "required": ["vector", "variety"], "additionalProperties": False, "properties": {
                "variety": enum_list("Exploit vuln", "Ransomware", "Other", "Unknown"),
                "vector": enum_list("Email attachment", "Other", "Unknown"), "cve": {"type": "string"}, "notes": {"type": "string", "minLength": 1}}},
            "error": {"type": "object", "required": ["variety", "vector"], "additionalProperties": False, "properties": {
                "variety": enum_list("Capacity shortage", "Classification error", "Data entry error", "Disposal error", "Gaffe", "Loss", "Maintenance error", "Malfunction",
                                     "Misconfiguration", "Misdelivery", "Misinformation", "Physical accidents", "Programming error", "Publishing error", "Other", "Unknown"),
                "vector": enum_list("Carelessness", "Inadequate personnel", "Inadequate processes", "Inadequate technology", "Other", "Random error", "Web application", "Unknown")}},
            "environmental": {"type": "object", "required": ["variety"], "additionalProperties": False, "properties": {
                "variety": enum_list("Deterioration", "Earthquake", "EMI", "ESD", "Fire", "Flood", "Hazmat", "Humidity", "Hurricane", "Ice", "Landslide", "Leak", "Lightning",
                                     "Meteorite", "Particulates", "Pathogen", "Power failure", "Temperature", "Tornado", "Tsunami", "Vermin", "Volcano", "Wind", "Other", "Unknown")}},
            "unknown": {"type": "object", "additionalProperties": False, "properties": {"notes": {"type": "string", "minLength": 1}}}}},
        "actor": {"type": "object", "minProperties": 1, "additionalProperties": False, "properties": {
            "external": {"type": "object", "required": ["variety", "motive"], "additionalProperties": False, "properties": {
                "variety": enum_list("Acquaintance", "Activist", "Auditor", "Competitor", "Customer", "Force majeure", "Former employee", "Nation-state", "Organized crime",
                                     "State-affiliated", "Terrorist", "Unaffiliated", "Other", "Unknown"),
                "motive": enum_list(*MOTIVES), "country": enum_list("JP", "Unknown")}},
            "internal": {"type": "object", "required": ["motive", "variety"], "additionalProperties": False, "properties": {
                "variety": enum_list("Unknown", "Other"), "motive": enum_list(*MOTIVES)}},
            "partner": {"type": "object", "required": ["country", "motive"], "additionalProperties": False, "properties": {
                "motive": enum_list(*MOTIVES), "country": enum_list("JP", "Unknown")}},
            "unknown": {"type": "object", "additionalProperties": False, "properties": {"notes": {"type": "string"}}}}},
        "asset": {"type": "object", "required": ["assets", "cloud"], "additionalProperties": False, "properties": {
            "assets": {"type": "array", "items": {"type": "object", "required": ["variety"], "additionalProperties": False, "properties": {"variety": {"enum": ["Unknown"]}, "amount": {"type": "integer"}}}},
            "cloud": enum_list("On-Premise Asset(s)", "External Cloud Asset(s)", "Other", "Unknown", "NA")}},
        "attribute": {"type": "object", "additionalProperties": False, "properties": {
            "confidentiality": {"type": "object", "required": ["data_disclosure"], "additionalProperties": False, "properties": {"data_disclosure": {"enum": ["No", "Potentially", "Yes", "Unknown"]}}},
            "integrity": {"type": "object", "required": ["variety"], "additionalProperties": False, "properties": {
                "variety": enum_list("Alter behavior", "Created account", "Defacement", "Fraudulent transaction", "Hardware tampering", "Log tampering", "Misrepresentation",
                                     "Modify authentication", "Modify configuration", "Modify data", "Modify privileges", "Register MFA device", "Repurpose", "Software installation", "Other", "Unknown")}},
            "availability": {"type": "object", "required": ["variety"], "additionalProperties": False, "properties": {
                "variety": enum_list("Acceleration", "Degradation", "Destruction", "Interruption", "Loss", "Obscuration", "Other", "Unknown"), "duration": SPAN}}}},
        "impact": {"type": "object", "required": ["overall_rating"], "additionalProperties": False, "properties": {
            "overall_rating": {"enum": ["Catastrophic", "Damaging", "Painful", "Distracting", "Insignificant", "Unknown"]}}},
        "victim": {"type": "object", "required": ["country", "employee_count", "industry", "government"], "additionalProperties": False, "properties": {
            "victim_id": {"type": "string"}, "country": enum_list("JP"),
            "employee_count": {"enum": ["Small", "1 to 10", "11 to 100", "101 to 1000", "Large", "1001 to 10000", "10001 to 25000", "25001 to 50000", "50001 to 100000", "Over 100000", "Unknown"]},
            "industry": {"type": "string", "minLength": 2, "maxLength": 6, "pattern": "^(00|11|2[1-3]|3[1-3]|4[24589]|5[1-6]|6[1-2]|7[12]|81|92)-?\\d{0,4}$"},
            "government": enum_list("Federal", "Regional", "Local", "Unknown", "Other", "NA")}},
        "plus": {"type": "object", "additionalProperties": False, "properties": {"master_id": {"type": "string", "minLength": 1}}},
    },
}


def token(database, email):
    code, out, err = run("token", "create", "--email", email, "--database", database)
    assert code == 0, err
    return out.decode().strip()


def bearer(secret):
    return {"Authorization": "Bearer " + secret}


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    database = str(tmp_path_factory.mktemp("reports") / "node.sqlite")
    assert run("seed", "--demo", "--database", database)[0] == 0
    tokens = {name: token(database, f"{name}@demo.ceptoar.example") for name in ("bank", "banks-secretariat", "fsa", "nisc", "water")}
    port = free_port()
    process = start_server(database, port)
    base = f"http://127.0.0.1:{port}"
    detected = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    occurred = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = {
        "summary": {"ja": "デモ銀行のインターネットバンキングが停止。https://ib.bank0001.example.jp/ で障害", "en": "Internet banking is down"},
        "affectedService": "インターネットバンキング", "detectedAt": detected, "occurredAt": occurred, "eventType": "unavailability",
        "causes": ["intentional.unauthorised_access", "unintentional.software", "spillover.electricity"], "slaBreached": True,
        "impact": {"serviceContinuity": 3, "safety": 1, "lossOfTrust": 2},
        "observables": [{"kind": "cve", "value": "CVE-2024-3400"}, {"kind": "ip", "value": "203.0.113.7"}, {"kind": "url", "value": "http://evil.example.net/x"},
                        {"kind": "hash", "value": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
                        {"kind": "cpe", "value": "cpe:2.3:o:paloaltonetworks:pan-os:10.2.0:*:*:*:*:*:*:*"}, {"kind": "product", "value": "PAN-OS"}],
        "tlp": "AMBER", "attribution": "anonymised",
    }
    filed = requests.post(base + "/api/v1/reports", json=report, headers=bearer(tokens["bank"]))
    assert filed.status_code == 201, filed.text
    report_id = filed.json()["id"]
    forwarded = requests.post(base + f"/api/v1/reports/{report_id}/forward", json={}, headers=bearer(tokens["banks-secretariat"]))
    assert forwarded.status_code == 200, forwarded.text
    yield {"base": base, "tokens": tokens, "report": report_id}
    stop_server(process)


def assert_valid_stix(objects):
    for obj in objects:
        result = validate_instance(obj, ValidationOptions(version="2.1"))
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])


@pytest.mark.parametrize("reader", ["banks-secretariat", "fsa", "nisc"])
def test_the_stix_export_passes_the_validator_in_every_view(node, reader):
    response = requests.get(node["base"] + f"/api/v1/reports/{node['report']}/stix", headers=bearer(node["tokens"][reader]))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/stix+json")
    bundle = response.json()
    assert bundle["type"] == "bundle"
    assert_valid_stix(bundle["objects"])
    incident = bundle["objects"][0]
    core = incident["extensions"][INCIDENT_CORE]
    assert incident["type"] == "incident" and core["criticality"] == 75 and core["investigation_status"] == "open"
    types = {o["type"] for o in bundle["objects"]}
    assert {"ipv4-addr", "url", "file", "software", "observed-data", "vulnerability", "relationship", "marking-definition"} <= types
    text = response.text
    if reader == "banks-secretariat":
        assert "created_by_ref" in text and "identity" in types
    else:
        assert "created_by_ref" not in text and "identity" not in types
        for leak in ("bank0001.example.jp", "demo-banks-0001", "bank@demo"):
            assert leak not in text


def test_the_reports_collection_reads_with_taxii2_client_and_validates(node):
    listed = requests.get(node["base"] + "/taxii2/api/collections/", headers={**bearer(node["tokens"]["nisc"]), "Accept": TAXII}).json()
    reports = [c for c in listed["collections"] if c["title"].startswith("Incident reports") or c["title"].startswith("情報連絡")]
    assert len(reports) == 1 and reports[0]["can_read"] and not reports[0]["can_write"]
    collection = Collection(node["base"] + f"/taxii2/api/collections/{reports[0]['id']}/", user="e2e", password=node["tokens"]["nisc"])
    objects = collection.get_objects()["objects"]
    assert [o["type"] for o in objects].count("incident") == 1
    assert_valid_stix(objects)
    assert "bank0001" not in json.dumps(objects, ensure_ascii=False)
    # A member of another sector sees the collection, and nothing in it.
    other = Collection(node["base"] + f"/taxii2/api/collections/{reports[0]['id']}/", user="e2e", password=node["tokens"]["water"])
    assert other.get_objects().get("objects", []) == []


@pytest.mark.parametrize("reader", ["banks-secretariat", "nisc"])
def test_the_veris_export_meets_the_veris_schema(node, reader):
    response = requests.get(node["base"] + f"/api/v1/reports/{node['report']}/veris", headers=bearer(node["tokens"][reader]))
    assert response.status_code == 200, response.text
    document = response.json()
    jsonschema.Draft4Validator.check_schema(VERIS_1_4)
    errors = sorted(jsonschema.Draft4Validator(VERIS_1_4).iter_errors(document), key=str)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    # With the published schema at hand (VERIS_SCHEMA=path/to/verisc-merged.json), against it too.
    if os.environ.get("VERIS_SCHEMA"):
        with open(os.environ["VERIS_SCHEMA"], encoding="utf-8") as handle:
            published = json.load(handle)
        errors = sorted(jsonschema.Draft4Validator(published).iter_errors(document), key=str)
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert document["action"]["hacking"]["variety"] == ["Exploit vuln"] and document["action"]["environmental"]["variety"] == ["Power failure"]
    assert document["victim"]["industry"] == "52" and document["impact"]["overall_rating"] == "Damaging"
    assert ("victim_id" in document["victim"]) == (reader == "banks-secretariat")


def test_the_schema_restatement_refuses_what_veris_refuses():
    """The restated rules must be able to fail: documents VERIS refuses are refused."""
    good = {"schema_version": "1.4.0", "incident_id": "X", "security_incident": "Confirmed", "summary": "s", "discovery_method": {"unknown": True},
            "timeline": {"incident": {"year": 2026}}, "action": {"unknown": {}}, "actor": {"unknown": {}}, "asset": {"assets": [{"variety": "Unknown"}], "cloud": ["Unknown"]}}
    validator = jsonschema.Draft4Validator(VERIS_1_4)
    assert not list(validator.iter_errors(good))
    for broken in (
        {k: v for k, v in good.items() if k != "timeline"},
        {**good, "security_incident": "Yes"},
        {**good, "action": {}},
        {**good, "action": {"error": {"variety": ["Malfunction"]}}},
        {**good, "impact": {"overall_rating": "Bad"}},
        {**good, "victim": {"country": ["JP"], "employee_count": "Unknown", "industry": "99", "government": ["NA"]}},
        {**good, "colour": "red"},
    ):
        assert list(validator.iter_errors(broken)), broken
