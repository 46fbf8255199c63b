"""Bad input gives a SOM-level error, never a Python traceback: source files that cannot be
read or parsed, huge integer literals (SOM integers are unbounded), and primitives handed
receivers or arguments they cannot use."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import REPO, run_som

HERE = os.path.dirname(os.path.abspath(__file__))


def write(tmp_path, name, data):
    path = os.path.join(str(tmp_path), name + ".som")
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def assert_clean(r):
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr[-3000:]


def test_non_utf8_source_names_file_line_col(tmp_path):
    path = write(tmp_path, "Latin", b"Latin = (\n  run = ( 'caf\xe9' println )\n)\n")
    r = run_som([path])
    assert_clean(r)
    assert r.returncode == 1
    assert r.stderr.strip() == ("%s:2:15: invalid UTF-8 byte 0xe9: SOM source files must be "
                                "UTF-8 text" % path)


def test_huge_integer_literal_is_a_large_integer(tmp_path, mode):
    digits = "7" * 200000
    path = write(tmp_path, "Big", "Big = ( run = ( | x |\n  x := %s.\n"
                 "  (x %% 1000) println. x asString length println. (x + 1 - x) println.\n"
                 "  (x asString = '%s') println. (x * x) asString length println.\n"
                 "  ((Integer fromString: x asString) = x) println. (x / (x - 1)) println.\n"
                 "  (x asString primSubstringFrom: 1 to: 5) println ) )\n" % (digits, digits))
    r = run_som([path], mode)
    assert_clean(r)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.splitlines() == ["777", "200000", "1", "true", "400000", "true", "1",
                                     "77777"]


def test_non_ascii_digit_is_a_compile_error(tmp_path):
    path = write(tmp_path, "Sup", "Sup = ( run = ( \u00b2 println ) )\n")
    r = run_som([path])
    assert_clean(r)
    assert r.returncode == 1
    assert r.stderr.strip() == "%s:1:17: unexpected character '\u00b2'" % path


@pytest.mark.parametrize("src,where", [
    ("Str = ( run = ( 'abc println ) )\n", "1:17: unterminated string literal"),
    ('Str = ( run = ( "abc ) )\n', "1:17: unterminated comment"),
    ("", "1:1: expected a class name"),
])
def test_unterminated_and_empty(tmp_path, src, where):
    path = write(tmp_path, "Str", src)
    r = run_som([path])
    assert_clean(r)
    assert r.returncode == 1
    assert r.stderr.startswith("%s:%s" % (path, where))


def test_missing_file_and_directory(tmp_path):
    os.mkdir(os.path.join(str(tmp_path), "Dir.som"))
    for name in ("Dir", "Missing"):
        r = run_som([os.path.join(str(tmp_path), name + ".som")])
        assert_clean(r)
        assert r.returncode == 1
        assert "ERROR: Tried loading '%s' as a class, but failed." % name in r.stdout


def test_deep_nesting_is_a_compile_error(tmp_path):
    depth = 400000  # beyond what the parser's recursion can take with the CLI's limit
    path = write(tmp_path, "Deep", "Deep = ( run = ( %s1%s println ) )\n"
                 % ("(" * depth, ")" * depth))
    r = run_som([path])
    assert_clean(r)
    assert r.returncode == 1
    assert r.stderr.startswith("%s:1:" % path)
    assert "nested too deeply" in r.stderr


def test_long_lines_and_moderate_nesting(tmp_path):
    path = write(tmp_path, "Long", "Long = ( run = ( (%s) println. %s1%s println ) )\n"
                 % (" + ".join(["1"] * 20000), "(" * 2000, ")" * 2000))
    r = run_som([path])
    assert_clean(r)
    assert r.returncode == 0 and r.stdout == "20000\n1\n"


def test_primitive_on_a_receiver_of_another_class(tmp_path, mode):
    path = write(tmp_path, "Refl", "Refl = ( run = (\n  ((Array methods detect: [:m | m "
                 "signature = #at:]) invokeOn: 'abc' with: (Array new: 1 withAll: 1)) "
                 "println ) )\n")
    r = run_som([path], mode)
    assert_clean(r)
    assert r.returncode == 1
    assert "ERROR: Primitive Array>>#at: invoked on an instance of String" in r.stderr
    assert "Refl>>#run (Refl.som:2)" in r.stderr


def test_every_primitive_with_bad_arguments(tmp_path):
    """prim_sweep.py calls each primitive of the VM on receivers of its own class and of other
    classes (through invokeOn:with:), with arguments of every kind; each call must give a
    value or a SOM error."""
    env = dict(os.environ, METATRACE="off", PYTHONPATH=REPO)
    p = subprocess.run([sys.executable, os.path.join(HERE, "prim_sweep.py"), str(tmp_path)],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    report = json.loads(p.stdout)
    assert report["calls"] > 10000
    assert report["failures"] == []
