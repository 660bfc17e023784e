"""TAXII benchmark: the same Python client and the same 10,000 STIX objects against Ceptoar
(release build, SQLite) and the OASIS reference server medallion (memory backend), in one run:
POST in envelopes of 100 until every status is complete, then GET …/objects/?limit=100 paged
through the whole collection. Then a federation pull of the same objects between two Ceptoar
nodes. Each figure is printed beside /health (Ceptoar) or discovery (medallion) measured by the
same client in the same run, since machines of this kind differ by up to 3x.

usage: taxii.py CEPTOAR_BIN WORKDIR"""
import json
import os
import socket
import subprocess
import sys
import time
import uuid

import requests

BIN, WORK = sys.argv[1], sys.argv[2]
N = int(os.environ.get("BENCH_TAXII_OBJECTS", "10000"))
ENVELOPE, PAGE = 100, 100
TAXII = "application/taxii+json;version=2.1"
NAMESPACE = uuid.UUID("6a0d6f0e-2c4b-4c8e-9d57-3b1f0c2e7a41")
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
AUTHOR = f"identity--{uuid.uuid5(NAMESPACE, 'organisation:t-ceptoar-secretariat')}"
ENV = {**os.environ, "LOG_LEVEL": "error", "CEPTOAR_BCRYPT_COST": "4"}
ENV.pop("DATABASE_URL", None)


def port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ceptoar(*args):
    return subprocess.run([BIN, *args], env=ENV, check=True, capture_output=True).stdout.decode().strip()


def wait(url, **kwargs):
    for _ in range(300):
        try:
            if requests.get(url, timeout=1, **kwargs).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("not ready: " + url)


def objects():
    return [{
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid5(NAMESPACE, f'bench-{i}')}", "created": "2026-12-01T00:00:00.000Z",
        "modified": "2026-12-01T00:00:00.000Z", "created_by_ref": AUTHOR, "name": f"bench {i}", "pattern": f"[ipv4-addr:value = '198.51.{i // 250 % 250}.{i % 250}']",
        "pattern_type": "stix", "valid_from": "2026-12-01T00:00:00Z", "object_marking_refs": [AMBER], "labels": ["category:vulnerability"],
    } for i in range(N)]


def rate(session, url, seconds=5.0):
    """Sequential requests per second of one keep-alive client: the reference figure."""
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        assert session.get(url).status_code == 200
        count += 1
    return count / (time.perf_counter() - start)


def post_all(session, url, status_url):
    data = objects()
    start = time.perf_counter()
    for i in range(0, N, ENVELOPE):
        response = session.post(url, data=json.dumps({"objects": data[i:i + ENVELOPE]}), headers={"Content-Type": TAXII, "Accept": TAXII})
        assert response.status_code == 202, response.text[:300]
        status = response.json()
        while status["status"] != "complete":
            time.sleep(0.01)
            status = session.get(status_url + status["id"] + "/", headers={"Accept": TAXII}).json()
        assert status["success_count"] == ENVELOPE, status
    return N / (time.perf_counter() - start)


def get_all(session, url, query="", max_seconds=600.0):
    """Pages through with `next`; stops after max_seconds (medallion's memory backend slows
    as its collection grows), reporting the rate over what it fetched."""
    seen, pages, nxt = 0, 0, None
    start = time.perf_counter()
    while time.perf_counter() - start < max_seconds:
        params = {"limit": PAGE}
        if nxt:
            params["next"] = nxt
        try:
            response = session.get(url + query, params=params, headers={"Accept": TAXII}, timeout=max_seconds)
        except requests.Timeout:
            break
        assert response.status_code == 200, response.text[:300]
        body = response.json()
        seen += len(body.get("objects", []))
        pages += 1
        if not body.get("more"):
            break
        nxt = body["next"]
    elapsed = time.perf_counter() - start
    return seen, pages, seen / elapsed


def wrk_pager(base, path, auth, connections, seconds=10):
    """wrk (C, Lua) paging with `next`: one connection per thread, each from the start again
    at the end of the collection. Returns its objects/s line."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "taxii-pager.lua")
    out = subprocess.run(["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "-s", script, base + path],
                         env={**os.environ, "PAGE_PATH": path, "AUTH": auth}, capture_output=True, text=True).stdout
    lines = [line.strip() for line in out.splitlines() if line.startswith("objects:") or "Non-2xx" in line or "Socket errors" in line]
    return "; ".join(lines)


def wrk_poster(url, auth, connections, seconds=8, envelopes=None):
    """wrk (C, Lua) POSTing envelopes of 100 new objects for `seconds`, or `envelopes` of them
    and then stop: the server's ingest rate without a Python client's own cost in it. Returns
    its objects/s line."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "taxii-poster.lua")
    threads = min(connections, 2)
    quota = str(envelopes // threads) if envelopes else "0"
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds if not envelopes else 6}s", "-s", script, url],
                         env={**os.environ, "AUTH": auth, "AUTHOR": AUTHOR, "RUN": str(uuid.uuid4().int % 4294967296), "ENVELOPE": str(ENVELOPE),
                              "QUOTA": quota},
                         capture_output=True, text=True).stdout
    return "; ".join(line.strip() for line in out.splitlines() if line.startswith("posted:") or "Non-2xx" in line or "Socket errors" in line)


def bare_sqlite(node, envelopes=100, filled=False):
    """What the storage alone does here: Python's sqlite3 (C) inserting the same rows into a
    copy of the node's stix_objects (same indexes, WAL, synchronous FULL), 100 rows per
    transaction — no HTTP, no parsing, no checks. The ceiling any SQLite ingest meets. Empty,
    or `filled`: the node's whole database as it is now, since an insert into the unique
    (object_id, version_key) index costs more the larger it is (ids are random)."""
    import sqlite3
    path = os.path.join(WORK, "bare.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    source = sqlite3.connect(node)
    db = sqlite3.connect(path, isolation_level=None)
    if filled:
        source.backup(db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA cache_size=-65536")
    if not filled:
        for (statement,) in source.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'stix_objects' AND sql IS NOT NULL"):
            db.execute(statement)
    source.close()
    run = uuid.uuid4().hex
    body = json.dumps(objects()[0], separators=(",", ":"))
    rows = [[(f"indicator--{uuid.uuid5(NAMESPACE, f'bare-{run}-{e}-{i}')}", "indicator", "2.1", "2026-12-01T00:00:00.000000Z", "2026-12-03T00:00:00.000000Z", 0, "AMBER",
              AUTHOR, body, None, "vulnerability", None, "ceptoar:t-ceptoar", "t-ceptoar", None, None) for i in range(ENVELOPE)] for e in range(envelopes)]
    start = time.perf_counter()
    for envelope in rows:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO stix_objects (object_id, type, spec_version, version_key, date_added, revoked, tlp, created_by_ref, body, advisory_id, category, "
                       "origin_sector, source_party, community, received_under, peer_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                       "ON CONFLICT (object_id, version_key) DO NOTHING", envelope)
        db.execute("COMMIT")
    return envelopes * ENVELOPE / (time.perf_counter() - start)


def post_to_fresh_node(connections):
    """The ingest target's own case: 10,000 objects posted in envelopes of 100 into a fresh
    node's collection (seeded, nothing else stored), over `connections` connections."""
    node = os.path.join(WORK, f"fresh-{connections}.sqlite")
    ceptoar("seed", "--demo", "--database", node)
    token = ceptoar("token", "create", "--email", "secretariat@demo.ceptoar.example", "--database", node)
    p = port()
    server = subprocess.Popen([BIN, "serve", "--database", node, "--hostname", "127.0.0.1", "--port", str(p)], env={**ENV, "CEPTOAR_SYNC_POLL_SECONDS": "3600"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{p}"
        wait(base + "/ready")
        community = f"{base}/taxii2/api/collections/{uuid.uuid5(NAMESPACE, 'taxii-collection:community:t-ceptoar')}/objects/"
        return wrk_poster(community, "Bearer " + token, connections, envelopes=N // ENVELOPE)
    finally:
        server.terminate()
        server.wait()


def sqlite3_count(node):
    import sqlite3
    return sqlite3.connect(node).execute("SELECT COUNT(*) FROM stix_objects").fetchone()[0]


def main():
    os.makedirs(WORK, exist_ok=True)
    # Ceptoar: the T-CEPTOAR node.
    node = os.path.join(WORK, "telecom.sqlite")
    ceptoar("seed", "--demo", "--database", node)
    secretariat = ceptoar("token", "create", "--email", "secretariat@demo.ceptoar.example", "--database", node)
    power_token = ceptoar("token", "create", "--email", "power-secretariat@demo.ceptoar.example", "--database", node)
    p = port()
    server = subprocess.Popen([BIN, "serve", "--database", node, "--hostname", "127.0.0.1", "--port", str(p)], env={**ENV, "CEPTOAR_SYNC_POLL_SECONDS": "3600"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{p}"
    wait(base + "/ready")
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + secretariat
    community = f"{base}/taxii2/api/collections/{uuid.uuid5(NAMESPACE, 'taxii-collection:community:t-ceptoar')}/objects/"
    health = rate(session, base + "/health")
    posted = post_all(session, community, base + "/taxii2/api/status/")
    seen, pages, got = get_all(session, community, "?match[type]=indicator")
    assert seen == N, seen
    path = community[len(base):] + "?match[type]=indicator&limit=100"
    wrk1 = wrk_pager(base, path, "Bearer " + secretariat, 1)
    wrk2 = wrk_pager(base, path, "Bearer " + secretariat, 2)
    health_after = rate(session, base + "/health")
    health_wrk = {c: subprocess.run(["wrk", f"-t{c}", f"-c{c}", "-d5s", base + "/health"], capture_output=True, text=True).stdout for c in (1, 2)}
    health_wrk = {c: next((line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")), "?") for c, out in health_wrk.items()}
    print(f"ceptoar  /health (same client, before/after): {health:,.0f} / {health_after:,.0f} req/s", flush=True)
    print(f"ceptoar  POST {N:,} objects in envelopes of {ENVELOPE}: {posted:,.0f} objects/s", flush=True)
    print(f"ceptoar  GET ?limit={PAGE} through {seen:,} objects in {pages} pages: {got:,.0f} objects/s", flush=True)
    print(f"ceptoar  wrk pager, 1 connection: {wrk1} (wrk /health, 1 connection: {health_wrk[1]} req/s)", flush=True)
    print(f"ceptoar  wrk pager, 2 connections: {wrk2} (wrk /health, 2 connections: {health_wrk[2]} req/s)", flush=True)

    # Federation: the power node pulls the same objects under an agreement.
    proposal = {"key": "bench-t-power", "title": {"ja": "ベンチマーク"}, "parties": ["ceptoar:t-ceptoar", "ceptoar:electricity"], "direction": "both",
                "maxTLP": "AMBER", "anonymised": True, "mayPassOn": False, "validFrom": "2026-01-01", "retentionDays": 30,
                "contacts": {"ceptoar:t-ceptoar": "bench", "ceptoar:electricity": "bench"}}
    created = requests.post(base + "/api/v1/agreements", json=proposal, headers={"Authorization": "Bearer " + secretariat}).json()
    requests.post(base + "/api/v1/agreements/bench-t-power/approve", headers={"Authorization": "Bearer " + power_token})
    power = os.path.join(WORK, "power.sqlite")
    ceptoar("seed", "--demo", "--database", power)
    q = port()
    other = subprocess.Popen([BIN, "serve", "--database", power, "--hostname", "127.0.0.1", "--port", str(q)], env={**ENV, "CEPTOAR_SYNC_POLL_SECONDS": "3600"},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait(f"http://127.0.0.1:{q}/ready")
        p_secretariat = ceptoar("token", "create", "--email", "power-secretariat@demo.ceptoar.example", "--database", power)
        t_on_power = ceptoar("token", "create", "--email", "secretariat@demo.ceptoar.example", "--database", power)
        requests.post(f"http://127.0.0.1:{q}/api/v1/agreements", json=proposal, headers={"Authorization": "Bearer " + p_secretariat})
        requests.post(f"http://127.0.0.1:{q}/api/v1/agreements/bench-t-power/approve", headers={"Authorization": "Bearer " + t_on_power})
        ceptoar("peers", "add", "--name", "t-node", "--url", f"{base}/taxii2/api/collections/{created['collection']}/", "--token", power_token,
                "--agreement", "bench-t-power", "--remote", "ceptoar:t-ceptoar", "--local", "ceptoar:electricity", "--database", power)
        start = time.perf_counter()
        out = ceptoar("peers", "sync", "--database", power)
        elapsed = time.perf_counter() - start
        pulled = int(out.split(": ")[1].split(" ")[0])
        print(f"federation pull of {pulled:,} objects (ceptoar peers sync, process start included): {elapsed:.2f} s, {pulled / elapsed:,.0f} objects/s", flush=True)
    finally:
        other.terminate()

    # Ingest by wrk: the target's own case of 10,000 into a fresh node, then sustained for 8 s
    # each into this node (after the pull, which measures the 10,000 alone; the table grows to
    # hundreds of thousands of objects), and the storage alone.
    # Several connections, as several members' and peers' clients post at once: envelopes that
    # arrive while one is written are committed together (group commit).
    # The target's own case first, while this node is idle (its checkpointer would be moving
    # the posters' log on the other core).
    for connections in (1, 2, 4, 8):
        print(f"ceptoar  wrk poster, {N:,} objects into a fresh node, {connections} connection{'s' if connections > 1 else ''}: {post_to_fresh_node(connections)}", flush=True)
    for connections in (1, 2, 4, 8):
        print(f"ceptoar  wrk poster, {connections} connection{'s' if connections > 1 else ''}: {wrk_poster(community, 'Bearer ' + secretariat, connections)}", flush=True)
    rows = sqlite3_count(node)
    print(f"bare SQLite (Python sqlite3, same table and indexes, 100 rows a transaction): {bare_sqlite(node):,.0f} rows/s into an empty table, "
          f"{bare_sqlite(node, filled=True):,.0f} rows/s into a copy of the node's ({rows:,} objects after the posters)", flush=True)

    # medallion, memory backend, the same client and objects.
    m = port()
    data = {
        "/discovery": {"title": "bench", "default": f"http://127.0.0.1:{m}/bench/", "api_roots": [f"http://127.0.0.1:{m}/bench/"]},
        "bench": {"information": {"title": "bench", "versions": [TAXII], "max_content_length": 104857600}, "status": [],
                  "collections": [{"id": str(uuid.uuid4()), "title": "bench", "can_read": True, "can_write": True, "media_types": ["application/stix+json;version=2.1"], "objects": [], "manifest": []}]},
    }
    with open(os.path.join(WORK, "medallion-data.json"), "w") as f:
        json.dump(data, f)
    with open(os.path.join(WORK, "medallion.json"), "w") as f:
        json.dump({"users": {"bench": "bench"}, "taxii": {"max_page_size": PAGE},
                   "backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend", "filename": os.path.join(WORK, "medallion-data.json")}}, f)
    medallion = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "medallion"), "--port", str(m), os.path.join(WORK, "medallion.json")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        mbase = f"http://127.0.0.1:{m}"
        msession = requests.Session()
        msession.auth = ("bench", "bench")
        wait(mbase + "/taxii2/", auth=("bench", "bench"), headers={"Accept": TAXII})
        collection = data["bench"]["collections"][0]["id"]
        msession.headers["Accept"] = TAXII
        print(f"medallion discovery (same client): {rate(msession, mbase + '/taxii2/'):,.0f} req/s", flush=True)
        mposted = post_all(msession, f"{mbase}/bench/collections/{collection}/objects/", f"{mbase}/bench/status/")
        print(f"medallion POST {N:,} objects in envelopes of {ENVELOPE}: {mposted:,.0f} objects/s", flush=True)
        mseen, mpages, mgot = get_all(msession, f"{mbase}/bench/collections/{collection}/objects/", max_seconds=30.0)
        print(f"medallion GET ?limit={PAGE} through {mseen:,} objects in {mpages} pages (stopped after 30 s): {mgot:,.0f} objects/s", flush=True)
        import base64
        mauth = "Basic " + base64.b64encode(b"bench:bench").decode()
        print(f"medallion wrk pager, 1 connection: {wrk_pager(mbase, f'/bench/collections/{collection}/objects/?limit={PAGE}', mauth, 1, 20)}", flush=True)
        print(f"medallion wrk poster, 1 connection: {wrk_poster(f'{mbase}/bench/collections/{collection}/objects/', mauth, 1)}", flush=True)
        discovery = subprocess.run(["wrk", "-t1", "-c1", "-d5s", "-H", "Authorization: " + mauth, "-H", "Accept: " + TAXII, mbase + "/taxii2/"], capture_output=True, text=True).stdout
        print("medallion wrk discovery, 1 connection: " + next((line.split()[1] for line in discovery.splitlines() if line.startswith("Requests/sec")), "?") + " req/s", flush=True)
    finally:
        medallion.terminate()
    server.terminate()


main()
