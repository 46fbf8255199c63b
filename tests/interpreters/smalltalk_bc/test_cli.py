"""The command line: SOM's conventions, printing, exit codes, errors."""

from __future__ import annotations

import os
import textwrap

from .conftest import run_som


def write(tmp_path, name: str, source: str) -> str:
    path = os.path.join(str(tmp_path), name + ".som")
    with open(path, "w") as f:
        f.write(textwrap.dedent(source))
    return path


def test_help() -> None:
    r = run_som(["--help"])
    assert r.returncode == 0
    assert "-cp" in r.stdout and "--no-jit" in r.stdout and "run:" in r.stdout


def test_hello_and_printing(tmp_path, mode: str) -> None:
    path = write(tmp_path, "Hello", """\
        Hello = (
            run = (
                'Hello, world' println.
                42 println. -7 print. ' ' print. (1 << 70) println.
                0.1 println. 1.0e100 println. (1 // 3) println. (1.0 // 0.0) println.
                #sym println. #at:put: println. 'str' asSymbol println.
                nil println. true println. false println.
                Object new println. Object println. Object class println.
                (self @@ 4) println.
                system printString: 'no newline'. system printNewline.
                (Pair withKey: 1 andValue: #one) println.
                (Vector with: 1) println
            )
            @@ other = ( ^'at-at' )
        )""")
    r = run_som([path], mode)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "Hello, world", "42", "-7 1180591620717411303424", "0.1", "1.0e100",
        "0.3333333333333333", "inf", "#sym", "#at:put:", "#str", "nil", "true", "false",
        "instance of Object", "Object", "Object class", "at-at", "no newline", "[1=>#one]",
        "((1))"]


def test_run_with_arguments_and_exit_code(tmp_path, mode: str) -> None:
    path = write(tmp_path, "Args", """\
        Args = (
            run: args = (
                args length println.
                (args at: 1) println.
                (args at: 2) println.
                system exit: (args at: 3) asInteger
            )
        )""")
    r = run_som([path, "hello", "3"], mode)
    assert r.stdout.splitlines() == ["3", "Args", "hello"]
    assert r.returncode == 3


def test_class_name_on_classpath(tmp_path) -> None:
    write(tmp_path, "OnPath", "OnPath = ( run = ( 'found' println ) )")
    r = run_som(["-cp", str(tmp_path), "OnPath"])
    assert r.returncode == 0 and r.stdout == "found\n"


def test_runtime_error_reports_and_exits_1(tmp_path, mode: str) -> None:
    path = write(tmp_path, "Boom", """\
        Boom = (
            run = ( self helper )
            helper = ( ^#(1 2) at: 5 )
        )""")
    r = run_som([path], mode)
    assert r.returncode == 1
    assert "Index 5 not valid for array of length 2" in r.stderr
    assert "Boom>>#helper" in r.stderr and "Boom.som:3" in r.stderr


def test_dnu_default_prints_error(tmp_path) -> None:
    path = write(tmp_path, "Dnu", "Dnu = ( run = ( 3 frobnicate ) )")
    r = run_som([path])
    assert r.returncode == 1
    assert "ERROR: Method frobnicate not found in class Integer" in r.stdout


def test_compile_error_is_reported_with_position(tmp_path) -> None:
    path = write(tmp_path, "Bad", "Bad = (\n  run = ( ^ )\n)")
    r = run_som([path])
    assert r.returncode == 1
    assert r.stderr.startswith(path + ":2:13: ")


def test_escaped_block_default(tmp_path) -> None:
    path = write(tmp_path, "Esc", "Esc = ( f = ( ^[ ^1 ] ) run = ( self f value ) )")
    r = run_som([path])
    assert r.returncode == 1
    assert "Block has escaped and cannot be executed" in r.stdout


def test_deep_recursion(tmp_path, mode: str) -> None:
    path = write(tmp_path, "Deep", """\
        Deep = (
            down: n = ( n = 0 ifTrue: [ ^0 ]. ^1 + (self down: n - 1) )
            run = ( (self down: 20000) println )
        )""")
    r = run_som([path], mode)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "20000\n"


def test_disassemble(tmp_path) -> None:
    path = write(tmp_path, "DisMe", "DisMe = ( run = ( ^3 + 4 ) )")
    r = run_som(["--dis", path])
    assert r.returncode == 0
    assert "DisMe>>#run" in r.stdout and "ADD" in r.stdout
