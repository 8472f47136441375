"""Runs a command and prints its exit status after its output, so a test
can check a particular status (lit's `not` accepts any failure, and its
`--crash` is for signals).

    exit-status.py COMMAND...

Passes the command's standard output and error through (error first),
then prints "exit N". Exits 0 whatever the command returned.
"""
import subprocess
import sys


def main():
    p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    sys.stdout.write(p.stderr)
    sys.stdout.write(p.stdout)
    print("exit", p.returncode)


if __name__ == "__main__":
    main()
