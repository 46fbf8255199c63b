"""Regression tests for the defects reproduced in ../shared/repros (issue #17): each the reduced
case, answer checked against the JIT off AND that the JIT compiled what the case is about."""

import os
import subprocess
import sys

import pytest

from metatrace.testing import compiled_traces, load_module, op_counts, reset

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REPROS = os.path.join(os.path.dirname(ROOT), "shared", "repros")


def _portal(path, name):
    return (load_module(path, name + "_plain", jit=False), load_module(path, name + "_jit", jit=True))


def test_call_assembler_exception_does_not_rerun_the_callee():
    # wrong_output_20832: the guards after a call_assembler resumed the callee at its merge
    # point (its frame was still on the tracer's stack), so a callee that raised ran its body
    # a second time in the blackhole interpreter and printed its lines twice
    plain, jit = _portal(os.path.join(HERE, "callvm.py"), "tests.regressions.callvm")
    drv = jit.run.jitdriver
    reset(jit.run)
    for k, v in (("threshold", 1), ("trace_eagerness", 1), ("function_threshold", 2), ("backend", "python")):
        drv.set_param(k, v)
    out_plain, out_jit = [], []
    r_plain = plain.run(plain.program(), 0, 40, out_plain)
    r_jit = jit.run(jit.program(), 0, 40, out_jit)
    assert (r_jit, out_jit) == (r_plain, out_plain)
    st = drv.stats()
    assert st["loops"] >= 1 and st["guard_failures"] >= 1, st
    assert op_counts(jit.run).get("call_assembler", 0) >= 1  # the call went through call_assembler
    assert st["internal_errors"] == 0, st


def test_slice_in_a_carried_list_location():
    # slice_carry: a list slice in a loop whose list location is carried crashed the loop pass
    # (unhashable slice as a location key); the loop never compiled
    plain, jit = _portal(os.path.join(HERE, "carry_slice.py"), "tests.regressions.carry_slice")
    reset(jit.run)
    jit.run.jitdriver.set_param("threshold", 2)
    assert jit.run(jit.Frame()) == plain.run(plain.Frame()) == [2, 3]
    st = jit.run.jitdriver.stats()
    assert st["loops"] == 1 and st["internal_errors"] == 0 and st["compile_failures"] == 0, st


@pytest.mark.parametrize("opts", ["virtualize:sink:heap:dce:licm:unroll", "heap", "", "dce"])
def test_int_constant_guard_without_pure(opts):
    # const_guard: without 'pure' a guard_class on the int constant 57 was emitted as
    # '57.__class__' (a syntax error in the generated source)
    plain, jit = _portal(os.path.join(HERE, "constguard.py"), "tests.regressions.constguard")
    reset(jit.run)
    jit.run.jitdriver.set_param("threshold", 2)
    jit.run.jitdriver.set_param("enable_opts", opts)
    assert jit.run(jit.Code()) == plain.run(plain.Code()) == 57 * 101
    st = jit.run.jitdriver.stats()
    assert st["loops"] == 1 and st["compile_failures"] == 0, st


@pytest.mark.skipif(not os.path.isdir(REPROS), reason="../shared/repros is not beside the project")
@pytest.mark.parametrize("args", [["slice_carry.py"], ["const_guard.py"], ["setdisplay.py"],
                                  ["inject_check.py", "attr"], ["inject_check.py", "location"],
                                  [os.path.join("wrong_output_20832", "run.py")]])
def test_shared_reproduction_scripts(args):
    # the reproductions as they were filed: each must exit 0 and print no internal error
    r = subprocess.run([sys.executable, os.path.join(REPROS, args[0])] + args[1:], cwd=ROOT,
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PYTHONPATH=ROOT))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "internal" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert "raised" not in r.stdout and "same output: False" not in r.stdout, r.stdout


def test_bridge_tracer_stopping_before_the_guard_instruction_is_done(monkeypatch):
    # a bridge from a guard that failed after its instruction's effect ('done': a residual
    # call that appended, then raised) whose tracer stops before it has finished that
    # instruction must not run the instruction again (it appended twice)
    from metatrace.tracer.metainterp import MetaInterp

    plain, jit = _portal(os.path.join(HERE, "effectvm.py"), "tests.regressions.effectvm")
    orig = MetaInterp.handle_exception

    def failing(self, exc, box):
        if self.kind == "bridge" and not self.resumed:
            raise RuntimeError("simulated tracer bug in a bridge's first instruction")
        return orig(self, exc, box)

    monkeypatch.setattr(MetaInterp, "handle_exception", failing)
    drv = jit.run.jitdriver
    reset(jit.run)
    for k, v in (("threshold", 2), ("trace_eagerness", 1), ("backend", "python")):
        drv.set_param(k, v)
    out_plain, out_jit = [], []
    assert jit.run(30, out_jit) == plain.run(30, out_plain)
    assert out_jit == out_plain
    st = drv.stats()
    assert st["loops"] >= 1 and st["internal_errors"] >= 1, st  # the bridge tracer did stop


@pytest.mark.parametrize("order", [("int", "empty", "one", "int", "empty", "one"),
                                   ("int", "one", "empty", "int", "one", "empty"),
                                   ("empty", "int", "one", "empty")])
def test_bridge_of_guard_exception_checks_which_case_it_follows(order):
    # found by tests/fuzz (seed 400103, twice=1): a guard_exception exits both when another
    # exception is raised and when none is; a bridge traced for one of the two was entered for
    # the other (it resumed in the handler with the exception None: 'raise None', or went on
    # as if no exception had been raised)
    plain, jit = _portal(os.path.join(HERE, "excvm.py"), "tests.regressions.excvm")
    drv = jit.run.jitdriver
    reset(jit.run)
    for k, v in (("threshold", 2), ("trace_eagerness", 1), ("backend", "python")):
        drv.set_param(k, v)
    items = plain.phases(*[(kind, 6) for kind in order])
    out_plain, out_jit = [], []
    assert jit.run(items, out_jit) == plain.run(items, out_plain)
    assert out_jit == out_plain
    st = drv.stats()
    assert st["loops"] >= 1 and st["bridges"] >= 1, st
    assert any(op.name == "guard_exception" for t in compiled_traces(jit.run) for op in t.ops)
