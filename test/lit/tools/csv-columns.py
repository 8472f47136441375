"""Prints chosen columns of a CSV file, one row per line, comma-separated.

    csv-columns.py FILE COLUMN...

The header line comes first. Quoted cells that span lines (a study's
`mapping` column) stay out of the way of line-based FileCheck patterns.
"""
import csv
import sys


def main():
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    columns = sys.argv[2:]
    print(",".join(columns))
    for r in rows:
        print(",".join(r[c] for c in columns))


if __name__ == "__main__":
    main()
