"""The JIT keeps attribute values it has read (the tracer's heap cache) and delays attribute
stores (the optimizer's heap pass) across operations that run no user code.  A builtin run on
objects of user classes does run user code -- ``len(x)`` calls ``x.__len__``, ``max(a, b)``
``__lt__``, ``iter(x)`` ``__iter__``, ``chr(x)`` ``__index__``, ``l.sort()`` and ``l.count(v)`` the
items' ``__lt__``/``__eq__`` -- so across those the cached values must be read again and the
delayed stores done first.  Both were kept before (the JIT's answers differed from the
interpreter's)."""

import metatrace
from metatrace import jit_merge_point
from metatrace.testing import compiled_traces, reset


class Box:
    def __init__(self):
        self.x = 0
        self.seen = 0


class Sneaky:
    """Every special method writes the box it holds."""

    def __init__(self, box):
        self.box = box

    def __len__(self):
        self.box.x += 1
        return 2

    def __lt__(self, other):
        self.box.x += 10
        return True

    def __iter__(self):
        self.box.x += 100
        return iter([1])

    def __index__(self):
        self.box.x += 1000
        return 65

    def __abs__(self):
        self.box.x += 10000
        return 1


@metatrace.jit(greens=["pc"], reds=["i", "n", "b", "s", "acc"], name="heap_safety_reads")
def reads(n, b, s):
    pc = 0
    i = 0
    acc = 0
    while True:
        jit_merge_point(pc=pc, i=i, n=n, b=b, s=s, acc=acc)
        if i >= n:
            return acc
        a0 = b.x
        len(s)
        a1 = b.x
        max(s, s)
        a2 = b.x
        list(iter(s))
        a3 = b.x
        chr(s)
        a4 = b.x
        abs(s)
        a5 = b.x
        acc += (a1 - a0) + 2 * (a2 - a1) + 3 * (a3 - a2) + 4 * (a4 - a3) + 5 * (a5 - a4)
        i += 1


class Item:
    """Compares by ``v``, and adds the box's current ``x`` to ``seen`` at each comparison."""

    def __init__(self, box, v):
        self.box = box
        self.v = v

    def __lt__(self, other):
        self.box.seen += self.box.x
        return self.v < other.v

    def __eq__(self, other):
        self.box.seen += self.box.x
        return self.v == other.v


@metatrace.jit(greens=["pc"], reds=["i", "n", "b", "lst"], name="heap_safety_stores")
def stores(n, b, lst):
    pc = 0
    i = 0
    while True:
        jit_merge_point(pc=pc, i=i, n=n, b=b, lst=lst)
        if i >= n:
            return b.seen
        b.x = i
        lst.sort()
        b.x = i + 1
        lst.count(lst[0])
        b.x = 2 * i
        lst.index(lst[1])
        b.x = 0
        i += 1


def _jit(fn):
    reset(fn)
    fn.jitdriver.set_param("threshold", 3)
    fn.jitdriver.set_param("backend", "python")


def test_builtins_on_user_objects_run_their_methods_between_cached_reads():
    def go(f, n):
        b = Box()
        return f(n, b, Sneaky(b)), b.x

    _jit(reads)
    want = go(reads.__wrapped__, 60)
    assert want == (60 * (1 + 20 + 300 + 4000 + 50000), 60 * 11111)
    assert go(reads, 60) == want
    loops = compiled_traces(reads, "loop")
    assert loops, reads.jitdriver.stats()
    # the calls are residual (not traced into), and the attribute is read after each of them
    ops = [op for t in loops for op in t.ops]
    assert sum(1 for op in ops if op.name == "call") >= 5
    assert sum(1 for op in ops if op.name == "getfield" and op.descr == "x") >= 6


def test_list_methods_that_compare_items_see_the_stores_before_them():
    def go(f, n):
        b = Box()
        return f(n, b, [Item(b, 3), Item(b, 1), Item(b, 2)])

    _jit(stores)
    want = go(stores.__wrapped__, 50)
    assert go(stores, 50) == want
    loops = compiled_traces(stores, "loop")
    assert loops, stores.jitdriver.stats()
    ops = [op for t in loops for op in t.ops]
    calls = [op.args[0].value for op in ops if op.name == "call"]
    assert list.sort in calls and list.count in calls and list.index in calls
    assert sum(1 for op in ops if op.name == "setfield" and op.descr == "x") >= 3


class Cell:
    def __init__(self, v):
        self.v = v


class Holder:
    def __init__(self, ref):
        self.ref = ref


@metatrace.jit(greens=["pc"], reds=["i", "n", "holder", "acc"], name="heap_safety_fresh")
def fresh_alias(n, holder):
    pc = 0
    i = 0
    acc = 0
    while True:
        jit_merge_point(pc=pc, i=i, n=n, holder=holder, acc=acc)
        if i >= n:
            return acc
        old = holder.ref        # read before the allocation: not the new object
        acc += old.v
        c = Cell(i)             # a new object...
        holder.ref = c
        same = holder.ref       # ...read back after it: it is the new object
        c.v = i * 3             # writing the new object's `v` keeps `old.v` cached, not `same.v`
        acc += same.v + old.v
        i += 1


def test_a_new_object_is_none_of_the_older_ones_but_may_be_read_back():
    _jit(fresh_alias)
    want = fresh_alias.__wrapped__(80, Holder(Cell(7)))
    assert fresh_alias(80, Holder(Cell(7))) == want
    loops = compiled_traces(fresh_alias, "loop")
    assert loops, fresh_alias.jitdriver.stats()
    # `old.v` is read once per iteration: the write to the new object's `v` did not forget it
    for t in loops:
        reads = [op for op in t.ops if op.name == "getfield" and op.descr == "v"]
        assert len(reads) == 1, [repr(op) for op in t.ops]


@metatrace.jit(greens=["pc"], reds=["i", "n", "b", "s", "lst", "acc"], name="heap_safety_licm")
def loop_reads(n, b, s, lst):
    pc = 0
    i = 0
    acc = 0
    while True:
        jit_merge_point(pc=pc, i=i, n=n, b=b, s=s, lst=lst, acc=acc)
        if i >= n:
            return acc
        acc += b.x * 1000 + b.seen  # nothing in the loop writes them but the calls below
        len(s)                      # s.__len__ adds 1 to b.x
        lst.sort()                  # Item.__lt__ adds b.x to b.seen
        i += 1


def test_the_loop_reads_again_what_a_builtin_running_user_code_writes():
    def go(f, n):
        b = Box()
        return f(n, b, Sneaky(b), [Item(b, 2), Item(b, 1)]), b.x, b.seen

    _jit(loop_reads)
    want = go(loop_reads.__wrapped__, 60)
    assert go(loop_reads, 60) == want
    loops = compiled_traces(loop_reads, "loop")
    assert loops, loop_reads.jitdriver.stats()
    # the reads stay in the loop proper (after its label), not hoisted into the preamble
    for t in loops:
        labels = [k for k, op in enumerate(t.ops) if op.name == "label"]
        proper = t.ops[labels[-1]:] if labels else t.ops
        assert sum(1 for op in proper if op.name == "getfield" and op.descr in ("x", "seen")) >= 2, \
            [repr(op) for op in t.ops]
