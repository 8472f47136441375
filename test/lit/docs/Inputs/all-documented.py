#!/usr/bin/env python3
"""Reads `afc components --list --format=json` on stdin and checks that the
reference given as argv[1] has a `## CLASS` section for every class."""
import json
import sys

classes = json.load(sys.stdin)
with open(sys.argv[1], encoding="utf-8") as f:
    sections = {l[3:].strip() for l in f if l.startswith("## ")}
missing = [c for c in classes if c not in sections]
for c in missing:
    print(f"not documented: {c}")
print(f"{len(classes)} classes, " +
      ("all documented" if not missing else f"{len(missing)} missing"))
sys.exit(1 if missing else 0)
