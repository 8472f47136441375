#!/usr/bin/env python3
"""Compares columns of afc's result CSV with a reference CSV, row by row.

    compare-csv.py EXPECTED ACTUAL --key EXP_COL=ACT_COL
                   [--column EXP_COL[=ACT_COL]]... [--rtol R] [--atol A]

Rows are matched by the key columns (numbers equal within 1e-9 relative).
Every listed column must match within the tolerance (absolute tolerance
for values near zero). Every reference row must have a match. Prints the
number of values compared and each mismatch; exits 1 on any mismatch.
"""
import argparse
import csv
import math
import sys


def close(a, b, rtol, atol):
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(a)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("expected")
    p.add_argument("actual")
    p.add_argument("--key", required=True)
    p.add_argument("--column", action="append", default=[])
    p.add_argument("--rtol", type=float, default=1e-9)
    p.add_argument("--atol", type=float, default=0.0)
    p.add_argument("--only-present", action="store_true",
                   help="compare only the reference rows ACTUAL has (for a "
                        "reduced sweep); at least one must match")
    args = p.parse_args()
    ek, ak = args.key.split("=")
    with open(args.expected) as f:
        expected = list(csv.DictReader(f))
    with open(args.actual) as f:
        actual = list(csv.DictReader(f))
    compared, errors, worst = 0, [], 0.0
    for row in expected:
        k = float(row[ek])
        match = [r for r in actual
                 if r.get(ak) not in (None, "") and close(k, float(r[ak]), 1e-9, 0)]
        if not match:
            if not args.only_present:
                errors.append(f"{ek}={row[ek]}: no row in {args.actual}")
            continue
        got = match[0]
        for spec in args.column:
            ec, ac = (spec.split("=") + [spec])[:2]
            if got.get(ac) in (None, ""):
                errors.append(f"{ek}={row[ek]}: column {ac} missing "
                              f"(status: {got.get('status')})")
                continue
            e, a = float(row[ec]), float(got[ac])
            compared += 1
            if not close(e, a, args.rtol, args.atol):
                errors.append(f"{ek}={row[ek]} {ec}: expected {e!r}, got {a!r}")
            elif e:
                worst = max(worst, abs(a - e) / abs(e))
    for e in errors:
        print("mismatch:", e)
    print(f"compared {compared} values, {len(errors)} mismatched, "
          f"worst relative error {worst:.3g}")
    return 1 if errors or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
