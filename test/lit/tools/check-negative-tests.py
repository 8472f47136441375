#!/usr/bin/env python3
"""Checks the conventions of afc's negative lit tests.

    check-negative-tests.py LIT_DIR

Every RUN line that expects afc to fail (`not %afc ... | FileCheck`) must pass
`--implicit-check-not=error:` so that an extra error fails the test, and no
check line may spell a position in the test's own file as a literal line
number (use `[[@LINE+N]]` / `[[@LINE-N]]`). Prints each violation and how
many files were checked; exits 1 on any violation.
"""
import os
import re
import sys

CHECK = re.compile(r"^\s*//\s*[A-Z][A-Z0-9_-]*:")


def main():
    root = sys.argv[1]
    problems, negative = [], 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("Inputs", "tools")]
        for name in sorted(filenames):
            if not name.endswith((".af", ".test")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding="latin-1") as f:
                lines = f.read().split("\n")
            runs = [l for l in lines if re.match(r"\s*//\s*RUN:", l)]
            neg = [l for l in runs if re.search(r"\bnot\s+%afc\b", l)
                   and "FileCheck" in l]
            if not neg:
                continue
            negative += 1
            for l in neg:
                if "--implicit-check-not=error:" not in l:
                    problems.append(f"{rel}: RUN line without "
                                    f"--implicit-check-not=error:")
            own = re.compile(r"(?<![\w.-])" + re.escape(name) + r":\d+:")
            for i, l in enumerate(lines, 1):
                if CHECK.match(l) and not l.lstrip("/ ").startswith("RUN:") \
                        and own.search(l):
                    problems.append(f"{rel}:{i}: literal line number; use "
                                    f"[[@LINE+N]] or [[@LINE-N]]")
    for p in problems:
        print("violation:", p)
    print(f"checked {negative} negative tests, {len(problems)} violations")
    return 1 if problems or negative == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
