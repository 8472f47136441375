#!/usr/bin/python3
"""Times the seed walkthrough as an AccelForge user writes it -- a Python
loop of 32 map() calls over the global-buffer sizes -- against `afc run` of
the same study (examples/eyeriss_glb_sweep.af), interleaving the runs so
both see the same machine load, and prints the best of N of each and their
ratio. The loop is timed from the first map() call (after import and load),
in a fresh interpreter per run so no kernel is compiled before it starts.

    PYTHONPATH=build/python bench/study/python_loop.py [build-dir] [runs]
"""
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOOP = """
import time, afc
spec = afc.load("arches/eyeriss.af", "workloads/basic/matmuls.af",
                N_EINSUMS=1, M=4096, KN=4096)
sizes = [256 * (33554432 / 256) ** (i / 31) for i in range(32)]
start = time.perf_counter()
results = [spec.map(metric="energy", fields={"GlobalBuffer.size": s})
           for s in sizes]
print(time.perf_counter() - start)
"""


def main():
    build = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    loop, run = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            t = subprocess.run([sys.executable, "-c", LOOP], check=True,
                               capture_output=True, text=True,
                               env={"PYTHONPATH": str(build / "python")})
            loop.append(float(t.stdout))
            start = time.perf_counter()
            subprocess.run([str(build / "bin" / "afc"), "run",
                            str(ROOT / "examples" / "eyeriss_glb_sweep.af"),
                            "--output-dir", out, "--quiet"], check=True)
            run.append(time.perf_counter() - start)
    print(f"python loop of 32 map() calls: best {min(loop):.3f} s")
    print(f"afc run of the study:          best {min(run):.3f} s")
    print(f"ratio: {min(loop) / min(run):.2f}")


if __name__ == "__main__":
    main()
