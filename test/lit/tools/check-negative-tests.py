#!/usr/bin/env python3
"""Checks the conventions of afc's negative lit tests.

    check-negative-tests.py LIT_DIR

Every RUN line that expects afc to fail (`not %afc ... | FileCheck`) must pass
`--implicit-check-not=error:` so that an extra error fails the test, and no
check line may spell a position in the test's own file as a literal line
number (use `[[@LINE+N]]` / `[[@LINE-N]]`). Prints each violation and how
many files were checked; exits 1 on any violation.
"""
import re
import sys

import treewalk

CHECK = re.compile(r"^\s*//\s*[A-Z][A-Z0-9_-]*:")


def main():
    root = sys.argv[1]
    problems, negative = [], 0
    for rel, name, text in treewalk.text_files(
            root, ["."], (".af", ".test"), ("Inputs", "tools")):
        lines = text.split("\n")
        neg = [l for l in lines if re.match(r"\s*//\s*RUN:", l)
               and re.search(r"\bnot\s+%afc\b", l) and "FileCheck" in l]
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
    return treewalk.report(
        "violation", problems,
        f"checked {negative} negative tests, {len(problems)} violations",
        negative)


if __name__ == "__main__":
    sys.exit(main())
