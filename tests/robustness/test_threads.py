"""A JIT'd interpreter run from several threads at once gives the answers it gives with the JIT
off, while loops and bridges are traced and compiled concurrently with other threads running
the same (or other) green keys.  Tracing and compiling happen in one thread at a time; a thread
that finds the JIT busy goes on interpreting instead of waiting."""

import threading
import traceback

import pytest

from metatrace.tracer import warmstate

from . import OFF, ON

REPEATS = 4


def programs(mod, tid):
    """What thread ``tid`` runs: loops shared by all threads (the same code tuples: the same
    green keys), loops of its own, a loop sending to a method it redefines, and recursion."""
    klass = mod.Klass("K%d" % tid)
    versions = tuple(mod.method_version(v) for v in range(3))
    klass.define("m", versions[0])
    shared = [mod.counting_loop(3), mod.counting_loop(5, every=7), mod.nested_loops(2)]
    own = [mod.counting_loop(100 + tid, every=3 + tid), mod.nested_loops(50 + tid)]
    progs = [(p, [300 + 13 * i]) for i, p in enumerate(shared + own)]
    progs.append((mod.sender(klass, "m", versions, 11), [200]))
    progs.append((mod.RECURSIVE_SUM, [40]))
    return progs


def run_sequence(mod, tid):
    progs = programs(mod, tid)
    return [mod.execute(p, list(a)) for _ in range(REPEATS) for p, a in progs]


def run_threads(nthreads, target):
    """Run ``target(tid)`` in ``nthreads`` threads started together; returns results by tid and
    the tracebacks of any thread that raised."""
    results, errors = {}, []
    barrier = threading.Barrier(nthreads)

    def worker(tid):
        try:
            barrier.wait()
            results[tid] = target(tid)
        except BaseException:
            errors.append(traceback.format_exc())

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)  # only a deadlock would take this long
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock in the JIT?)"
    return results, errors


@pytest.fixture
def trace_overlap(monkeypatch):
    """Counts traces recorded while another trace (in any thread) was being recorded."""
    active, seen = [], {"overlaps": 0, "traces": 0}
    orig = warmstate.WarmState._trace

    def _trace(self, mi, *args):
        seen["traces"] += 1
        if active:
            seen["overlaps"] += 1
        active.append(mi)
        try:
            return orig(self, mi, *args)
        finally:
            active.remove(mi)

    monkeypatch.setattr(warmstate.WarmState, "_trace", _trace)
    return seen


@pytest.mark.parametrize("nthreads", [2, 4])
@pytest.mark.parametrize("threshold", [2, 7])
def test_threads_get_the_answers_of_the_jit_off(drv, fast_switching, trace_overlap, nthreads, threshold):
    drv.set_param("threshold", threshold)
    drv.set_param("trace_eagerness", 2)
    expected = {tid: run_sequence(OFF, tid) for tid in range(nthreads)}
    results, errors = run_threads(nthreads, lambda tid: run_sequence(ON, tid))
    assert errors == []
    for tid in range(nthreads):
        assert results[tid] == expected[tid], "thread %d" % tid
    st = drv.stats()
    # the JIT did its work while the threads ran: loops, bridges, invalidations, compiled entries
    assert st["loops"] >= 5
    assert st["bridges"] >= 1
    assert st["invalidations"] >= 1
    assert st["loop_entries"] > 0
    assert st["internal_errors"] == 0
    # ... one trace at a time
    assert trace_overlap["traces"] >= 5
    assert trace_overlap["overlaps"] == 0
    assert st["tier1"] + st["tier2"] == st["live_trees"]


def test_stats_can_be_read_from_another_thread_while_compiling(drv, fast_switching):
    drv.set_param("threshold", 2)
    drv.set_param("trace_eagerness", 2)
    stop, problems = [], []

    def monitor():
        try:
            while not stop:
                drv.stats()
        except BaseException:
            problems.append(traceback.format_exc())

    mon = threading.Thread(target=monitor)
    mon.start()
    try:
        results, errors = run_threads(2, lambda tid: [ON.execute(ON.counting_loop(1000 * tid + k), [30])
                                                     for k in range(150)])
    finally:
        stop.append(True)
        mon.join()
    assert errors == [] and problems == []
    for tid in range(2):
        assert results[tid] == [OFF.execute(OFF.counting_loop(1000 * tid + k), [30]) for k in range(150)]
    # the JIT compiled while being watched (how many depends on how often the two threads found
    # the JIT busy, i.e. on scheduling: a loaded machine postpones more traces)
    assert drv.stats()["loops"] >= 10


def test_a_thread_that_finds_the_jit_busy_goes_on_interpreting(drv):
    """While another thread holds the JIT (here: this test's main thread), a hot loop runs
    interpreted to the right answer and nothing is compiled; once free, it gets compiled."""
    drv.set_param("threshold", 2)
    code, args = ON.counting_loop(9, every=5), [500]
    want = OFF.execute(OFF.counting_loop(9, every=5), list(args))
    holder_ready, release = threading.Event(), threading.Event()

    def holder():
        with warmstate._jit_lock:
            holder_ready.set()
            release.wait(300)

    h = threading.Thread(target=holder)
    h.start()
    assert holder_ready.wait(300)
    try:
        results, errors = run_threads(1, lambda tid: ON.execute(code, list(args)))
    finally:
        release.set()
        h.join()
    assert errors == [] and results[0] == want
    st = drv.stats()
    assert st["loops"] == 0 and st["traces_started"] == 0
    assert st["traces_postponed"] > 10
    assert ON.execute(code, list(args)) == want
    assert drv.stats()["loops"] >= 1


def test_stacklang_programs_in_threads(fast_switching):
    """The tutorial interpreter: each thread runs the bundled programs; output as with the JIT
    off (the stacklang driver is shared by all threads)."""
    import os

    from examples.stacklang import interp, parse
    from metatrace.testing import load_module

    here = os.path.dirname(interp.__file__)
    off = load_module(interp.__file__, "examples.stacklang._interp_off", jit=False)
    texts = {}
    for name in ("loops", "fib", "sieve", "exceptions"):
        with open(os.path.join(here, "programs", name + ".sl")) as f:
            texts[name] = f.read()

    def run_all(mod):
        out = []
        for name, text in sorted(texts.items()):
            printed = []
            try:
                result = mod.run_program(parse.parse(text, name), printed)
            except mod.Thrown as e:
                result = ("thrown", e.value)
            out.append((name, result, printed))
        return out

    want = run_all(off)
    drv = interp.run.jitdriver
    before = drv.stats()["loops"]
    results, errors = run_threads(2, lambda tid: run_all(interp))
    assert errors == []
    assert results[0] == want and results[1] == want
    assert drv.stats()["loops"] > before or drv.stats()["live_trees"] > 0


@pytest.mark.slow
def test_threads_soak(drv, fast_switching, trace_overlap):
    drv.set_param("threshold", 2)
    drv.set_param("trace_eagerness", 2)
    drv.set_param("loop_longevity", 8)  # trees are freed while other threads run them

    def many(mod, tid):
        out = run_sequence(mod, tid)
        for k in range(200):
            out.append(mod.execute(mod.counting_loop(k % 40 + 1000 * tid, every=5), [60]))
        return out

    expected = {tid: many(OFF, tid) for tid in range(4)}
    results, errors = run_threads(4, lambda tid: many(ON, tid))
    assert errors == []
    for tid in range(4):
        assert results[tid] == expected[tid], "thread %d" % tid
    st = drv.stats()
    assert st["freed_loops"] > 0 and st["bridges"] > 0
    assert trace_overlap["overlaps"] == 0
