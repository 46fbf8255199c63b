"""A program that redefines a method every few iterations (a write of the quasi-immutable
``Klass.methods``, which invalidates the code that folded it) gets the answers of the JIT off,
and the JIT stays bounded: a key whose code keeps being invalidated backs off (or is given up),
so compilations stop growing with the number of redefinitions."""

import gc
import tracemalloc

import pytest

from . import OFF, ON


def sender(mod, every):
    klass = mod.Klass("K")
    versions = tuple(mod.method_version(v) for v in range(5))
    klass.define("m", versions[0])
    return klass, mod.sender(klass, "m", versions, every)


@pytest.mark.parametrize("every", [3, 11, 40])
def test_redefining_a_method_every_few_iterations(drv, every):
    drv.set_param("threshold", 3)
    drv.set_param("trace_eagerness", 2)
    _, on = sender(ON, every)
    _, off = sender(OFF, every)
    loops_per_run = []
    for _ in range(5):
        before = drv.stats()["traces_started"] + drv.stats()["bridge_traces_started"]
        assert ON.execute(on, [1200]) == OFF.execute(off, [1200])
        st = drv.stats()
        loops_per_run.append(st["traces_started"] + st["bridge_traces_started"] - before)
    st = drv.stats()
    # the JIT compiled the loop and the redefinitions invalidated it
    assert st["loops"] >= 1
    assert st["invalidations"] >= 3
    assert st["live_trees"] <= 8
    # ... but it does not retrace at every redefinition: the invalidated keys back off, so
    # the traces per run fall far below the redefinitions per run
    redefinitions = 1200 // every
    assert loops_per_run[-1] <= max(2, redefinitions // 4), loops_per_run
    assert sum(loops_per_run) <= 2 * redefinitions + 60, loops_per_run


def test_a_method_redefined_rarely_is_compiled_again(drv):
    """A redefinition now and then (not churn): the new method's code is compiled and entered."""
    drv.set_param("threshold", 3)
    klass, on = sender(ON, 10 ** 9)  # the loop itself never redefines
    offk, off = sender(OFF, 10 ** 9)
    for v in range(4):
        for _ in range(2):
            assert ON.execute(on, [500]) == OFF.execute(off, [500])
        klass.define("m", ON.method_version(100 + v))
        offk.define("m", OFF.method_version(100 + v))
        entries = drv.stats()["loop_entries"]
        assert ON.execute(on, [500]) == OFF.execute(off, [500])
    st = drv.stats()
    assert st["invalidations"] >= 3
    assert st["loops"] >= 4
    assert st["loop_entries"] > entries  # the last version ran compiled


def test_redefinition_churn_keeps_memory_bounded(drv):
    drv.set_param("threshold", 3)
    _, on = sender(ON, 5)
    _, off = sender(OFF, 5)
    ON.execute(on, [1000])
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(4):
            assert ON.execute(on, [1000]) == OFF.execute(off, [1000])
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert drv.stats()["invalidations"] >= 3
    assert grown < 512 * 1024, grown


@pytest.mark.slow
def test_redefinition_soak(drv):
    drv.set_param("threshold", 3)
    _, on = sender(ON, 7)
    _, off = sender(OFF, 7)
    for _ in range(20):
        assert ON.execute(on, [3000]) == OFF.execute(off, [3000])
    st = drv.stats()
    assert st["invalidations"] >= 3
    assert st["loops"] <= 200
