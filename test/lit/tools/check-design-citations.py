#!/usr/bin/env python3
"""Checks that every citation of the design notes resolves.

    check-design-citations.py SOURCE_ROOT

Scans the C++ sources, CMake files and Markdown of the repository (runtime,
include, compiler, tools, test, bench, docs) for citations such as
`model.md §5.4`, `docs/design/mapper.md §3.2-§3.8` or `model.md §13.2 and
§13.3`, and checks that docs/design/<note> has a heading for each cited
section (`## §5.4 ...`). Prints each dangling citation and a summary; exits 1
if any citation dangles or none was found.
"""
import os
import re
import sys

import treewalk

# "model.md §1-§12", "model.md §13.2 and §13.3", ...: the note and the
# run of section numbers after it.
# A citation may wrap onto the next comment line ("model.md\n/// §10").
SEP = (r"(?:,\s*|\s+and\s+|\s+or\s+|\s*-\s*|[ \t]*\n[ \t]*(?://+|#)[ \t]*"
       r"|\s+)?")
CITE = re.compile(r"\b(model|mapper)\.md((?:" + SEP +
                  r"§[0-9]+(?:\.[0-9]+)*)+)")
SECTION = re.compile(r"§([0-9]+(?:\.[0-9]+)*)")
HEADING = re.compile(r"^#+\s+§([0-9]+(?:\.[0-9]+)*)\b")
DIRS = ("runtime", "include", "compiler", "tools", "test", "bench", "docs")
EXTS = (".cpp", ".h", ".md", ".txt", ".af", ".test", ".py")


def headings(path):
    with open(path, encoding="utf-8") as f:
        return {m.group(1) for line in f if (m := HEADING.match(line))}


def main():
    root = sys.argv[1]
    notes = {n: headings(os.path.join(root, "docs", "design", n + ".md"))
             for n in ("model", "mapper")}
    cited, dangling = 0, []
    for rel, _, text in treewalk.text_files(root, DIRS, EXTS):
        for m in CITE.finditer(text):
            for s in SECTION.findall(m.group(2)):
                cited += 1
                if s not in notes[m.group(1)]:
                    line = text.count("\n", 0, m.start()) + 1
                    dangling.append(f"{rel}:{line}: {m.group(1)}.md §{s}")
    return treewalk.report(
        "dangling", dangling,
        f"{cited} section citations, {len(dangling)} dangling", cited)


if __name__ == "__main__":
    sys.exit(main())
