"""The `ceptoar` command line, run as a user would: right answers, and for mistakes a clear
message and a non-zero exit with nothing half-written."""
import csv
import io
import json
import os
import re
import subprocess
import uuid

import pytest

from conftest import run


def test_seed_then_map_as_of_2009(db_path):
    code, out, err = run("seed", "--database", db_path)
    assert code == 0, err
    assert b"seeded 14 CEPTOARs in 10 sectors" in out
    code, out, _ = run("seed", "--database", db_path)
    assert code == 0 and b"already seeded" in out

    code, out, err = run("map", "--database", db_path, "--as-of", "2009-03-31", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert len(data["columns"]) == 14
    assert sum(c["memberCount"] for c in data["columns"]) == 5692
    assert data["columns"][0]["name"]["ja"] == "T-CEPTOAR"


def test_csv_is_excel_ready(db_path):
    run("seed", "--database", db_path)
    code, out, err = run("map", "--database", db_path, "--format", "csv")
    assert code == 0, err
    assert out.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(out[3:].decode("utf-8"), newline="")))
    assert len(rows) == 15
    assert rows[0][2] == "重要インフラ分野"
    assert rows[13][7] == "平成20年3月末に整備" and rows[13][8] == "2008-03-31"
    assert b"\r\n" in out


def test_html_and_markdown_and_english(db_path):
    run("seed", "--database", db_path)
    code, out, _ = run("map", "--database", db_path, "--format", "html")
    assert code == 0 and b'<td colspan="4" data-ceptoar="banks">' in out
    code, out, _ = run("map", "--database", db_path, "--format", "md", "--lang", "en")
    assert code == 0 and b"| Name | T-CEPTOAR |" in out


def test_the_map_with_the_years_activity_in_every_format(db_path):
    run("seed", "--database", db_path)
    code, out, err = run("map", "--database", db_path, "--as-of", "2009-03-31", "--activity", "2008", "--format", "md")
    assert code == 0, err
    text = out.decode("utf-8")
    assert "| 名称 | T-CEPTOAR |" in text and "## 平成20年度の各セプターの活動状況" in text
    activity = text.split("## 平成20年度の各セプターの活動状況")[1]
    assert activity.count("\n| ") == 1 + 14, "a heading row and one row per CEPTOAR"
    code, out, err = run("map", "--database", db_path, "--as-of", "2009-03-31", "--activity", "平成20年度", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert len(data["map"]["columns"]) == 14 and len(data["activity"]["rows"]) == 14
    assert data["activity"]["fiscalYear"] == {"year": 2008}
    code, out, err = run("map", "--database", db_path, "--as-of", "2009-03-31", "--activity", "FY2008", "--format", "csv", "--lang", "en")
    assert code == 0 and out.startswith(b"\xef\xbb\xbf") and out.count(b"\xef\xbb\xbf") == 1
    assert b"Each CEPTOAR's activity in FY2008 (Heisei 20)" in out
    code, out, err = run("map", "--database", db_path, "--as-of", "2009-03-31", "--activity", "2008", "--format", "html")
    assert code == 0 and b'data-testid="activity"' in out and out.rstrip().endswith(b"</html>")


def test_diff_lists_the_three_new_sectors(db_path):
    run("seed", "--database", db_path)
    code, out, err = run("map", "--database", db_path, "--diff", "2007-03-31", "2009-03-31")
    assert code == 0, err
    text = out.decode("utf-8")
    assert text.count("+ 追加") == 3
    for name in ("医療CEPTOAR", "水道CEPTOAR", "物流CEPTOAR"):
        assert name in text
    code, out, _ = run("map", "--database", db_path, "--diff", "2008-03-31", "2009-03-31")
    assert code == 0 and "変更なし" in out.decode("utf-8")


@pytest.mark.parametrize("args, message", [
    (["map", "--format", "pdf"], "unknown format 'pdf'"),
    (["map", "--as-of", "2009-02-30"], "not a valid date"),
    (["map", "--as-of"], "--as-of needs a value"),
    (["map", "--diff", "2009-03-31"], "--diff needs 2 values"),
    (["map", "--lang", "fr"], "unknown --lang"),
    (["map", "--colour"], "unexpected argument"),
    (["registry", "apply", "/no/such/file.json"], "cannot read"),
    (["user", "create", "--email", "a@b.example"], "--org is required"),
    (["map", "--activity", "20x8"], "not a fiscal year"),
    (["map", "--activity", "99999999999999999999999"], "not a fiscal year"),
    (["map", "--activity", "2008", "--diff", "2008-03-31", "2009-03-31"], "not with --diff"),
])
def test_mistakes_get_a_message_and_non_zero_exit(db_path, args, message):
    code, _, err = run(*args, "--database", db_path)
    assert code != 0
    assert message in err
    assert "Fatal error" not in err


def test_malformed_database_url_is_refused():
    code, _, err = run("map", env={"DATABASE_URL": "postgres://nobody@/nowhere"})
    assert code != 0
    assert "DATABASE_URL" in err


def test_broken_seed_loads_nothing(db_path, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"source": {"file": "x"}, "sectors": [}', encoding="utf-8")
    code, _, err = run("seed", "--database", db_path, "--file", str(broken))
    assert code != 0 and "does not parse" in err
    code, out, _ = run("map", "--database", db_path, "--format", "json")
    assert code == 0 and json.loads(out)["columns"] == []


def test_users_and_tokens(db_path):
    run("seed", "--database", db_path)
    args = ["user", "create", "--database", db_path, "--email", "liaison@mlit.example", "--org", "mlit",
            "--role", "ministry_liaison", "--name", "国交省 連絡担当"]
    code, out, err = run(*args, input=b"correct horse battery\n")
    assert code == 0, err
    code, _, err = run(*args, input=b"correct horse battery\n")
    assert code != 0 and "already exists" in err
    code, _, err = run("user", "create", "--database", db_path, "--email", "x@y.example", "--org", "nisc",
                       "--role", "emperor", input=b"correct horse battery\n")
    assert code != 0 and "unknown role" in err
    code, out, err = run("token", "create", "--database", db_path, "--email", "liaison@mlit.example", "--days", "7")
    assert code == 0, err
    assert out.decode().strip().startswith("cptr_")
    code, _, err = run("token", "create", "--database", db_path, "--email", "ghost@nowhere.example")
    assert code != 0 and "no user" in err


def test_registry_apply_adds_the_2015_sectors(db_path):
    run("seed", "--database", db_path)
    example = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "registry-2015.json")
    code, out, err = run("registry", "apply", example, "--database", db_path)
    assert code == 0, err
    code, out, _ = run("map", "--database", db_path, "--as-of", "2015-04-01", "--format", "json")
    assert len(json.loads(out)["columns"]) == 18
    code, out, _ = run("map", "--database", db_path, "--as-of", "2009-03-31", "--format", "json")
    assert len(json.loads(out)["columns"]) == 14
    code, _, err = run("registry", "apply", example, "--database", db_path)
    assert code != 0 and "nothing changed" in err


@pytest.mark.skipif(not os.environ.get("CEPTOAR_PG_URL"), reason="no PostgreSQL server (the test script starts one)")
def test_seed_and_map_on_postgresql():
    base = os.environ["CEPTOAR_PG_URL"]
    name = "ceptoar_cli_" + uuid.uuid4().hex[:12]
    server = base.rsplit("/", 1)[0]
    subprocess.run(["psql", "-q", server + "/postgres", "-c", f"create database {name}"], check=True)
    url = f"{server}/{name}"
    code, out, err = run("seed", "--demo", env={"DATABASE_URL": url})
    assert code == 0, err
    assert b"5692 synthetic member organisations" in out
    code, out, err = run("map", "--format", "json", env={"DATABASE_URL": url})
    assert code == 0, err
    assert len(json.loads(out)["columns"]) == 14
    subprocess.run(["psql", "-q", server + "/postgres", "-c", f"drop database {name} with (force)"], check=True)


def test_json_logs_are_one_object_per_line(db_path):
    code, _, err = run("seed", "--database", db_path, env={"CEPTOAR_LOG_FORMAT": "json", "LOG_LEVEL": "info"})
    assert code == 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "expected migration log lines"
    for line in lines:
        record = json.loads(line)
        assert {"time", "level", "label", "message"} <= record.keys()


def test_audit_verify_finds_a_hand_edit(server, tmp_path):
    """Publish through the API of the running demo server, then check and tamper with its log."""
    import sqlite3
    import requests
    code, out, err = run("token", "create", "--database", server["database"], "--email", "nisc@demo.ceptoar.example")
    assert code == 0, err
    token = out.decode().strip()
    advisory = {
        "title": {"ja": "【注意喚起】監査ログ確認用"}, "body": {"ja": "本文"}, "severity": "high", "category": "threat",
        "tlp": "AMBER", "targets": [{"kind": "ceptoar", "key": "water"}],
    }
    response = requests.post(server["base"] + "/api/v1/advisories", json=advisory,
                             headers={"Authorization": "Bearer " + token})
    assert response.status_code == 201, response.text
    code, out, err = run("audit", "verify", "--database", server["database"])
    assert code == 0, err
    assert b"audit chain intact" in out

    copy = tmp_path / "tampered.sqlite"
    source = sqlite3.connect(server["database"])
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.execute("UPDATE audit_log SET actor = 'someone-else' WHERE sequence = 1")
    target.commit()
    target.close()
    code, _, err = run("audit", "verify", "--database", str(copy))
    assert code != 0
    assert "broken at sequence 1" in err


def test_an_emergency_sheet_prints_to_a4_pdf_for_its_secretariat_only(db_path, tmp_path):
    # setup: the demo nation
    assert run("seed", "--demo", "--database", db_path)[0] == 0
    pdf = tmp_path / "electricity.pdf"
    # act: the electricity CEPTOAR's secretariat prints its sheet through Chromium
    code, out, err = run("sheet", "electricity", "--as", "power-secretariat@demo.ceptoar.example", "--pdf", str(pdf), "--database", db_path)
    # check: an A4 PDF whose text is the sheet, in Japanese, with the members' numbers
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)", info), info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "緊急連絡先" in text and "エスカレーションの順序" in text and "TLP:AMBER+STRICT" in text
    assert re.search(r"03\s*\d{4}\s*\d{4}|0\d{9}", text), "members' phone numbers"

    # A member of another CEPTOAR may not: a message, a non-zero exit, no file.
    refused = tmp_path / "refused.pdf"
    code, out, err = run("sheet", "electricity", "--as", "water@demo.ceptoar.example", "--pdf", str(refused), "--database", db_path)
    assert code != 0 and "roster" in err and not refused.exists()
    code, out, err = run("sheet", "atlantis", "--as", "nisc@demo.ceptoar.example", "--output", str(tmp_path / "a.html"), "--database", db_path)
    assert code != 0 and "no such CEPTOAR" in err

    # The HTML file stands alone: its style inside, nothing fetched from a server.
    page = tmp_path / "electricity.html"
    code, out, err = run("sheet", "electricity", "--as", "nisc@demo.ceptoar.example", "--lang", "en", "--output", str(page), "--database", db_path)
    assert code == 0, err
    html = page.read_text()
    assert "<style>" in html and 'rel="stylesheet"' not in html and "Escalation" in html
