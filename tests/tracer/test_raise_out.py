"""An exception that leaves the interpreter loop (a guest exception, a non-local return) ends
the trace: its last op is ``finish_raise(exc)`` and the compiled code raises it out of the
portal, as the interpreter does, instead of the trace being given up (``escaped``) and the path
blackholed at every run.  Each run raises a new exception object, as the interpreter would."""

import metatrace
from metatrace import can_enter_jit, jit_merge_point
from metatrace.testing import compiled_traces, reset


class Found(Exception):
    def __init__(self, index):
        Exception.__init__(self, index)
        self.index = index


@metatrace.jit(greens=["code"], reds=["i", "items", "target"], name="raise_out_search")
def search(code, items, target):
    i = 0
    while True:
        jit_merge_point(code=code, i=i, items=items, target=target)
        if i >= len(items):
            return -1
        if items[i] == target:
            raise Found(i * code)
        i += 1


def find_all(fn, items, targets):
    """What each search gives: its result, or the index in the exception it raised."""
    out = []
    raised = []
    for t in targets:
        try:
            out.append(fn(1, items, t))
        except Found as e:
            out.append(("found", e.index))
            raised.append(e)
    return out, raised


def test_a_loop_left_by_raising_compiles_its_exit():
    items, targets, got = warm_search()  # asserts a compiled bridge ends in finish_raise
    want = find_all(search.__wrapped__, items, targets)[0]
    assert got == want
    drv = search.jitdriver
    assert drv.stats().get("aborts_by_reason", {}).get("escaped", 0) == 0, drv.stats()
    # warm now: the raising path runs compiled, nothing is blackholed any more
    before = drv.stats()["blackholes"]
    got, raised = find_all(search, items, targets)
    assert got == want
    assert drv.stats()["blackholes"] == before, drv.stats()
    assert len({id(e) for e in raised}) == len(raised) > 10  # a new exception each time


class Unwind(Exception):
    def __init__(self, value):
        Exception.__init__(self, value)
        self.value = value


class Frame:
    def __init__(self, n):
        self.n = n
        self.acc = 0


@metatrace.jit(greens=["pc", "code"], reds=["frame"], is_recursive=True, name="raise_out_calls")
def interp(code, frame):
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, frame=frame)
        op = code[pc]
        if op == "add":
            frame.acc += frame.n
            pc += 1
        elif op == "call":
            if frame.n > 4:
                try:
                    interp(code, Frame(frame.n // 4))
                except Unwind as u:  # every activation ends by raising its total
                    frame.acc += u.value
            pc += 1
        elif op == "dec":
            frame.n -= 1
            pc += 1
        elif op == "test":
            if frame.n <= 0:
                raise Unwind(frame.acc)
            pc += 1
        else:
            pc = 0
            can_enter_jit(pc=pc, code=code, frame=frame)


CODE = ("add", "call", "dec", "test", "loop")


def totals(fn, sizes):
    out = []
    for n in sizes:
        try:
            out.append(("returned", fn(CODE, Frame(n))))
        except Unwind as u:
            out.append(("raised", u.value))
    return out


def test_callees_that_raise_out_of_compiled_code():
    drv = interp.jitdriver
    reset(interp)
    drv.set_param("threshold", 3)
    drv.set_param("function_threshold", 3)
    drv.set_param("trace_eagerness", 3)
    drv.set_param("backend", "python")
    sizes = [30, 41, 57, 64, 90] * 4
    want = totals(interp.__wrapped__, sizes)
    assert totals(interp, sizes) == want
    traces = compiled_traces(interp)
    assert any(t.ops[-1].name == "finish_raise" for t in traces), [
        (t.kind, t.ops[-1].name) for t in traces]
    assert any(op.name == "call_assembler" for t in traces for op in t.ops)
    before = drv.stats()["blackholes"]
    assert totals(interp, sizes) == want
    assert drv.stats()["blackholes"] == before, drv.stats()


def warm_search():
    """search with its raising bridge compiled: the items and targets it ran on, and what
    those runs gave (results and exceptions, as find_all)."""
    drv = search.jitdriver
    reset(search)
    drv.set_param("threshold", 3)
    drv.set_param("trace_eagerness", 3)
    drv.set_param("backend", "python")
    items = list(range(0, 300, 3))
    targets = [(k * 7) % 320 for k in range(60)]  # found, or not (no multiple of 3)
    got = find_all(search, items, targets)[0]
    bridges = [t for t in compiled_traces(search, "bridge") if t.ops[-1].name == "finish_raise"]
    assert bridges, [(t.kind, t.ops[-1].name) for t in compiled_traces(search)]
    return items, targets, got


def test_exceptions_raised_through_compiled_code_leave_no_cycles():
    # compiled code hands the exception back without its traceback through the JIT's frames:
    # before, each one was a reference cycle of frames (exception -> traceback -> a frame
    # whose local holds the exception) that only the cyclic GC could free
    import gc

    items, targets, _ = warm_search()
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            for t in targets:
                try:
                    search(1, items, t)
                except Found:
                    pass
        garbage = gc.collect()
    finally:
        gc.enable()
    assert garbage < 20, garbage  # 5 x 60 raises


def test_the_traceback_still_shows_where_it_was_raised():
    # the JIT clears its own frames' locals (no cycles) but keeps the traceback
    import traceback

    items, _, _ = warm_search()
    try:
        search(1, items, 30)
    except Found as e:
        names = [f.name for f in traceback.extract_tb(e.__traceback__)]
    assert "test_the_traceback_still_shows_where_it_was_raised" in names, names
    assert "run_compiled" in names, names  # raised out of compiled code
