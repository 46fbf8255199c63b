"""The Brainfuck example (examples/brainfuck): the bundled programs print the same with the JIT off
(a METATRACE=off copy of the interpreter) and on at tiny thresholds, the JIT really compiled the
programs' loops, and the parser's and the CLI's errors name file:line:col without a traceback."""

import os
import subprocess
import sys

import pytest

from examples.brainfuck.parse import ADD, HALT, JNZ, JZ, MOVE, OUT, ParseError, parse
from metatrace.testing import load_module, op_counts, reset

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BF = os.path.join(REPO, "examples", "brainfuck")
INTERP = os.path.join(BF, "interp.py")

plain = load_module(INTERP, "examples.brainfuck.interp_plain", jit=False)
jitted = load_module(INTERP, "examples.brainfuck.interp_jitted", jit=True)


def program_path(name):
    return os.path.join(BF, "programs", name + ".b")


def load(name):
    path = program_path(name)
    with open(path) as f:
        return parse(f.read(), path)


def run_jitted(program, inp=b"", threshold=3, eagerness=2, backend="python"):
    drv = jitted.run.jitdriver
    reset(jitted.run)
    drv.set_param("backend", backend)
    drv.set_param("threshold", threshold)
    drv.set_param("trace_eagerness", eagerness)
    out = jitted.run_program(program, inp)
    return out, drv.stats()


COUNT_SMALL = b"".join(b"%06d\n" % (20 * i) for i in range(1, 4))
EXPECTED = {
    "hello": (b"", b"Hello, world!\n"),
    "wrap": (b"", b"\xff\x00\x01\x04"),
    "reverse": (b"metatrace", b"ecartatem"),
    "count_small": (b"", COUNT_SMALL),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bundled_programs_same_output_jit_off_and_on(name):
    inp, expected = EXPECTED[name]
    program = load(name)
    assert plain.run_program(program, inp) == expected
    for threshold, eagerness in [(2, 1), (3, 2), (7, 3)]:
        out, _stats = run_jitted(program, inp, threshold, eagerness)
        assert out == expected, (threshold, eagerness)


def test_jit_compiles_the_nested_loops():
    out, stats = run_jitted(load("count_small"), threshold=3, eagerness=2)
    assert out == COUNT_SMALL
    assert stats["loops"] >= 3  # the digit test's move loops and the counting loops
    assert stats["bridges"] >= 1  # the carry: a path out of the inner loops taken often
    assert stats["compile_failures"] == 0 and stats["internal_errors"] == 0, stats
    # trace shape: the program is a green of immutable tuples, so the dispatch folds away (no
    # reads of program.ops/args, no calls); what is left is the tape's reads and writes, the
    # pointer arithmetic and its bounds checks, and the guards on the cells
    counts = op_counts(jitted.run, "loop")
    assert not [n for n in counts if n.startswith(("getattr", "call", "guard_value"))], counts
    assert counts["setitem"] == counts["int_and"]  # each '+'/'-' run: one write, one mask
    assert counts["getitem"] >= counts["setitem"]


def test_default_backend_same_output():
    # backend=auto, as a user runs it: whichever tier the loops run in, the output is the same
    out, stats = run_jitted(load("count_small"), threshold=3, eagerness=2, backend="auto")
    assert out == COUNT_SMALL
    assert stats["loops"] >= 1


INLINE = [
    ("+[--->+<]>.", b""),  # 1 - 3k wraps past 0 twice before it is 0: k = 171
    ("++++[>++++[>++++<-]<-]>>+.", b""),  # 4*4*4 + 1 = 'A'
    (",[.,]", b"echo"),  # echo until the end of the input (',' stores 0 there)
    (",[+.,]", b"ab"),  # each input byte plus one
    ("+++[>+++[>+++[>+<-]<-]<-]>>>.", b""),  # three deep: 27
    ("-[>+<-]>.", b""),  # 255 iterations of one small loop
]


@pytest.mark.parametrize("text,inp", INLINE)
def test_inline_programs_same_output(text, inp):
    program = parse(text, "<inline>")
    expected = plain.run_program(program, inp)
    out, _stats = run_jitted(program, inp, threshold=2, eagerness=1)
    assert out == expected


def test_parse_folds_runs_and_precomputes_jumps():
    p = parse("+++-- >>>< [-] .", "<t>")
    assert p.ops == (ADD, MOVE, JZ, ADD, JNZ, OUT, HALT)
    assert p.args[:2] == (1, 2)
    assert p.args[2] == 5 and p.args[4] == 3  # past the ']', back to the body
    assert p.args[3] == 255  # '-' is +255 mod 256
    assert parse("+-<>", "<t>").ops == (HALT,)  # runs that cancel out vanish
    assert p.where[2] == (1, 12)


@pytest.mark.parametrize("name,line,col,what", [
    ("unmatched_open", 3, 3, "unmatched '['"),
    ("unmatched_close", 2, 9, "unmatched ']'"),
])
def test_parse_errors_name_file_line_col(name, line, col, what):
    path = program_path(name)
    with pytest.raises(ParseError) as info:
        load(name)
    assert (info.value.line, info.value.col) == (line, col)
    assert str(info.value).startswith("%s:%d:%d: %s" % (path, line, col, what))


def test_parse_error_inline_positions():
    with pytest.raises(ParseError, match=r"^x\.b:2:2: unmatched '\['"):
        parse("[]\n+[[-]\n", "x.b")  # the innermost unclosed bracket is reported
    with pytest.raises(ParseError, match=r"^x\.b:1:4: unmatched '\]'"):
        parse("[-]]", "x.b")


def cli(*args, inp=None):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""),
               METATRACE_CACHE="off")
    return subprocess.run([sys.executable, "-m", "examples.brainfuck"] + list(args), cwd=REPO,
                          capture_output=True, env=env, input=inp, timeout=60)


def test_cli_runs_a_program_and_reports_timing():
    proc = cli("hello", "--repeat", "2")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"Hello, world!\n" * 2
    err = proc.stderr.decode()
    assert "run 1: 14 bytes of output in " in err and "run 2: " in err


def test_cli_input_options():
    assert cli("reverse", "--input", "abc").stdout == b"cba"
    assert cli("reverse", "--input-file", "-", inp=b"xyz").stdout == b"zyx"


def test_cli_parse_error_is_one_line_no_traceback():
    proc = cli(program_path("unmatched_open"))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err == "%s:3:3: unmatched '[': no ']' closes it before the end of the file; add a ']' " \
                  "or remove it\n" % program_path("unmatched_open")


def test_cli_tape_error_is_one_line_no_traceback():
    proc = cli("hello", "--tape-size", "3")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "Traceback" not in err
    assert "hello.b:4:" in err and "past the last cell (2)" in err
