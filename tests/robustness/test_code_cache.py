"""A process that compiles thousands of distinct loops keeps its code cache and its memory
bounded: trees unused for ``loop_longevity`` compilations are freed (and their keys can be
traced again), and the per-key counters do not keep one entry, with the program's objects in
its key, for every key ever seen."""

import gc
import tracemalloc

import pytest

from metatrace.tracer import warmstate

from . import OFF, ON

FREE_EVERY = 32  # WarmState frees old trees every this many compilations


def run_many(drv, ks, check_every=5):
    """Run one distinct loop per k (each its own code tuple, so its own green keys); returns
    the largest number of live trees seen."""
    most = 0
    for k in ks:
        code = ON.counting_loop(k) if k % 2 else ON.counting_loop(k, every=4)
        got = ON.execute(code, [40])
        if k % check_every == 0:
            want = OFF.execute(OFF.counting_loop(k) if k % 2 else OFF.counting_loop(k, every=4), [40])
            assert got == want, k
        most = max(most, len(drv.runtime.trees))
    return most


@pytest.fixture
def small_counters(monkeypatch, drv):
    monkeypatch.setattr(warmstate, "COUNTERS_KEPT", 300)
    drv.runtime.counters_cap = 300


def test_loop_longevity_bounds_the_live_trees(drv):
    drv.set_param("threshold", 2)
    drv.set_param("loop_longevity", 16)
    most = run_many(drv, range(150))
    st = drv.stats()
    assert st["loops"] >= 150
    assert st["freed_loops"] >= st["loops"] - (16 + FREE_EVERY + 8)
    assert most <= 16 + FREE_EVERY + 8
    assert st["live_trees"] == st["tier1"] + st["tier2"]


def test_counters_do_not_grow_with_every_key_seen(drv, small_counters):
    drv.set_param("threshold", 2)
    drv.set_param("loop_longevity", 16)
    first = ON.counting_loop(10 ** 6)
    ON.execute(first, [40])
    run_many(drv, range(150))
    ws = drv.runtime
    assert drv.stats()["forgotten_keys"] > 0
    assert len(ws.counters) <= 2 * 300 + 40
    # the first program's keys are gone: nothing of it is kept alive by the JIT
    assert not any(key[1] is first for key in list(ws.counters) + list(ws.trees))


def test_freed_loops_are_traced_again_correctly(drv):
    drv.set_param("threshold", 2)
    drv.set_param("loop_longevity", 8)
    code = ON.counting_loop(77, every=6)
    want = OFF.execute(OFF.counting_loop(77, every=6), [300])
    assert ON.execute(code, [300]) == want
    assert any(key[1] is code for key in drv.runtime.trees)
    run_many(drv, range(100))
    assert not any(key[1] is code for key in drv.runtime.trees)  # freed
    loops = drv.stats()["loops"]
    assert ON.execute(code, [300]) == want
    assert ON.execute(code, [300]) == want
    assert drv.stats()["loops"] > loops
    assert any(key[1] is code for key in drv.runtime.trees)  # compiled again


def test_memory_stays_bounded_over_many_loops(drv, small_counters):
    drv.set_param("threshold", 2)
    drv.set_param("loop_longevity", 16)
    run_many(drv, range(100))  # the cache fills up to its bound
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        run_many(drv, range(100, 300))
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
        run_many(drv, range(300, 700))
        gc.collect()
        grown_more = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert drv.stats()["freed_loops"] > 600
    # 200, then 400 more loops of ~30 KiB each were compiled; what stays is the bounded cache,
    # whose size moves with which trees are live (1.2-2.2 MB measured after 200, 400, 600 and
    # 800 loops, not growing): 400 more loops leave no more than the cache's own swing
    assert grown < 3 * 1024 * 1024, grown
    assert grown_more < grown + 1024 * 1024, (grown, grown_more)


@pytest.mark.slow
def test_thousands_of_loops(drv, small_counters):
    drv.set_param("threshold", 2)
    drv.set_param("loop_longevity", 50)
    run_many(drv, range(300), check_every=25)
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        most = run_many(drv, range(300, 3000), check_every=25)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert most <= 50 + FREE_EVERY + 8
    assert drv.stats()["loops"] >= 3000
    assert grown < 4 * 1024 * 1024, grown
