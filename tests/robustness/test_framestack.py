"""call_with_frame_room (metatrace/framestack.py): a plain call that keeps CPython 3.11+'s frame
chunks from being mapped and unmapped as recursion goes back and forth across their ends."""

import sys

import pytest

from metatrace.framestack import ROOM_BYTES, _runner, call_with_frame_room, chunked_frames


def test_it_is_a_call():
    assert call_with_frame_room(divmod, 17, 5) == (3, 2)
    assert call_with_frame_room(lambda a, b=0: a - b, 7, b=2) == 5
    with pytest.raises(ZeroDivisionError):
        call_with_frame_room(divmod, 1, 0)


def _rec(n):
    return 0 if n == 0 else _rec(n - 1) + 1


def _oscillate():
    # a recursion depth that goes back and forth around every depth up to 300: it crosses the
    # end of a 16 KB chunk of frames many times
    for base in range(0, 300, 3):
        for _ in range(20):
            _rec(base)
            _rec(base + 1)
            _rec(base + 2)


def _page_faults(fn):
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    fn()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@pytest.mark.skipif(not chunked_frames() or not sys.platform.startswith("linux"),
                    reason="frames in chunks: CPython 3.11+; page fault counts: Linux")
def test_recursion_no_longer_maps_chunks():
    assert _runner(ROOM_BYTES).__code__.co_stacksize >= ROOM_BYTES // 8
    _oscillate()  # warm: code objects specialized, memory allocated once
    plain = _page_faults(_oscillate)
    roomy = _page_faults(lambda: call_with_frame_room(_oscillate))
    # each chunk mapped anew costs page faults; with room, the recursion stays in one chunk
    # (the room's pages are touched once, about ROOM/4096 at most, here far fewer)
    assert plain > 2000, plain
    assert roomy * 10 < plain, (roomy, plain)
