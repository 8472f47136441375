"""Shared by the conventions checks: walking source files and reporting."""
import os


def text_files(root, tops, exts, skip_dirs=()):
    """Yields (path relative to root, file name, text) for every file under
    root/<top> for each top in `tops` whose name ends with one of `exts`,
    skipping directories named in `skip_dirs`."""
    for top in tops:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs)
            for name in sorted(filenames):
                if not name.endswith(exts):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    yield os.path.relpath(path, root), name, f.read()


def report(kind, problems, summary, checked):
    """Prints each problem and the summary line; the exit code is 1 when
    there is a problem or nothing was checked."""
    for p in problems:
        print(f"{kind}: {p}")
    print(summary)
    return 1 if problems or checked == 0 else 0
