"""The command line: help, syntax errors with positions, exit codes, -e."""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def run(args, tmp_path=None):
    env = dict(os.environ, METATRACE="off", PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "interpreters.io_msg"] + args, cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_help():
    p = run(["--help"])
    assert p.returncode == 0
    assert "FILE.io" in p.stdout and "--no-jit" in p.stdout and "REPL" in p.stdout


def test_syntax_error_has_position(tmp_path):
    f = tmp_path / "bad.io"
    f.write_text('x := 1\nfoo(1, 2\n')
    p = run([str(f)])
    assert p.returncode == 1
    assert p.stderr.strip() == "%s:3:1: expected ')' before end of input" % f


def test_expression_and_args(tmp_path):
    f = tmp_path / "args.io"
    f.write_text("System args println\nSystem exit(4)\n")
    p = run([str(f), "a", "b"])
    assert p.stdout == "list(%s, a, b)\n" % f
    assert p.returncode == 4
    p = run(["-e", "(1 + 2) println"])
    assert p.stdout == "3\n" and p.returncode == 0


def test_missing_file():
    p = run(["/nonexistent/x.io"])
    assert p.returncode == 2
    assert "cannot open" in p.stderr
