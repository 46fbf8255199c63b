"""Bad input gives an Io-level error, never a Python traceback: source files that cannot be
read or parsed, and primitives handed receivers or arguments they cannot use."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from interpreters.io_msg.lexer import IoSyntaxError
from interpreters.io_msg.parser import parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def run(args, jit=False):
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("METATRACE", None)
    if not jit:
        env["METATRACE"] = "off"
    return subprocess.run([sys.executable, "-m", "interpreters.io_msg"] + args, cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def assert_clean(p):
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr
    assert "internal error" not in p.stderr, p.stderr


def test_non_utf8_source_names_file_line_col(tmp_path):
    f = tmp_path / "latin1.io"
    f.write_bytes(b'x := 1\n"caf\xe9" println\n')
    p = run([str(f)])
    assert_clean(p)
    assert p.returncode == 1
    assert p.stderr.strip() == ("%s:2:5: invalid UTF-8 byte 0xe9: Io source files must be "
                                "UTF-8 text" % f)
    assert p.stdout == ""


def test_non_utf8_file_through_dofile_is_catchable(tmp_path):
    f = tmp_path / "bad.io"
    f.write_bytes(b"1 println\n\xff\n")
    p = run(["-e", 'e := try(doFile("%s")); e error println' % f])
    assert_clean(p)
    assert p.returncode == 0
    assert p.stdout == "compile error: %s:2:1: invalid UTF-8 byte 0xff: Io source files must " \
                       "be UTF-8 text\n" % f


def test_utf8_bom_is_skipped(tmp_path):
    f = tmp_path / "bom.io"
    f.write_bytes(b'\xef\xbb\xbf"ok" println\n')
    p = run([str(f)])
    assert p.returncode == 0 and p.stdout == "ok\n"


def test_empty_file(tmp_path):
    f = tmp_path / "empty.io"
    f.write_text("")
    p = run([str(f)])
    assert p.returncode == 0 and p.stdout == "" and p.stderr == ""


def test_directory_and_missing_file(tmp_path):
    for path in (str(tmp_path), str(tmp_path / "missing.io")):
        p = run([path])
        assert_clean(p)
        assert p.returncode == 2
        assert p.stderr.startswith("metatrace io: cannot open %s: " % path)


@pytest.mark.parametrize("src,where", [
    ('x := 1\ny := "abc\n', "2:6: unterminated string"),
    ("x := 1 /* never closed\n\n", "1:8: unterminated /* comment"),
    ('"""abc\n', "1:1: unterminated triple-quoted string"),
])
def test_unterminated_tokens(tmp_path, src, where):
    f = tmp_path / "u.io"
    f.write_text(src)
    p = run([str(f)])
    assert_clean(p)
    assert p.returncode == 1
    assert p.stderr.startswith("%s:%s" % (f, where))


def test_deep_nesting_is_a_syntax_error_not_a_recursion_error():
    depth = 20 * sys.getrecursionlimit()
    with pytest.raises(IoSyntaxError) as info:
        parse("(" * depth + "1" + ")" * depth, "deep.io", lambda tok: None)
    assert info.value.line == 1 and info.value.col > 1
    assert "nested too deeply" in str(info.value)
    assert str(info.value).startswith("deep.io:1:")


def test_moderate_nesting_and_long_lines_run(tmp_path):
    f = tmp_path / "big.io"
    f.write_text("(" * 2000 + "1" + ")" * 2000 + " println\n"
                 + "x := " + " + ".join(["1"] * 50000) + "; x println\n"
                 + "list(" + ", ".join(["1"] * 50000) + ") size println\n")
    p = run([str(f)])
    assert_clean(p)
    assert p.returncode == 0 and p.stdout == "1\n50000\n50000\n"


@pytest.mark.parametrize("code,text", [
    ("Object clone do(setSlot(\"f\", Message getSlot(\"name\"))) f",
     "CFunction defined for type Message but called on type Object"),
    ("Block clone setMessage(nil)",
     "argument 0 to method 'setMessage' must be a Message, not a 'nil'"),
    ("list(1,2,3) swapIndices(0, 3)", "index out of bounds"),
    ("list(1,2,3) reduce", "reduce needs a block"),
])
def test_issue_cases_uncaught_print_the_io_error(code, text):
    for jit in (False, True):
        p = run(["-e", code], jit=jit)
        assert_clean(p)
        assert p.returncode == 1
        assert "  Exception: " + text in p.stdout
        assert "  ---------" in p.stdout


@pytest.mark.parametrize("code", [
    "Object clone do(setSlot(\"f\", Message getSlot(\"name\"))) f",
    "Block clone setMessage(nil)",
    "list(1,2,3) swapIndices(0, 3)", "list(1,2,3) reduce",
])
def test_issue_cases_are_catchable(code):
    p = run(["-e", 'e := try(%s); e type println; "after" println' % code])
    assert_clean(p)
    assert p.returncode == 0 and p.stdout == "Exception\nafter\n"


def test_every_primitive_with_bad_arguments(tmp_path):
    """prim_sweep.py calls each registered primitive on its own kind of receiver and on a
    plain object, with no, wrong-typed, out-of-range and non-finite arguments; every call
    must give a value or an Io exception."""
    env = dict(os.environ, METATRACE="off", PYTHONPATH=ROOT)
    p = subprocess.run([sys.executable, os.path.join(HERE, "prim_sweep.py"), str(tmp_path)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    report = json.loads(p.stdout)
    assert report["calls"] > 20000
    assert report["failures"] == []
