#!/usr/bin/env python3
"""Compares afc's JSON results with a reference file, value by value.

    compare-json.py EXPECTED ACTUAL [--select KEY] [--rtol R] [--atol A]

Every number in EXPECTED (optionally only under the top-level key given
with --select) must be present in ACTUAL at the same
path and equal within the relative tolerance (infinities must match exactly).
Extra entries in ACTUAL are allowed. Prints how many values were compared and
every mismatch; exits 1 on any mismatch or missing value.

Other scripts may import this file (e.g. with importlib, as the name has a
hyphen) and call compare() on already loaded JSON values.
"""
import argparse
import ast
import json
import math
import sys


def retuple(x):
    """Rewrites keys that spell Python tuples as afc's 'a|b|c' keys."""
    if not isinstance(x, dict):
        return x
    out = {}
    for k, v in x.items():
        if k.startswith("("):
            k = "|".join(str(p) for p in ast.literal_eval(k))
        out[k] = retuple(v)
    return out


def fail(out, path, message, rel=None):
    """Records a mismatch: its message, and its path with its relative error
    (None when the value is missing or not a number)."""
    out["errors"].append(f"{path}: {message}")
    out.setdefault("mismatches", []).append((path, rel))


def walk(expected, actual, path, rtol, atol, out):
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            fail(out, path, f"expected an object, got {actual!r}")
            return
        for k, v in expected.items():
            if k not in actual:
                fail(out, f"{path}/{k}", "missing")
                continue
            walk(v, actual[k], f"{path}/{k}", rtol, atol, out)
        return
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        out["compared"] += 1
        if not isinstance(actual, (int, float)):
            fail(out, path, f"expected {expected!r}, got {actual!r}")
            return
        e, a = float(expected), float(actual)
        if math.isinf(e) or math.isinf(a) or math.isnan(e):
            ok = e == a
        else:
            ok = abs(a - e) <= atol + rtol * abs(e)
        if not ok:
            rel = abs(a - e) / abs(e) if e else float("inf")
            fail(out, path,
                 f"expected {e!r}, got {a!r} (relative error {rel:.3g})", rel)
        else:
            rel = abs(a - e) / abs(e) if e and not math.isinf(e) else 0.0
            out["worst"] = max(out["worst"], rel)
        return
    out["compared"] += 1
    if expected != actual:
        fail(out, path, f"expected {expected!r}, got {actual!r}")


def compare(expected, actual, rtol=1e-9, atol=0.0, tuple_keys=False,
            ignore=()):
    """Compares the numbers of EXPECTED with ACTUAL (loaded JSON values).
    Returns {"compared": N, "errors": [messages], "worst": worst relative
    error among the matching values, "mismatches": [(path, relative
    error or None when missing or not a number)]}."""
    if tuple_keys:
        expected = retuple(expected)
    if ignore and isinstance(expected, dict):
        expected = {k: v for k, v in expected.items() if k not in ignore}
    out = {"compared": 0, "errors": [], "worst": 0.0, "mismatches": []}
    walk(expected, actual, "", rtol, atol, out)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("expected")
    p.add_argument("actual")
    p.add_argument("--select", default=None)
    p.add_argument("--rtol", type=float, default=1e-9)
    p.add_argument("--atol", type=float, default=0.0)
    p.add_argument("--tuple-keys", action="store_true",
                   help="reference keys are Python tuples, e.g. "
                        "\"('Matmul0', 'MAC', 'compute')\"; compare them "
                        "as afc's 'Matmul0|MAC|compute'")
    p.add_argument("--ignore", action="append", default=[],
                   help="a top-level key of the reference not to compare")
    p.add_argument("--unwrap", action="store_true",
                   help="compare the selected entry's contents with the "
                        "whole of ACTUAL")
    args = p.parse_args()
    with open(args.expected) as f:
        expected = json.load(f)
    with open(args.actual) as f:
        actual = json.load(f)
    # --select narrows the reference to one subtree, keeping the path, so
    # `--select eyeriss` compares {"eyeriss": ...} with afc's output.
    if args.select:
        key = args.select
        if key not in expected:
            print(f"error: reference has no key {key!r}", file=sys.stderr)
            return 1
        expected = expected[key] if args.unwrap else {key: expected[key]}
    out = compare(expected, actual, args.rtol, args.atol, args.tuple_keys,
                  args.ignore)
    for e in out["errors"]:
        print("mismatch:", e)
    print(f"compared {out['compared']} values, {len(out['errors'])} mismatched, "
          f"worst relative error {out['worst']:.3g}")
    return 1 if out["errors"] or out["compared"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
