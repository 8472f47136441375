#!/usr/bin/env python3
"""Invariants of the loop nest that `afc map` / `afc eval` print (--verbose):
the product of the loop bounds of each rank variable along one branch is the
rank's size, and each utilization is used / fanout. Prints one line per rank
variable ("m 64") and whether every utilization row is consistent."""
import re
import sys
from collections import defaultdict

products = defaultdict(lambda: 1)
consistent = True
in_table = False
for line in sys.stdin:
    m = re.match(r"\s*(?:spatial-)?for (\w+) in \[0:(\d+)\)", line)
    if m:
        products[m.group(1)] *= int(m.group(2))
    if line.startswith("Spatial utilization"):
        in_table = True
        continue
    if in_table:
        if not line.strip():
            in_table = False
            continue
        u = re.match(r"\S+\s+\S+\s+([\d.e+]+)\s+([\d.e+]+)\s+([\d.]+) %", line)
        if u:
            used, fanout, pct = map(float, u.groups())
            consistent &= abs(used / fanout * 100 - pct) <= 0.05
for rv in sorted(products):
    print(rv, products[rv])
print("utilization consistent:", "yes" if consistent else "no")
