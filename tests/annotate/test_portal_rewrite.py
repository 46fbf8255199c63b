"""What the portal rewrite costs the interpreter: its frames, and the work per iteration.

CPython 3.11-3.13 keep frames in 16 KB chunks that are mapped and unmapped as recursion crosses
their ends, so every slot a rewritten portal adds to its frame moves those crossings; a slot
also costs every call.  The rewritten SOM portal once had seven more slots than the plain one
(a flag, three temporaries, three closure cells) and, in SOM's Json with nothing compiled,
made 80,000 munmap calls an iteration where the plain interpreter made 12,700 (it now makes
13,300, and runs faster than JIT off)."""

import metatrace
from metatrace import can_enter_jit, jit_merge_point, promote
from metatrace.testing import reset


def _interp(code, n):
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, n=n)
        op = code[pc]
        if op == 0:
            if n <= 0:
                return 0
            pc = 1
        elif op == 1:
            return _sub(code, n - 1) + 1
        else:
            pc = 0
            can_enter_jit(pc=pc, code=code, n=n)


def _sub(code, n):
    return PORTAL(code, n)


PORTAL = metatrace.jit(greens=["pc", "code"], reds=["n"], name="rewrite_test",
                       is_recursive=True)(_interp)


def test_the_rewritten_portal_adds_two_local_variables_and_no_cells():
    plain, rewritten = _interp.__code__, PORTAL.__code__
    assert rewritten.co_freevars == () and rewritten.co_cellvars == ()
    assert rewritten.co_nlocals <= plain.co_nlocals + 2, rewritten.co_varnames
    # a `while True:` loop counts the call's entry before the loop: no flag tested per iteration
    assert "__mt_first" not in rewritten.co_varnames


def test_entries_are_still_counted():
    drv = PORTAL.jitdriver
    reset(PORTAL)
    drv.set_param("function_threshold", 5)
    drv.set_param("threshold", 10 ** 9)
    code = (0, 1, 2)
    assert PORTAL(code, 3) == 3
    assert drv.stats()["traces_started"] == 0  # 4 entries: not yet hot
    for _ in range(3):
        assert PORTAL(code, 3) == 3
    st = drv.stats()
    assert st["traces_started"] >= 1, st  # the 5th entry started a trace


def test_the_second_entry_is_compiled_when_first_needed():
    fresh = metatrace.jit(greens=["pc", "code"], reds=["n"], name="rewrite_test_lazy")(_interp)
    rt = fresh.jitdriver.runtime
    assert rt._resume_entry is None and rt.resume_builder is not None  # not built at start-up
    entry = rt.resume_entry
    assert entry.__name__ == "__mt_resume" and rt.resume_builder is None
    assert entry(0, (0, 1, 2), 0) == 0  # (pc, code, n): starts at the merge point
    assert entry(2, (0, 1, 2), 0) == 0  # at pc 2: a back edge, then pc 0 returns



# promote() is a no-op function when the portal runs: the rewritten portal does not call it
# (one call per interpreted instruction less); the tracer reads the portal's source, where the
# hint stays and becomes a guard
def _promoting(code, acc, i):
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, acc=acc, i=i)
        promote(i % 2)
        step = metatrace.promote(code[pc])
        if step == 0:
            if i <= 0:
                return acc
            acc += i % 2
            i -= 1
            pc = 1
        else:
            pc = 0
            can_enter_jit(pc=pc, code=code, acc=acc, i=i)


PROMOTING = metatrace.jit(greens=["pc", "code"], reds=["acc", "i"], name="rewrite_promote")(_promoting)


def test_promote_is_not_called_by_the_rewritten_portal():
    plain, rewritten = _promoting.__code__, PROMOTING.__code__
    assert "promote" in plain.co_names
    assert "promote" not in rewritten.co_names, rewritten.co_names
    resume = PROMOTING.jitdriver.runtime.resume_entry
    assert "promote" not in resume.__code__.co_names


def test_promote_still_guards_in_traces():
    from metatrace.testing import op_counts
    reset(PROMOTING)
    PROMOTING.jitdriver.set_param("threshold", 3)
    code = (0, 1)
    assert PROMOTING(code, 0, 400) == _promoting(code, 0, 400) == 200
    ops = op_counts(PROMOTING)
    assert ops.get("guard_value", 0) >= 1, ops  # promote(i % 2): a guard on the value seen


class _EqualsAnything:
    def __eq__(self, other):
        raise AssertionError("compared with ==")

    def __call__(self, x):
        return x


weird = _EqualsAnything()


def _calls_a_weird_global(pc, n):
    while True:
        jit_merge_point(pc=pc, n=n)
        n = weird(n) - 1
        if n <= 0:
            return pc


def test_callees_are_told_from_promote_by_identity():
    # a global whose __eq__ raises (or returns an array) is never compared with ==
    p = metatrace.jit(greens=["pc"], reds=["n"], name="rewrite_weird")(_calls_a_weird_global)
    assert "weird" in p.__code__.co_names
    assert p(0, 5) == 0
