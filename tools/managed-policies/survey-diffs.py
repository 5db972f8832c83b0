#!/usr/bin/env python3
"""Summarise `verdict diff --batch` over managed-policy version pairs (see version-pairs.mjs):
relations, decided share, lines that could not be compared."""
import collections, json, sys

pairs = [json.loads(l) for l in open(sys.argv[1])]
results = [json.loads(l) for l in open(sys.argv[2])]
rel = collections.Counter()
errors = []
for p, r in zip(pairs, results):
    if "error" in r:
        errors.append((p["name"], p["from"], p["to"], r["error"][:160]))
        rel["error"] += 1
    else:
        rel[r["relation"]] += 1
n = len(results)
decided = n - rel["unknown"] - rel["error"]
print(f"{n} pairs: " + ", ".join(f"{k} {v}" for k, v in rel.most_common()))
print(f"decided: {decided}/{n} = {100.0 * decided / max(n, 1):.2f}%")
for e in errors[:10]:
    print("error:", *e)
