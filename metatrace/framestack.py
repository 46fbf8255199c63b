"""Room for frames: a workaround for a cost of CPython 3.11+ that deep recursion pays.

CPython 3.11 and later keep the frames of Python calls in chunks of 16 KB per thread.  When a
call needs more room than the current chunk has, a new chunk is mapped (``mmap``); when the call
at the bottom of a chunk returns, that chunk is unmapped at once (``munmap``), with no spare kept.
A recursive interpreter whose call depth goes back and forth across a chunk's end therefore pays
an ``mmap``, an ``munmap`` and the page faults of a fresh chunk on every call there: SOM's Json
made 12,700 ``munmap`` calls an iteration with the JIT off, and a loop that recurses around a
changing depth ran about twice as slow as with its frames in one chunk (2.2-2.7 s against
1.1-1.3 s in a scratch measurement).  Where the ends fall
depends on the size of every frame below, so the cost comes and goes as code changes.

``call_with_frame_room(func, *args)`` calls ``func`` from a frame big enough that CPython gives
it a chunk of its own of twice its size: everything ``func`` calls, down to a few thousand
frames deep, then lives in the rest of that chunk, which stays mapped until ``func`` returns.
On PyPy and CPython before 3.11 (frames are separate objects there) it is a plain call.  The
bundled interpreters run their programs this way; an interpreter of your own can do the same
around its main loop (once per thread that runs guest code)."""

from __future__ import annotations

import platform
import sys
from typing import Any, Callable, Dict

ROOM_BYTES = 1 << 24  # the free room above the big frame: 16 MB of address space, touched as used

_runners: Dict[int, Any] = {}


def _call(func: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _runner(room: int) -> Any:
    """``_call`` with a frame just over ``room`` bytes: CPython sizes the new chunk to the next
    power of two, which leaves ``room`` free.  The room is declared evaluation-stack depth
    (``co_stacksize``): CPython reserves it with the frame but never writes it (local
    variables would be cleared one by one, and each would need a name)."""
    runner = _runners.get(room)
    if runner is None:
        code = _call.__code__
        try:
            runner = type(_call)(code.replace(co_stacksize=code.co_stacksize + room // 8 + 64), globals())
        except (TypeError, ValueError, AttributeError):  # a Python that builds code differently
            runner = _call
        _runners[room] = runner
    return runner


def chunked_frames() -> bool:
    """Whether this Python keeps frames in chunks (CPython 3.11+)."""
    return platform.python_implementation() == "CPython" and sys.version_info >= (3, 11)


def call_with_frame_room(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, its callees' frames in one chunk that stays mapped (see the
    module's doc)."""
    if not chunked_frames():
        return func(*args, **kwargs)
    return _runner(ROOM_BYTES)(func, args, kwargs)
