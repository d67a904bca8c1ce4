#!/usr/bin/env python3
"""Replaces the params of one ledger record and re-hashes the chain from it, as an attacker who
knows the format would (tests that replay reports bad values instead of crashing).
Usage: forge_ledger_record.py STORE SEQ PARAMS_JSON_PATCH"""
import hashlib, json, sqlite3, sys

store, seq, patch = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
db = sqlite3.connect(store)
db.execute("DROP TRIGGER IF EXISTS ledger_no_update")
rows = db.execute("SELECT seq, time_utc, command, params, inputs, outputs, code_version,"
                  " prev_hash, hash, state, paths FROM ledger ORDER BY seq").fetchall()
prev = None
for (s, t, cmd, params, inputs, outputs, ver, prev_hash, h, state, paths) in rows:
    if s >= seq:
        p = json.loads(params)
        if s == seq:
            p.update(patch)
        params = json.dumps(p, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if prev is not None:
            prev_hash = prev
        rec = {"seq": s, "time_utc": t, "command": cmd, "params": p,
               "inputs": json.loads(inputs), "outputs": json.loads(outputs),
               "code_version": ver, "prev_hash": prev_hash}
        if state:
            rec["state"] = json.loads(state)
        if paths:
            rec["paths"] = paths
        canon = json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        h = hashlib.sha256(canon.encode()).hexdigest()
        db.execute("UPDATE ledger SET params = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                   (params, prev_hash, h, s))
    prev = h
db.commit()
