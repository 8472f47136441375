"""Kills `afc run` at random moments and resumes it; or interrupts one.

    kill_resume.py kill [--kills N] [--late-kills L] [--seed S] REF_DIR
                        OUT_DIR -- COMMAND...
        Runs COMMAND (an `afc run ... --output-dir OUT_DIR`) and SIGKILLs it
        after a random delay, again and again with --resume added, until N
        kills have hit a live process, then L more just after the study's
        summary line (while reports are written); after each kill every report of
        REF_DIR (an uninterrupted run's) must be absent from OUT_DIR or
        byte-identical (never truncated). Then runs COMMAND --resume to the
        end and compares every report with REF_DIR's.

    kill_resume.py sigint [--after SECONDS] -- COMMAND...
        Sends SIGINT to COMMAND after SECONDS and prints its exit status,
        whether it exited within 2 s of the signal, and its standard error.

    kill_resume.py together OUT_DIR -- COMMAND...
        Starts two copies of COMMAND at once and waits for both.
"""
import os
import random
import signal
import subprocess
import sys
import time


def reports(ref_dir):
    return sorted(f for f in os.listdir(ref_dir)
                  if not f.startswith(".") and not f.endswith(".sqlite")
                  and not f.endswith("-wal") and not f.endswith("-shm"))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def check_reports(ref_dir, out_dir, when):
    bad = []
    for name in reports(ref_dir):
        path = os.path.join(out_dir, name)
        if os.path.exists(path) and read(path) != read(os.path.join(ref_dir, name)):
            bad.append(name)
    for name in bad:
        print("report %s differs from the uninterrupted run's %s" % (name, when))
    return not bad


def kill(args):
    kills, seed, late_kills = 10, 1, 0
    while args[0].startswith("--"):
        if args[0] == "--kills":
            kills = int(args[1])
        elif args[0] == "--late-kills":
            late_kills = int(args[1])
        elif args[0] == "--seed":
            seed = int(args[1])
        args = args[2:]
    ref_dir, out_dir = args[0], args[1]
    command = args[args.index("--") + 1:]
    rng = random.Random(seed)
    hits, runs, ok = 0, 0, True
    while hits < kills and runs < 20 * kills:
        cmd = command + (["--resume"] if runs else [])
        runs += 1
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.0))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            hits += 1
        p.wait()
        ok &= check_reports(ref_dir, out_dir, "after kill %d" % hits)
    print("killed %d times in %d runs" % (hits, runs))
    # Then kills aimed at the write phase: just after the study's summary
    # line, while the reports are being written from the store.
    late = 0
    for _ in range(3 * kills):
        if late >= late_kills:
            break
        p = subprocess.Popen(command + ["--resume"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        for line in p.stderr:
            if " points in " in line:
                time.sleep(rng.uniform(0, 0.03))
                break
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            late += 1
        p.communicate()
        ok &= check_reports(ref_dir, out_dir, "after a late kill")
    if late_kills:
        print("killed %d times while writing reports" % late)
    p = subprocess.run(command + ["--resume"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    print("final run: exit %d" % p.returncode)
    sys.stdout.write("".join(l + "\n" for l in p.stderr.splitlines()
                             if "reused" in l))
    same = [n for n in reports(ref_dir)
            if os.path.exists(os.path.join(out_dir, n)) and
            read(os.path.join(out_dir, n)) == read(os.path.join(ref_dir, n))]
    print("%d of %d reports identical" % (len(same), len(reports(ref_dir))))
    print("never truncated" if ok else "a report was wrong")
    left = [f for f in os.listdir(out_dir) if ".partial" in f]
    print("partial files left: %d" % len(left))


def sigint(args):
    after = 1.0
    if args[0] == "--after":
        after = float(args[1])
        args = args[2:]
    command = args[args.index("--") + 1:]
    p = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    try:
        err = p.communicate(timeout=30)[1]
    except subprocess.TimeoutExpired:
        p.kill()
        err = p.communicate()[1]
    took = time.monotonic() - sent
    print("exit", p.returncode)
    print("stopped within 2 s" if took < 2 else "took %.1f s to stop" % took)
    sys.stdout.write(err)


def together(args):
    command = args[args.index("--") + 1:]
    procs = [subprocess.Popen(command, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for n, p in enumerate(procs):
        err = p.communicate()[1]
        print("process %d: exit %d" % (n, p.returncode))
        sys.stdout.write("".join(l + "\n" for l in err.splitlines()
                                 if "error" in l))


if __name__ == "__main__":
    {"kill": kill, "sigint": sigint, "together": together}[sys.argv[1]](
        sys.argv[2:])
