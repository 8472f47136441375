"""Checks a study's rows for one design against `afc map` of that design.

    study-vs-map.py STUDY_CSV COLUMN VALUE MAP_CSV [VALUE MAP_CSV]...

For each VALUE (an architecture's name, say), the study's rows whose
COLUMN holds VALUE must have the energy and latency that `afc map
--format=csv` of that design alone printed as its totals (within 1e-9
relative: both print shortest round-trip doubles). Prints one line per
value: how many rows it has and whether they match.
"""
import csv
import sys


def close(a, b):
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def totals(path):
    with open(path, newline="") as f:
        return {r["action"]: float(r["value"]) for r in csv.DictReader(f)
                if r["kind"] == "total"}


def main():
    study, column = sys.argv[1], sys.argv[2]
    with open(study, newline="") as f:
        rows = list(csv.DictReader(f))
    pairs = sys.argv[3:]
    ok = True
    for value, path in zip(pairs[0::2], pairs[1::2]):
        mine = [r for r in rows if r[column] == value]
        t = totals(path)
        same = bool(mine) and all(
            close(float(r["energy_J"]), t["energy"]) and
            close(float(r["latency_s"]), t["latency"]) for r in mine)
        ok = ok and same
        print("%s: %d rows, %s" % (value, len(mine),
                                   "same as afc map" if same else
                                   "DIFFERENT from afc map"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
