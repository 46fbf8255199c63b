import sys

import pytest

from metatrace.testing import reset

from . import ON


@pytest.fixture
def drv():
    """The test interpreter's driver, forgotten before and after, with its params restored."""
    d = ON.run.jitdriver
    saved = d.get_params()
    limit = ON.LIMITS.depth
    reset(ON.run)
    yield d
    for k, v in saved.items():
        d.set_param(k, v)
    ON.LIMITS.depth = limit
    reset(ON.run)


@pytest.fixture
def fast_switching():
    """Threads switch every few bytecodes, so JIT work in one thread interleaves with others."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(old)
