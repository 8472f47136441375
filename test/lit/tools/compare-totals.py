"""Checks afc map results with and without imperfect factorisation.

    compare-totals.py IMPERFECT_CSV PERFECT_CSV EVAL_CSV MAPPING_AF BOUND

Prints whether the imperfect search's energy is below half the perfect
one's, whether `afc eval` of the saved mapping gives the same totals, and
whether some loop over m has a tile shape that does not divide BOUND.
"""
import csv
import re
import sys


def totals(path):
    with open(path, newline="") as f:
        return {r["action"]: r["value"] for r in csv.DictReader(f)
                if r["kind"] == "total"}


def main():
    imperfect, perfect, again = (totals(p) for p in sys.argv[1:4])
    bound = int(sys.argv[5])
    below = float(imperfect["energy"]) < 0.5 * float(perfect["energy"])
    print("imperfect energy below half of perfect:", "yes" if below else "no")
    print("re-evaluation equal:", "yes" if again == imperfect else "no")
    text = open(sys.argv[4]).read()
    tiles = [int(t) for t in
             re.findall(r"\b(?:temporal|spatial) m\(.*?tile_shape = (\d+)\)",
                        text)]
    odd = any(bound % t for t in tiles)
    print("tile shape of m not dividing %d:" % bound, "yes" if odd else "no")


if __name__ == "__main__":
    main()
