#!/usr/bin/env python3
"""Runs `afc map` on every case of the reference's regression suite and
compares its results with the reference's, case by case.

    bench/regression/run.py [--cases REGEX] [--mode fused|unfused|all]
                            [--timeout S] [--rtol R] [--afc PATH] [--csv FILE]

A case is a key of test/data/regression_reference_full.json,
`ARCH|WORKLOAD|PARAMS|fused-or-unfused`. Its afc command is

    afc map stdlib/arches/ARCH.af <stdlib workload WORKLOAD.af> -D K=V ...
        --metric=edp|energy (--unfused | --max-fused-loops=1)
        --format=json -o OUT.json --quiet

Every number of the reference entry (energy, latency, per-component energy
and latency, actions; not n_mappings) must match afc's within --rtol. Prints
one row per case and a summary; see README.md for the columns. Exits 1 when
a case mismatches or fails, or an unfused case times out (cases afc cannot
express yet do not count). Standard library only.
"""
import argparse
import csv
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The reference maps snowcat cases with metric ENERGY, all others with EDP
# (test/data/README.md).
ENERGY_METRIC_ARCHES = {"snowcat"}


def load_compare_json():
    """The comparison of test/lit/tools/compare-json.py, imported (the file
    name has a hyphen, so through importlib)."""
    path = os.path.join(REPO, "test", "lit", "tools", "compare-json.py")
    spec = importlib.util.spec_from_file_location("compare_json", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compare


def find_workload(stdlib, name):
    """The stdlib file defining workload NAME (`NAME.af` anywhere under
    workloads/), or None."""
    for root, _, files in sorted(os.walk(os.path.join(stdlib, "workloads"))):
        if name + ".af" in files:
            return os.path.join(root, name + ".af")
    return None


def translate_value(v):
    """A reference (Python/Jinja) parameter value as afc's `-D` spells it:
    a bare word (`grouped_query`) is a string there and must be quoted."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v) and \
            v not in ("True", "False", "None", "true", "false", "inf"):
        return f'"{v}"'
    return v


def afc_command(afc, stdlib, case, out_json, dropped=()):
    """(argv, None) for CASE, or (None, why) when afc cannot express it.
    Parameters in DROPPED are left out (see run_case)."""
    arch, workload, params, mode = case.split("|")
    arch_file = os.path.join(stdlib, "arches", arch + ".af")
    if not os.path.exists(arch_file):
        return None, f"no stdlib architecture {arch}.af"
    workload_file = find_workload(stdlib, workload)
    if workload_file is None:
        return None, f"no stdlib workload {workload}.af"
    argv = [afc, "map", arch_file, workload_file]
    for kv in filter(None, params.split(",")):
        k, v = kv.split("=", 1)
        if k in dropped:
            continue
        argv += ["-D", f"{k}={translate_value(v)}"]
    metric = "energy" if arch in ENERGY_METRIC_ARCHES else "edp"
    argv.append("--metric=" + metric)
    if mode == "unfused":
        argv.append("--unfused")
    else:
        # The reference's regression settings allow one fused loop.
        argv.append("--max-fused-loops=1")
    argv += ["--format=json", "-o", out_json, "--quiet"]
    return argv, None


def load_reference_times(path):
    """{(case without mode, mode): seconds} from reference_times.csv."""
    times = {}
    if not os.path.exists(path):
        return times
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                times[(row["case"], row["mode"])] = float(row["reference_wall_s"])
            except (KeyError, ValueError):
                pass
    return times


def fmt_rel(r):
    return "inf" if math.isinf(r) else f"{r:.3g}"


def run_case(case, entry, args, compare, tmpdir, index):
    """One row: a dict with the table's columns."""
    arch, workload, params, mode = case.split("|")
    row = {"case": "|".join((arch, workload, params)), "mode": mode,
           "metric": "energy" if arch in ENERGY_METRIC_ARCHES else "edp",
           "status": "", "afc_s": None, "pmappings": None, "detail": ""}
    out_json = os.path.join(tmpdir, f"case{index}.json")
    # The reference ignores parameters a model does not use (mamba's
    # DECODE, N_NEW_TOKENS); afc rejects them. Such a parameter is dropped
    # and the case run again, and the detail says so.
    dropped = []
    while True:
        argv, why = afc_command(args.afc, args.stdlib, case, out_json, dropped)
        if argv is None:
            row["status"], row["detail"] = "not expressible", why
            return row
        if args.verbose:
            print("+ " + " ".join(argv), file=sys.stderr)
        start = time.monotonic()
        try:
            proc = subprocess.run(argv, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  timeout=args.timeout)
        except subprocess.TimeoutExpired:
            row["afc_s"] = time.monotonic() - start
            row["status"] = "timeout"
            row["detail"] = f"no result within {args.timeout:g} s"
            return row
        row["afc_s"] = time.monotonic() - start
        unused = re.search(r"<-D (\w+)>:.*error: no parameter named", proc.stderr)
        if proc.returncode == 0 or not unused or unused.group(1) in dropped:
            break
        dropped.append(unused.group(1))
    note = (f"; unused by the model, not passed: {', '.join(dropped)}"
            if dropped else "")
    if proc.returncode != 0 or not os.path.exists(out_json):
        lines = [l for l in proc.stderr.splitlines() if "error" in l] or \
            proc.stderr.splitlines() or [f"exit status {proc.returncode}"]
        row["status"], row["detail"] = "error", lines[0].strip()
        return row
    try:
        with open(out_json) as f:
            actual = json.load(f)
    except ValueError as e:
        row["status"], row["detail"] = "error", f"afc's JSON: {e}"
        return row
    row["pmappings"] = actual.get("stats", {}).get("pmappings_evaluated")
    if row["pmappings"] is None:
        m = re.search(r"(\d+) pmappings evaluated", proc.stderr)
        row["pmappings"] = int(m.group(1)) if m else None
    out = compare(entry, actual, rtol=args.rtol, tuple_keys=True,
                  ignore=("n_mappings",))
    if out["compared"] == 0:
        row["status"], row["detail"] = "error", "nothing compared"
    elif not out["mismatches"]:
        row["status"] = "match"
        row["detail"] = (f"{out['compared']} values, worst rel err "
                         f"{fmt_rel(out['worst'])}")
        if mode == "fused":
            fused = actual.get("stats", {}).get("on_chip_tensors") or []
            row["detail"] += ("; on chip: " + ", ".join(fused) if fused
                              else "; nothing fused")
    else:
        rels = [r for _, r in out["mismatches"] if r is not None]
        missing = len(out["mismatches"]) - len(rels)
        worst = max([out["worst"]] + rels)
        first = out["mismatches"][0][0]
        row["status"] = "MISMATCH"
        row["detail"] = (f"worst rel err {fmt_rel(worst)}, first {first} "
                         f"({len(out['mismatches'])}/{out['compared']} values"
                         + (f", {missing} missing" if missing else "") + ")")
    row["detail"] += note
    return row


COLUMNS = [("case", "case"), ("mode", "mode"), ("metric", "metric"),
           ("status", "status"), ("afc_s", "afc s"), ("ref_s", "ref s"),
           ("speedup", "ref/afc"), ("pmappings", "pmappings"),
           ("detail", "detail")]


def cell(row, key):
    v = row.get(key)
    if key == "speedup" and row["status"] == "timeout" and row.get("ref_s"):
        # afc took longer than the timeout: the ratio is at most this.
        return f"<{row['ref_s'] / row['afc_s']:.3g}x"
    if v is None:
        return "-"
    if key in ("afc_s", "ref_s"):
        return f"{v:.2f}"
    if key == "speedup":
        return f"{v:.3g}x"
    return str(v)


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", default="",
                   help="run only the cases whose key "
                        "(ARCH|WORKLOAD|PARAMS|MODE) matches this regex")
    p.add_argument("--mode", choices=("fused", "unfused", "all"),
                   default="all")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds per case (default 60)")
    p.add_argument("--rtol", type=float, default=1e-4,
                   help="relative tolerance (default 1e-4)")
    p.add_argument("--afc", default=os.path.join(REPO, "build", "bin", "afc"))
    p.add_argument("--stdlib", default=os.path.join(REPO, "stdlib"))
    p.add_argument("--reference", default=os.path.join(
        REPO, "test", "data", "regression_reference_full.json"))
    p.add_argument("--times", default=os.path.join(
        REPO, "test", "data", "reference_times.csv"))
    p.add_argument("--csv", help="also write the table to this CSV file")
    p.add_argument("--keep", metavar="DIR",
                   help="keep afc's JSON outputs in DIR")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print each afc command on stderr")
    args = p.parse_args()

    if not os.path.exists(args.afc):
        print(f"error: no afc at {args.afc} (build it, or pass --afc)",
              file=sys.stderr)
        return 2
    with open(args.reference) as f:
        reference = json.load(f)
    times = load_reference_times(args.times)
    compare = load_compare_json()
    pattern = re.compile(args.cases)
    cases = [c for c in reference
             if pattern.search(c)
             and (args.mode == "all" or c.rsplit("|", 1)[1] == args.mode)]
    if not cases:
        print("error: no case selected", file=sys.stderr)
        return 2

    width = {k: len(h) for k, h in COLUMNS}
    width["case"] = max(width["case"], *(len(c.rsplit("|", 1)[0]) for c in cases))
    width["status"] = len("not expressible")
    width["mode"] = len("unfused")
    fixed = [k for k, _ in COLUMNS if k != "detail"]

    def line(values):
        return "  ".join([values[k].ljust(width[k]) if k in ("case", "status", "mode", "metric")
                          else values[k].rjust(width[k]) for k in fixed] + [values["detail"]])

    print(line(dict(COLUMNS)))
    sys.stdout.flush()
    rows = []
    tmp = None if args.keep else tempfile.TemporaryDirectory()
    outdir = args.keep or tmp.name
    os.makedirs(outdir, exist_ok=True)
    try:
        for i, case in enumerate(cases):
            row = run_case(case, reference[case], args, compare, outdir, i)
            row["ref_s"] = times.get((row["case"], row["mode"]))
            if row["ref_s"] and row["afc_s"] and row["status"] == "match":
                row["speedup"] = row["ref_s"] / row["afc_s"]
            rows.append(row)
            print(line({k: cell(row, k) for k, _ in COLUMNS}))
            sys.stdout.flush()
    finally:
        if tmp:
            tmp.cleanup()

    count = lambda s, mode=None: sum(
        1 for r in rows if r["status"] == s and (mode is None or r["mode"] == mode))
    ran = [r["afc_s"] for r in rows if r["afc_s"] is not None]
    print(f"summary: {len(rows)} cases: {count('match')} match, "
          f"{count('MISMATCH')} MISMATCH ({count('MISMATCH', 'fused')} fused), "
          f"{count('timeout')} timeout, "
          f"{count('error')} error, {count('not expressible')} not expressible; "
          f"afc total {sum(ran):.1f} s over {len(ran)} runs")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([k for k, _ in COLUMNS])
            for r in rows:
                w.writerow(["" if r.get(k) is None else
                            (f"{r[k]:.4g}" if isinstance(r[k], float) else r[k])
                            for k, _ in COLUMNS])
    bad = [r for r in rows if r["status"] in ("MISMATCH", "error")
           or (r["mode"] == "unfused" and r["status"] == "timeout")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
