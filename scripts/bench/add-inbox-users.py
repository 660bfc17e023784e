"""Gives N member organisations that received advisories one user and one API token each.

Used by scripts/bench.sh for the inbox benchmark with many distinct readers (so the read
cache cannot answer everyone from one entry). Writes the tokens, one per line, to OUT.
Usage: add-inbox-users.py DATABASE N OUT
"""
import hashlib
import sqlite3
import sys
import time
import uuid

database, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
db = sqlite3.connect(database)
organisations = [row[0] for row in db.execute(
    "SELECT DISTINCT organisation_id FROM deliveries ORDER BY organisation_id LIMIT ?", (count,))]
if len(organisations) < count:
    sys.exit(f"only {len(organisations)} organisations have deliveries; publish first")
now = time.time()
tokens = []
with db:
    for n, organisation in enumerate(organisations):
        user = str(uuid.uuid4()).upper()
        db.execute(
            "INSERT INTO users (id, created_at, organisation_id, email, display_name, password_hash, roles, active)"
            " VALUES (?, ?, ?, ?, ?, 'unusable', 'member', 1)",
            (user, now, organisation, f"inbox-bench-{n}@bench.ceptoar.example", f"inbox bench {n}"))
        secret = f"inbox-bench-token-{n}-{uuid.uuid4().hex}"
        db.execute(
            "INSERT INTO api_tokens (id, created_at, user_id, name, token_hash, expires_at, last_used_at) VALUES (?, ?, ?, 'bench', ?, NULL, NULL)",
            (str(uuid.uuid4()).upper(), now, user, hashlib.sha256(secret.encode()).hexdigest()))
        tokens.append(secret)
with open(out, "w") as f:
    f.write("\n".join(tokens) + "\n")
print(f"{len(tokens)} users with tokens in {len(set(organisations))} organisations")
