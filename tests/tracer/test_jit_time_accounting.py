"""The summary's "time in the JIT itself" counts the JIT's own work: tracing_s leaves out the
calls the tracer makes for real, and blackhole_s the calls the blackhole interpreter makes
(they are the program running; nested blackholing in them is counted once, where it
happens).  Before, a blackholed iteration that called into the program counted all of it:
SOM Havlak reported 21 s of blackholing in a 2.7 s run."""

import time

import metatrace
from metatrace import jit_merge_point
from metatrace.testing import reset

PAUSE = 0.05


def slow(x):
    time.sleep(PAUSE)
    return x + 1


@metatrace.jit(greens=["pc"], reds=["i", "n", "acc"], name="accounting_test")
def run(n):
    pc = 0
    i = 0
    acc = 0
    while True:
        jit_merge_point(pc=pc, i=i, n=n, acc=acc)
        if i >= n:
            return acc
        if i < 8 or i % 50 == 49:
            # the traced iteration calls it; later a failing guard leads here, blackholed
            acc = slow(acc)
        else:
            acc += i
        i += 1


def test_program_time_is_not_jit_time():
    drv = run.jitdriver
    reset(run)
    drv.set_param("threshold", 3)
    drv.set_param("trace_eagerness", 1000)
    drv.set_param("backend", "python")
    t0 = time.perf_counter()
    got = run(200)
    assert got == run.__wrapped__(200)  # 12 slow calls in each
    st = drv.stats()
    assert st["loops"] >= 1 and st["blackholes"] >= 3, st
    # each blackholed iteration slept PAUSE in a call: none of it is the blackhole's
    assert st["blackhole_s"] < PAUSE, st["blackhole_s"]
    assert st["tracing_s"] < PAUSE, st["tracing_s"]
    assert time.perf_counter() - t0 >= 20 * PAUSE  # the sleeps did happen


def test_each_trace_in_the_log_has_its_tracing_time(tmp_path):
    import json

    drv = run.jitdriver
    reset(run)
    drv.set_param("threshold", 3)
    drv.set_param("trace_eagerness", 2)
    drv.set_param("backend", "python")
    path = str(tmp_path / "log.json")
    with metatrace.log_to(path):
        assert run(120) == run.__wrapped__(120)
    with open(path) as f:
        log = json.load(f)
    times = [t["times"]["tracing_s"] for t in log["traces"] if t["driver"] == "accounting_test"]
    assert times and all(0 <= s < PAUSE for s in times), times  # the sleeps are not in it
    assert max(times) <= drv.stats()["tracing_s"] + 1e-6
