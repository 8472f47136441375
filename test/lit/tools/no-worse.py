#!/usr/bin/env python3
"""no-worse.py BEST.json OTHER.json...: checks that the `energy` of BEST (an
afc JSON result) is at most every OTHER's (within 1e-9 relative), printing
`no worse than N mappings`, or one `worse than FILE` line per violation and
exit status 1."""
import json
import sys


def energy(path):
    with open(path) as f:
        return json.load(f)["energy"]


def main(argv):
    best = energy(argv[1])
    bad = [p for p in argv[2:] if best > energy(p) * (1 + 1e-9)]
    for p in bad:
        print(f"worse than {p}: {best} > {energy(p)}")
    if not bad:
        print(f"no worse than {len(argv) - 2} mappings")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
