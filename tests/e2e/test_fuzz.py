"""The API fuzzed from its own OpenAPI document with schemathesis, against the real binary on
the demo nation, signed in as a member and as a CEPTOAR secretariat: no answer may be a 5xx,
every answer must match the document (status, content type, headers, body schema), the
server must still be up afterwards, and `ceptoar audit verify` must pass.

The time per role is CEPTOAR_FUZZ_SECONDS (default 60; `make fuzz` runs longer)."""
import os
import subprocess
from pathlib import Path

import requests

from alerting import MailRecorder, start_server, stop_server
from conftest import ARTIFACTS, free_port, run

SECONDS = int(os.environ.get("CEPTOAR_FUZZ_SECONDS", "60"))
ST = str(Path(__file__).resolve().parents[2] / ".venv-e2e/bin/st")
HOOKS = str(Path(__file__).resolve().parents[1] / "fuzz/schemathesis_hooks.py")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"


def token(database, email):
    code, out, err = run("token", "create", "--database", database, "--email", email, "--name", "fuzz")
    assert code == 0, err
    return out.decode().strip()


def config(path, values):
    """Known keys and ids for the path parameters, so the fuzzer reaches past the 404s."""
    lines = [f'hooks = "{HOOKS}"', "", "[parameters]", '"path.key" = "t-ceptoar"', '"path.handle" = "demo-t-ceptoar-0001"', ""]
    for operation_ids, value in values:
        for operation_id in operation_ids:
            lines += ["[[operations]]", f'include-operation-id = "{operation_id}"', f'parameters = {{ "path.id" = "{value}" }}', ""]
    Path(path).write_text("\n".join(lines))


def test_the_api_survives_a_fuzzer_and_answers_as_documented(tmp_path):
    # setup: the demo nation, a loopback SMTP server, an advisory and a drill to aim at
    database = str(tmp_path / "fuzz.sqlite")
    assert run("seed", "--demo", "--database", database)[0] == 0
    smtp = MailRecorder().up()
    port = free_port()
    process = start_server(database, port, smtp_port=smtp.port, extra={"CEPTOAR_LOGIN_FAILURES_BEFORE_DELAY": "1000"})
    base = f"http://127.0.0.1:{port}"
    try:
        nisc = {"Authorization": "Bearer " + token(database, "nisc@demo.ceptoar.example")}
        advisory = requests.post(base + "/api/v1/advisories", headers=nisc, timeout=60, json={
            "title": {"ja": "ファジング対象", "en": "fuzz target"}, "body": {"ja": "本文"}, "severity": "critical",
            "category": "threat", "tlp": "AMBER", "targets": [{"kind": "ceptoar", "key": "t-ceptoar"}]})
        assert advisory.status_code == 201, advisory.text
        secretariat_token = token(database, "secretariat@demo.ceptoar.example")
        drill = requests.post(base + "/api/v1/alerts", headers={"Authorization": "Bearer " + secretariat_token}, timeout=60,
                              json={"kind": "drill", "scope": "ceptoar", "key": "t-ceptoar"})
        assert drill.status_code == 201, drill.text
        advisory_id, alert_id = advisory.json()["id"], drill.json()["alert"]["id"]
        advisory_ops = ["readAdvisory", "acknowledgeAdvisory", "withdrawAdvisory", "advisoryTimeline", "advisoryCAP",
                        "requestProvision", "attachments", "uploadAttachment"]
        alert_ops = ["alertReport", "alertReportCSV", "alertCAP", "alertMessages", "acknowledgeAlert"]
        toml = tmp_path / "schemathesis.toml"
        config(toml, [(advisory_ops, advisory_id), (alert_ops, alert_id)])

        for role, secret in [("member", token(database, "member@demo.ceptoar.example")), ("secretariat", secretariat_token)]:
            # act
            report = ARTIFACTS / f"fuzz-{role}.xml"
            result = subprocess.run(
                [ST, "--config-file", str(toml), "run", base + "/api/v1/openapi.json", "--url", base,
                 "-H", f"Authorization: Bearer {secret}", "--checks", CHECKS, "--max-time", str(SECONDS),
                 "--phases", "examples,coverage,fuzzing", "--workers", "2", "--request-timeout", "30",
                 "--report", "junit", "--report-junit-path", str(report), "--seed", "2009"],
                capture_output=True, text=True, timeout=SECONDS * 3 + 300)
            (ARTIFACTS / f"fuzz-{role}.log").write_text(result.stdout + result.stderr)
            # check: no failure, the server alive, the audit chain whole
            summary = [line for line in result.stdout.splitlines() if "==" in line][-1:]
            print(f"schemathesis as {role}: {summary}")
            assert result.returncode == 0, f"schemathesis found problems as {role}; see test-artifacts/fuzz-{role}.log\n" + result.stdout[-6000:]
            assert process.poll() is None, "the server died under the fuzzer"
            assert requests.get(base + "/health", timeout=10).status_code == 200
            code, out, err = run("audit", "verify", "--database", database)
            assert code == 0, out.decode() + err
    finally:
        stop_server(process)
        smtp.down()
