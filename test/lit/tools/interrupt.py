"""Interrupts a command with SIGINT (or --signal TERM) once it reports
progress, then summarises what it kept.

    interrupt.py [--signal TERM] RESULT_CSV -- COMMAND...

Waits for the first plain progress line ("afc: K/N points done"), sends
SIGINT, and prints the exit status, the command's remaining stderr and, from
RESULT_CSV, how many rows finished and how many were marked as not run.
"""
import csv
import signal
import subprocess
import sys


def main():
    args = sys.argv[1:]
    sig = signal.SIGINT
    if args[0] == "--signal":
        sig = getattr(signal, "SIG" + args[1])
        args = args[2:]
    sep = args.index("--")
    result_csv, command = args[0], args[sep + 1:]
    p = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if "points done" in line:
            p.send_signal(sig)
            break
    else:
        print("no progress line before exit")
    rest = p.stderr.read()
    print("exit", p.wait())
    sys.stdout.write(rest)
    with open(result_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    ok = sum(1 for r in rows if r["status"] == "ok")
    not_run = sum(1 for r in rows if r["status"] == "not run (interrupted)")
    print("rows", len(rows), "ok", ok, "not_run", not_run)
    print("partial" if 0 < ok < len(rows) and ok + not_run == len(rows)
          else "not partial")


if __name__ == "__main__":
    main()
