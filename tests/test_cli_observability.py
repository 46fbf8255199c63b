"""Seeing why the JIT did what it did (issue #15): the text dump (METATRACE_LOG=- and
`metatrace trace`), one line per JIT event (METATRACE_VERBOSE), --version and the subcommands'
program names, warnings for accepted-but-ignored parameters, and the README demo."""

import importlib.metadata
import io
import os
import re
import subprocess
import sys

import pytest

import metatrace
from metatrace import events, hooks, params
from metatrace.cli import main as cli_main
from metatrace.summary import short_summary
from metatrace.testing import reset
from metatrace.viewer import load_log
from metatrace.viewer.model import Log
from metatrace.viewer.text import log_text, one_line

from .tracer import interps
from .tracer.interps import tiny

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NASTY = "x\nfake line\r\x1b[2J\tq\u2028r\u202es\x85t"  # newline, CR, ESC, tab, LS, RLO, NEL
# the weird op is a no-op instruction of `tiny` whose printable location is "0: " + NASTY, where
# the loop starts
NASTY_LOOP = ((NASTY, 0), ("add", 3), ("flip", (500, 0)), ("dec", 0), ("jnz", 0), ("ret", 0))


def _env(**extra):
    env = dict(os.environ)
    for k in ("METATRACE", "METATRACE_PARAMS", "METATRACE_LOG", "METATRACE_SUMMARY",
              "METATRACE_VERBOSE"):
        env.pop(k, None)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _run(args, **env):
    return subprocess.run([sys.executable] + args, cwd=ROOT, env=_env(**env),
                          capture_output=True, text=True, timeout=300)


def _single_lines(text):
    """Every line is one printable line: nothing from the program split or rewrote it."""
    for line in text.split("\n"):
        assert line.isprintable(), repr(line)
    assert "\x1b" not in text and "\u2028" not in text and "\r" not in text


@pytest.fixture(autouse=True)
def fresh():
    reset(tiny)
    for name, value in params.defaults().items():  # whatever an earlier test file left set
        tiny.jitdriver.set_param(name, value)
    tiny.jitdriver.set_param("threshold", 5)
    tiny.jitdriver.set_param("trace_eagerness", 3)
    yield
    reset(tiny)
    events.disable_verbose()
    for name in ("on_abort", "on_compile", "on_compile_bridge", "on_invalidate",
                 "on_trace_start", "on_tier2"):
        setattr(hooks, name, None)
    tiny.jitdriver.set_param("trace_limit", 6000)


# -- the text renderer -------------------------------------------------------------------------

def test_one_line_escapes_everything_that_breaks_a_line():
    out = one_line(NASTY)
    assert out == "x\\nfake line\\r\\x1b[2J\\tq\\u2028r\\u202es\\x85t"
    assert out.isprintable() and len(out.splitlines()) == 1
    assert one_line("C:\\dir\\file.py") == "C:\\dir\\file.py"  # backslashes stay as they are
    assert one_line("main:10 load 2") == "main:10 load 2"
    assert one_line(42) == "42"


def _doc_with_nasty_strings():
    src = {"file": "/x/in\nterp.py", "line": 7, "function": "f\x1bn"}
    return {
        "format": "metatrace-trace", "version": 1, "drivers": [],
        "traces": [{
            "id": 1, "kind": "loop", "driver": "d", "location": NASTY, "inputargs": [{"name": "r0"}],
            "tier": "python", "entries": 3, "end": "jump", "target_location": NASTY,
            "ops": [
                {"op": "debug_merge_point", "args": [], "res": None, "descr": "at\n" + NASTY},
                {"op": "getfield", "args": ["r0"], "res": "r1",
                 "text": "r1 = getfield(r0, descr=a\nb)", "source": src},
                {"op": "guard_true", "args": ["r1"], "res": None, "text": "guard_true(r1) [r0]",
                 "source": src, "guard": {"id": 2, "failures": 5, "bridge": None}},
                {"op": "jump", "args": ["r0"], "res": None, "text": "jump(r0)"},
            ],
            "unoptimized_ops": [{"op": "debug_merge_point", "text": "debug_merge_point(descr='q')"},
                                {"op": "getfield", "text": "r1 = getfield(r0, descr=a)", "source": src}],
        }],
        "aborts": [{"reason": "too\nlong", "detail": "line one\u2028two\nthree", "location": NASTY,
                    "kind": "loop", "ops": 3, "source": src}],
        "invalidations": [{"reason": "C.f\rwritten", "tree": 1, "traces": [1], "location": NASTY}],
        "stats": {},
    }


def test_log_text_escapes_what_the_program_and_the_log_say():
    for stage in ("optimized", "unoptimized", "both"):
        for source in (True, False):
            text = log_text(Log(_doc_with_nasty_strings()), stage=stage, source=source)
            _single_lines(text)
    text = log_text(Log(_doc_with_nasty_strings()))
    assert "loop 1 at 1" not in text and "loop 1 at x\\nfake line" in text
    assert "  at\\nx\\nfake line" in text  # the group heading of the merge point
    assert "in\\nterp.py:7" in text and "# failed 5" in text
    assert "too\\nlong: line one in f\\x1bn (in\\nterp.py:7)" in text and "three" not in text  # first line only
    assert "C.f\\rwritten" in text


def test_stages_and_source_column():
    log = Log(_doc_with_nasty_strings())
    opt = log_text(log, 1)
    assert "1 ops" not in opt and "4 ops" in opt and "terp.py:7" in opt
    unopt = log_text(log, 1, stage="unoptimized")
    assert "2 ops as recorded, before optimization" in unopt and "guard_true" not in unopt
    both = log_text(log, 1, stage="both")
    assert both.index("== as recorded: 2 ops") < both.index("== optimized: 4 ops")
    assert both.count("loop 1 at") == 1 and "guard_true" in both
    assert "terp.py" not in log_text(log, 1, source=False)
    with pytest.raises(KeyError, match="no trace 5"):
        log_text(log, 5)


def test_log_to_dash_prints_the_text_of_a_real_run(capsys):
    with metatrace.log_to("-"):
        interps.run_jit(NASTY_LOOP, 2000)
    err = capsys.readouterr().err
    assert err.startswith("metatrace JIT log (optimized ops): ")
    _single_lines(err.rstrip("\n"))
    assert re.search(r"^loop \d+ at ", err, re.M) and re.search(r"^bridge \d+ at ", err, re.M)
    assert "  0: " + one_line(NASTY) in err.splitlines()  # the weird instruction's heading
    assert re.search(r"^loop \d+ at 0: x\\nfake line\\r\\x1b", err, re.M)
    assert "interps.py:" in err and "-> bridge" in err and "# failed" in err
    with metatrace.log_to("-:both:nosource"):
        interps.run_jit(NASTY_LOOP, 2000)
    err = capsys.readouterr().err
    assert "== as recorded:" in err and "== optimized:" in err and "interps.py:" not in err
    with pytest.raises(ValueError, match="unknown option 'sideways'"):
        metatrace.log_to("-:sideways")


def test_env_dash_and_metatrace_trace_print_the_same_text(tmp_path):
    """One process writes the JSON log and the text dump at exit; `metatrace trace` of the JSON
    prints what METATRACE_LOG=- printed."""
    path = str(tmp_path / "loops.json")
    run = _run(["-m", "examples.stacklang", "loops", "--jit-log", path], METATRACE_LOG="-")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "2011522500"
    dump = run.stderr[run.stderr.index("metatrace JIT log (optimized ops):"):]
    shown = _run(["-m", "metatrace", "trace", path])
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("metatrace trace log %s (optimized ops): " % path)
    assert shown.stdout.splitlines()[1:] == dump.splitlines()[1:]
    assert "main:12 lt" in shown.stdout and "interp.py:68" in shown.stdout
    doc = load_log(path)
    bridge = next(t for t in doc["traces"] if t["kind"] == "bridge")
    one = _run(["-m", "metatrace", "trace", path, "--trace", str(bridge["id"]), "--stage", "both",
                "--no-source"])
    assert one.returncode == 0 and one.stdout.startswith("bridge %d at " % bridge["id"])
    assert "== as recorded:" in one.stdout and "interp.py" not in one.stdout
    assert "loop " not in one.stdout.splitlines()[1]
    bad = _run(["-m", "metatrace", "trace", path, "--trace", "99999"])
    assert bad.returncode == 2 and "no trace 99999" in bad.stderr and not bad.stdout
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "metatrace-trace", ')
    bad = _run(["-m", "metatrace", "trace", str(broken)])
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_bad_text_options_in_the_environment_stop_plainly():
    r = _run(["-c", "import metatrace"], METATRACE_LOG="-:sideways")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().startswith("metatrace: METATRACE_LOG: unknown option 'sideways'")


# -- METATRACE_VERBOSE ---------------------------------------------------------------------------

def test_verbose_lines_for_loops_bridges_and_aborts():
    out = io.StringIO()
    events.enable_verbose(out)
    interps.run_jit(NASTY_LOOP, 2000)
    lines = out.getvalue().splitlines()
    _single_lines(out.getvalue().rstrip("\n"))
    assert lines and all(line.startswith("[metatrace] ") for line in lines)
    start = "[metatrace] tracing loop at `0: %s`" % one_line(NASTY)
    assert any(line == start or line == start + " [tiny]" for line in lines)  # [driver] if several
    compiled = [line for line in lines if re.search(r"loop \d+ compiled at ", line)]
    assert compiled and re.search(r": \d+ ops \(\d+ recorded\), \d+ guards, [\d.]+ ms", compiled[0])
    assert any(re.search(r"guard \d+ \(guard_\w+\) of loop \d+ failed \d+ times at `.*`"
                         r" \(tiny, interps.py:\d+\): tracing a bridge", line) for line in lines)
    assert any(re.search(r"bridge \d+ from guard \d+ of loop \d+ compiled at ", line) for line in lines)
    out.truncate(0)
    out.seek(0)
    reset(tiny)
    tiny.jitdriver.set_param("threshold", 5)
    tiny.jitdriver.set_param("trace_limit", 10)
    interps.run_jit(interps.LOOP, 500)
    assert re.search(r"aborted loop trace at `\d+: \w+` after \d+ ops: too_long: .*trace_limit=10"
                     r".* \(tiny, interps.py:\d+\)", out.getvalue())
    events.disable_verbose()
    assert not hooks._listeners


def test_verbose_invalidation():
    from .viewer import qi_interp

    out = io.StringIO()
    events.enable_verbose(out)
    try:
        qi_interp.run()
    finally:
        events.disable_verbose()
    assert re.search(r"invalidated loop \d+ at `\d+: \w+`: Config.version written", out.getvalue())


def test_new_hooks_fire_with_their_info():
    starts = []
    hooks.on_trace_start = starts.append
    interps.run_jit(interps.FLIP, 1000)
    loops = [s for s in starts if s["kind"] == "loop"]
    bridges = [s for s in starts if s["kind"] == "bridge"]
    assert loops and loops[0]["location"].startswith("0: ") and loops[0]["driver"] == "tiny"
    b = bridges[0]
    assert b["guard_op"].startswith("guard_") and b["failures"] >= 3 and b["trace_kind"] == "loop"
    assert isinstance(b["guard"], int) and isinstance(b["trace"], int)
    assert b["source"]["file"].endswith("interps.py")


class _Untouchable:
    """A warm state whose every attribute fails: the event must not look at it."""

    def __getattr__(self, name):
        raise AssertionError("built an event nobody listens to (%s)" % name)


def test_events_cost_nothing_when_nobody_listens(monkeypatch, capsys):
    assert not hooks._listeners and hooks.on_trace_start is None and hooks.on_tier2 is None
    events.trace_started(_Untouchable(), ("k",), None)
    events.trace_started(_Untouchable(), ("k",), (None, _Untouchable()))
    events.tier_changed(_Untouchable())
    fired = []
    real = hooks.fire
    monkeypatch.setattr(hooks, "fire", lambda name, info: (fired.append(name), real(name, info)))
    tiny.jitdriver.set_param("trace_eagerness", 10 ** 9)  # no bridges: every failure resumes
    interps.run_jit(interps.FLIP, 3000)
    stats = metatrace.stats(tiny.jitdriver)
    # guard failures do not fire anything; only traces starting, compiles and aborts do
    assert stats["guard_failures"] > 10 * len(fired)
    assert len(fired) <= 2 * (stats["traces_started"] + stats["bridge_traces_started"])
    assert capsys.readouterr().err == ""


def test_verbose_from_the_environment_with_tier2():
    pytest.importorskip("numba")
    r = _run(["-m", "examples.stacklang", "loops"], METATRACE_VERBOSE="1",
             METATRACE_PARAMS="backend=numba")
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("[metatrace] ")]
    assert lines[0] == "[metatrace] tracing loop at `main:10 load 2`"
    assert any(re.match(r"\[metatrace\] tier 2: loop \d+ at `main:10 load 2` switched to a Numba "
                        r"kernel", line) for line in lines)
    quiet = _run(["-m", "examples.stacklang", "loops"])
    assert "[metatrace]" not in quiet.stderr


# -- --version and program names -------------------------------------------------------------------

def test_version_from_package_metadata():
    want = "metatrace %s" % importlib.metadata.version("metatrace")
    for args in (["-m", "metatrace", "--version"], ["-m", "metatrace", "-V"]):
        r = _run(args)
        assert r.returncode == 0 and r.stdout.strip() == want, r.stderr


@pytest.mark.parametrize("cmd", ["view", "summary", "trace", "io", "st", "demo", "params", "bench"])
def test_every_subcommand_names_itself_in_its_help(cmd, capsys):
    try:
        rc = cli_main([cmd, "--help"])
    except SystemExit as e:
        rc = e.code
    assert rc in (0, None)
    out = capsys.readouterr().out
    assert out.startswith("usage: metatrace %s" % cmd), out[:200]
    assert "python -m" not in out.split("\n\n")[0]


def test_smalltalk_module_help_says_metatrace_st():
    r = _run(["-m", "interpreters.smalltalk_bc", "--help"])
    assert r.returncode == 0 and r.stdout.startswith("usage: metatrace st ")


# -- parameters and arguments accepted but ignored -------------------------------------------------

@pytest.fixture
def no_warnings_yet(monkeypatch):
    monkeypatch.setattr(params, "_warned", set())


def test_ignored_parameters_warn_once_per_name(no_warnings_yet, capsys):
    d = metatrace.JitDriver(greens=["pc"])
    d.set_param("decay", 40)  # the default: nothing to say
    d.set_param("retrace_limit", 0)
    assert capsys.readouterr().err == ""
    d.set_param("decay", 5)
    d.set_param("decay", 6)
    metatrace.JitDriver(greens=["pc"]).set_param("decay", 7)
    err = capsys.readouterr().err
    assert err == ("metatrace: parameter 'decay' is accepted for RPython compatibility and has "
                   "no effect\n")
    params.parse_params("retrace_limit=3,threshold=50")  # METATRACE_PARAMS / --jit-param
    params.parse_params("retrace_limit=4")
    assert capsys.readouterr().err.count("parameter 'retrace_limit' is accepted") == 1
    d.set_param("threshold", 7)  # a parameter that works: no warning
    assert capsys.readouterr().err == ""


def test_ignored_jit_arguments(no_warnings_yet, capsys):
    metatrace.JitDriver(greens=["pc"], is_recursive=True, virtualizables=["frame"])
    assert capsys.readouterr().err == ""  # no effect needed / documented, see docs/hints.md
    metatrace.JitDriver(greens=["pc"], can_never_inline=lambda pc: True)
    metatrace.JitDriver(greens=["pc"], can_never_inline=lambda pc: False)
    assert capsys.readouterr().err == ("metatrace: jit() argument 'can_never_inline' is accepted "
                                       "for RPython compatibility and has no effect\n")


def _code_outside(names, skip):
    hits = []
    for base, _dirs, files in os.walk(os.path.join(ROOT, "metatrace")):
        for f in files:
            path = os.path.join(base, f)
            if not f.endswith(".py") or os.path.relpath(path, ROOT) in skip:
                continue
            with open(path) as fh:
                src = fh.read()
            hits += [(path, n) for n in names if re.search(n, src)]
    return hits


def test_the_ignored_ones_really_are_read_nowhere():
    """If one of these gets an effect, drop its warning (params.IGNORED_PARAMS, jitdriver.py)
    and its line in docs/hints.md."""
    assert set(params.IGNORED_PARAMS) == {"decay", "retrace_limit"}
    skip = {"metatrace/params.py", "metatrace/jitdriver.py"}
    assert _code_outside([r"[\"']decay[\"']", r"retrace_limit", r"\.can_never_inline\b",
                          r"\.is_recursive\b", r"\.virtualizables\b"], skip) == []


# -- the summary and the README demo ---------------------------------------------------------------

def test_short_summary_in_words():
    stats = {"loops": 3, "bridges": 2, "aborts": 4, "aborts_by_reason": {"too_long": 3, "escaped": 1},
             "loop_entries": 50, "guard_failures": 203, "invalidations": 1, "tier2": 1,
             "tracing_s": 0.5, "optimizing_s": 0.25, "compiling_s": 0.25, "blackhole_s": 0.0}
    lines = short_summary(stats)
    assert len(lines) == 3
    assert lines[0].startswith("JIT: compiled 3 loops and 2 bridges")
    assert "4 traces given up (too_long 3, escaped 1)" in lines[0]
    assert "1 tree thrown away" in lines[0] and "1 loop runs as a Numba kernel" in lines[0]
    assert "entered 50 times" in lines[1] and "guards failed 203 times" in lines[1]
    assert lines[2].startswith("time in the JIT itself: 1.000 s (recording 0.500")
    none = short_summary({"loops": 0, "bridges": 0, "aborts": 0}, threshold=1039)
    assert none[0].startswith("JIT: nothing was compiled") and "1039 iterations" in none[0]


def _readme():
    with open(os.path.join(ROOT, "README.md")) as f:
        return f.read()


def test_readme_demo_compares_jit_off_and_on():
    text = _readme()
    # CI takes the test command from here: it must stay exactly as it is
    assert "Run the tests:\n\n```sh\npip install -e '.[test]' && python -m pytest -q -n 2\n```" in text
    first = re.search(r"```sh\n(.*)\n```", text).group(1)
    assert first == "pip install -e . && python -m examples.stacklang loops --repeat 3 --jit-summary"
    args = first.split("&& python ", 1)[1].split()
    r = _run(args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["2011522500"] * 3
    err = r.stderr.splitlines()
    assert err[0].startswith("JIT off (the plain interpreter): result in ")
    assert [line.split(":")[0] for line in err[1:4]] == ["run 1", "run 2", "run 3"]
    assert re.match(r"JIT on: [\d.]+ s \(best of 3; the first run, [\d.]+ s, includes tracing and "
                    r"compiling\): [\d.]+x faster than JIT off \([\d.]+ s\)$", err[4]), err[4]
    assert err[5].startswith("JIT: compiled 1 loop and 1 bridge")
    assert err[6].startswith("compiled code was entered ") and "normal:" in err[6]
    assert err[7].startswith("time in the JIT itself: ") and "--jit-counters" in err[7]
    assert len(err) == 8  # and not the 20 raw counters
    full = _run(["-m", "examples.stacklang", "loops", "--jit-counters", "--jit-summary",
                 "--no-compare"])
    assert full.returncode == 0, full.stderr
    assert "JIT off" not in full.stderr and "traces_started" in full.stderr
    assert full.stderr.index("JIT: compiled") < full.stderr.index("metatrace JIT summary")


class _Tree:
    id = 7
    root = type("Root", (), {"location": "main:3 call f", "id": 6})()
    traces = [root]


def test_invalidations_without_a_field_write_reach_the_log_and_the_hook(tmp_path):
    seen = []
    hooks.on_invalidate = seen.append
    path = str(tmp_path / "t.json")
    with metatrace.log_to(path):
        events.tree_invalidated(_Tree(), "a function it calls is small enough to inline")
    doc = load_log(path)  # validates against the schema
    assert doc["invalidations"] == [{"reason": "a function it calls is small enough to inline",
                                     "tree": 7, "traces": [6], "location": "main:3 call f"}]
    assert seen == doc["invalidations"]


@pytest.mark.parametrize("rel", ["metatrace/events.py", "metatrace/viewer/text.py",
                                 "metatrace/viewer/model.py"])
def test_imported_by_the_hint_module_side_so_python39(rel):
    """metatrace/__init__ imports events; log.py uses the text renderer for METATRACE_LOG=-."""
    import ast

    with open(os.path.join(ROOT, rel)) as f:
        ast.parse(f.read(), rel, feature_version=(3, 9))
