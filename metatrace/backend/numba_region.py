"""Tier 2 for loop nests: several trees of one interpreter in one Numba kernel.

A Brainfuck nest ``[ ... [ ... ] ... ]`` is not one tree: the inner loop is a tree, its exit
guard has a bridge that jumps to the tree of the code after it, whose end jumps to the outer
loop's tree, which jumps to the inner loop again.  A kernel for one loop proper is left at every
such jump (once per inner loop run), and the time goes to the tier-1 code between entries.

A *region* is a set of trees connected by those jumps, compiled as one kernel that is a state
machine: its state is which tree it is at and the interpreter's reds there.  Every tree of one
portal starts from the same reds (``func(*reds)`` in ``run_compiled``), so one set of kernel
variables holds the state for all of them:

* **numbers** (int, float, bool reds) are kernel variables ``r<m>``;
* **bytearrays** are taken through the buffer protocol (``m<m>``), as in a loop kernel;
* **other objects** (an output ``bytearray`` no lowered op touches, the input ``bytes``) are
  not passed at all: every jump in the region must pass red ``m`` on unchanged (the kernel
  checks that statically), so the entry's objects are still the reds at every exit.

A tree's block runs its preamble and then its loop proper (or, for a tree with no loop of its
own, its straight trace); a guard with a bridge the kernel can lower runs the bridge; a jump to
a member tree stores the held writes, assigns the reds and the state, and counts one step
(``_n``).  Everything else leaves with the state of the last step, exactly as a loop kernel
leaves with its iteration's start: nothing of the step in progress has been written.

Leaving at tree ``X``'s loop proper is handed to tier 1 as a jump to ``X`` with the reds, which
is exact only if entering ``X`` afresh from those reds reaches that same loop state.  That is
what :func:`shape_of` checks for a tree with a loop: each red is carried by a loop variable
(the loop's label takes the tree's input itself), any other loop variable is passed on
unchanged, and the preamble values the loop reads are computed by pure ops from constants,
reds the loop passes on unchanged and lengths of bytearrays (which no kernel can resize).
The tree whose tier-1 code entered the kernel gets its loop variables back instead of a jump
when the kernel left in that tree's loop with the reds it holds fixed unchanged.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..ir.model import Const, Op, Value
from .numba_tier import (_BUFFERS, _NUMBERS, _SKIP, INT_MAX, INT_MIN, MAX_BRIDGE_DEPTH, Unlowerable,
                         _Gen, _compile, _structural)
from .pygen import compile_source

# ops a preamble may hold when a kernel leaves at its loop as a jump to the tree (tier 1 runs
# the preamble again from the reds and must reach the same loop state): no memory is read
# (the kernel writes bytearrays) and nothing is written
_PREAMBLE_VALUE_OPS = ("len", "same_as", "cast_int_to_float")
_PREAMBLE_GUARDS = ("guard_class", "guard_nonnull", "guard_no_exception", "guard_not_invalidated",
                    "guard_true", "guard_false", "guard_value")
MAX_REGION_OPS = 1600  # ops of the trees and bridges one region kernel holds (compile time)


class Shape:
    """How one tree takes part in a region."""

    def __init__(self, tree: Any, reds: List[Value], preamble: List[Op], label: Optional[Op],
                 body: List[Op]) -> None:
        self.tree = tree
        self.key = tree.key
        self.reds = reds  # the tree's inputs: the portal's reds
        self.preamble = preamble
        self.label = label  # None: a straight trace (no loop of its own)
        self.body = body  # the loop proper or the straight trace, ending with its jump
        self.carrier: List[int] = []  # red m -> the loop variable carrying it
        self.params: List[Value] = []  # what tier-1 code passes at the loop's entry: the reds
        self.passthrough: List[bool] = []
        self.returned: List[int] = []


class _Sentinel:
    def __init__(self, m: int) -> None:
        self.m = m

    def __repr__(self) -> str:
        return "<red %d>" % self.m


_RED = [_Sentinel(m) for m in range(256)]


def shape_of(tree: Any) -> Any:
    """The tree's :class:`Shape`, or a string saying why it cannot be part of a region."""
    ops = tree.root.ops
    reds = list(tree.root.inputargs)
    if len(reds) > len(_RED):
        return "too many reds"
    labels = [i for i, op in enumerate(ops) if op.name == "label"]
    if not ops or ops[-1].name != "jump":
        return "the trace does not end with a jump"
    if labels and labels[0] != 0:
        return "the trace has ops before its first label"
    if labels and any(a is not b for a, b in zip(ops[0].args, reds)):
        return "the first label is not the tree's inputs"
    if len(labels) > 2:
        return "more than two labels"
    if len(labels) < 2:
        return Shape(tree, reds, [], None, ops[1:] if labels else list(ops))
    label = ops[labels[1]]
    body = ops[labels[1] + 1:]
    jump = body[-1]
    if jump.descr != tree.key:
        return "the loop proper does not jump to its own tree"
    sources = label.descr if isinstance(label.descr, list) else label.args
    if len(sources) != len(label.args) or len(jump.args) != len(label.args):
        return "the loop's label and jump do not match"
    shape = Shape(tree, reds, ops[1:labels[1]], label, body)
    red_index = {id(v): m for m, v in enumerate(reds)}
    carrier: Dict[int, int] = {}
    shape.passthrough = [jump.args[j] is a for j, a in enumerate(label.args)]
    for j, s in enumerate(sources):
        m = red_index.get(id(s))
        if m is None:
            if not shape.passthrough[j]:
                return "loop variable %d is neither a red nor passed on unchanged" % j
            continue
        if m in carrier:
            return "red %d is carried by two loop variables" % m
        carrier[m] = j
    if len(carrier) != len(reds):
        return "the loop does not carry every red"
    shape.carrier = [carrier[m] for m in range(len(reds))]
    shape.params = [label.args[j] for j in shape.carrier]
    shape.returned = [j for j, p in enumerate(shape.passthrough) if not p]
    # the preamble: what the loop reads of it must come out the same from the reds it holds
    stable = {id(reds[m]) for m in range(len(reds)) if shape.passthrough[carrier[m]]}
    defined = set()
    for op in shape.preamble:
        if op.name in _SKIP or op.name == "label":
            continue
        if op.is_guard():
            if op.name not in _PREAMBLE_GUARDS:
                return "the preamble has a %s" % op.name
            continue
        defined.add(id(op))
        pure = op.name in _PREAMBLE_VALUE_OPS or (
            op.name.startswith(("int_", "float_")) and not op.name.endswith("_ovf"))
        if pure and all(isinstance(a, Const) or id(a) in stable for a in op.args):
            stable.add(id(op))
        elif not pure:
            return "the preamble has a %s" % op.name
    inside = {id(op) for op in body}
    for op in body:
        for a in op.args:
            if id(a) in defined and id(a) not in stable and id(a) not in inside:
                return "the loop reads a preamble value that depends on what it changes"
    for s in sources:
        if id(s) in defined and id(s) not in stable:
            return "a loop variable starts from a preamble value that depends on what it changes"
    return shape


def _reach(shape: Shape) -> Tuple[int, List[Any]]:
    """The ops a region holds for the tree (its trace and the bridges it may run), and the keys
    its jumps go to, in the order they are met."""
    tree = shape.tree
    size = len(tree.root.ops)
    keys: List[Any] = []

    def walk(ops: Sequence[Op], depth: int) -> None:
        nonlocal size
        for op in ops:
            if op.name == "jump" and op.descr not in keys:
                keys.append(op.descr)
            if op.is_guard() and depth < MAX_BRIDGE_DEPTH:
                gd = tree.guard_descrs.get(id(op))
                if gd is not None and gd.bridge is not None and not op.sunk:
                    size += len(gd.bridge.ops)
                    walk(gd.bridge.ops, depth + 1)

    walk(shape.body, 0)
    return size, keys


def collect(start: Any, trees: Dict[Any, Any]) -> Tuple[List[Shape], List[Any]]:
    """The trees a region from ``start`` holds: breadth first along the jumps, each tree that
    can take part, within MAX_REGION_OPS; and the keys jumped to that have no tree yet."""
    first = _shape(start)
    if isinstance(first, str):
        return [], []
    missing: List[Any] = []
    members: List[Shape] = []
    queue = [first]
    seen = {start.key}
    total = 0
    while queue:
        shape = queue.pop(0)
        size, keys = _reach(shape)
        if members and total + size > MAX_REGION_OPS:
            continue
        members.append(shape)
        total += size
        for key in keys:
            if key in seen:
                continue
            seen.add(key)
            t = trees.get(key)
            if t is None or t.invalid:
                missing.append(key)
                continue
            s = _shape(t)
            if not isinstance(s, str):
                queue.append(s)
    return members, missing


def _shape(tree: Any) -> Any:
    """The tree's shape, worked out once (its root trace does not change)."""
    t2 = getattr(tree, "t2", None)
    s = getattr(t2, "region_shape", None)
    if s is None:
        s = shape_of(tree)
        if t2 is not None:
            t2.region_shape = s
    return s


# ---------------------------------------------------------------------------------------------
# kernel source

class _RegionGen(_Gen):
    """One region's kernel: ``kernel(_st, buffers..., numbers...)``."""

    def __init__(self, members: List[Shape], classes: Sequence[Any], aliases: Sequence[int]) -> None:
        self.members = members
        self.codes = {s.key: k for k, s in enumerate(members)}
        self.red_classes = list(classes)
        self.aliases = list(aliases)
        self.nreds = len(classes)
        self.names: Dict[int, str] = {}
        self.cls: Dict[int, Any] = {}
        self.lines: List[str] = []
        self.consts: Dict[str, float] = {}
        self.buffers: Dict[int, str] = {}
        self.pending: List[Tuple[str, Any, str, str]] = []
        self.indices: Dict[Tuple[str, Any], str] = {}
        self.temps = 0
        self.ranges: Dict[str, Tuple[int, int]] = {}
        self.compares: Dict[str, Tuple[str, str, str]] = {}
        self.lens: Dict[str, str] = {}
        self.below: set = set()
        self.serial = 0
        self.indent = 2
        self.bridges = {}
        self.origin: Dict[int, Any] = {}
        self.depth = 0
        self.bridge_ops = 0
        self.deferred = None
        self.tokens: List[Any] = []
        self.bridges_run = 0
        self.tree: Any = None
        self.in_loop = False
        self.numbers = [m for m, c in enumerate(classes) if c in _NUMBERS]

    # -- state ---------------------------------------------------------------------------
    def red_name(self, m: int) -> str:
        c = self.red_classes[m]
        if c in _BUFFERS:
            return "m%d" % self.aliases[m]
        return "r%d" % m

    def start_block(self, shape: Shape) -> None:
        self.names, self.cls, self.buffers, self.origin = {}, {}, {}, {}
        self.pending, self.indices = [], {}
        self.ranges, self.below = {}, set()
        self.tree = shape.tree
        for m, ia in enumerate(shape.reds):
            c = self.red_classes[m]
            self.cls[id(ia)] = c
            self.origin[id(ia)] = _RED[m]
            if c in _NUMBERS:
                self.names[id(ia)] = self.red_name(m)
            elif c in _BUFFERS:
                self.names[id(ia)] = self.buffers[id(ia)] = self.red_name(m)

    def op(self, op: Op) -> None:
        if op.name == "guard_not_invalidated" and op.descr is not None:
            if all(t is not op.descr for t in self.tokens):
                self.tokens.append(op.descr)
            return
        reason = _structural(op, self.buffers)
        if reason:
            raise Unlowerable("%s: %s" % (op.name, reason))
        _Gen.op(self, op)

    def guard(self, op: Op, cond: str) -> None:
        gd = self.tree.guard_descrs.get(id(op))
        bridge = gd.bridge if gd is not None else None
        if bridge is None or op.sunk or self.depth >= MAX_BRIDGE_DEPTH or \
                len(bridge.inputargs) != len(gd.failargs):
            self.leave_if(cond)
            return
        self.emit("if %s:" % cond)
        saved_lines, saved_indent, snap = self.lines, self.indent, self.snapshot()
        self.lines = []
        self.indent += 1
        self.depth += 1
        try:
            for ia, fa in zip(bridge.inputargs, gd.failargs):
                self.bind(ia, fa)
            for o in bridge.ops[:-1]:
                self.op(o)
            end = bridge.ops[-1]
            if end.name != "jump":
                raise Unlowerable("the bridge does not end with a jump")
            self.transition(end)
            out = self.lines
            self.bridges_run += 1
        except Unlowerable:
            out = ["    " * self.indent + "return _exit"]
        finally:
            self.depth -= 1
            self.lines, self.indent = saved_lines, saved_indent
            self.restore(snap)
        self.lines.extend(out)

    def transition(self, jump: Op) -> None:
        """A jump to a tree: a step to that tree's state when it is a member, else leave."""
        code = self.codes.get(jump.descr)
        if code is None or len(jump.args) != self.nreds:
            raise Unlowerable("a jump out of the region")
        assigns = []
        for m, a in enumerate(jump.args):
            c = self.red_classes[m]
            if c in _NUMBERS:
                if self.klass(a) is not c:
                    raise Unlowerable("red %d becomes a %s" % (m, self.klass(a).__name__))
                v = self.val(a)
                if v != self.red_name(m):
                    assigns.append((self.red_name(m), v))
            elif isinstance(a, Const) or self.origin_of(a) is not _RED[m]:
                raise Unlowerable("red %d is another object after the jump" % m)
        self.commit(assigns)
        self.emit("_st = %d" % code)
        self.emit("_n += 1")
        self.emit("break" if self.in_loop else "continue")

    def commit(self, assigns: List[Tuple[str, str]]) -> None:
        self.lines.extend("    " * self.indent + line for line in self.stores())
        if assigns:
            self.emit("%s = %s" % (", ".join(t for t, _ in assigns) + ",",
                                   ", ".join(v for _, v in assigns) + ","))

    # -- blocks ----------------------------------------------------------------------------
    def block(self, shape: Shape) -> List[str]:
        saved = self.lines
        self.lines = []
        self.indent = 3
        self.in_loop = False
        try:
            self.start_block(shape)
            if shape.label is None:
                for o in shape.body[:-1]:
                    self.op(o)
                self.transition(shape.body[-1])
            else:
                for o in shape.preamble:
                    self.op(o)
                label = shape.label
                sources = label.descr if isinstance(label.descr, list) else label.args
                for a, s in zip(label.args, sources):
                    if a is not s:
                        self.bind(a, s)
                self.emit("while True:")
                self.indent = 4
                self.in_loop = True
                for o in shape.body[:-1]:
                    self.op(o)
                jump = shape.body[-1]
                assigns = []
                for m in range(self.nreds):
                    j = shape.carrier[m]
                    new = jump.args[j]
                    c = self.red_classes[m]
                    if c in _NUMBERS:
                        if self.klass(new) is not c:
                            raise Unlowerable("red %d becomes a %s" % (m, self.klass(new).__name__))
                        v = self.val(new)
                        if v != self.red_name(m):
                            assigns.append((self.red_name(m), v))
                    elif not shape.passthrough[j]:
                        raise Unlowerable("the loop changes red %d, an object" % m)
                self.commit(assigns)
                self.emit("_n += 1")
            return self.lines
        finally:
            self.lines = saved
            self.in_loop = False


class RegionSource:
    def __init__(self, members: List[Shape], classes: Sequence[Any], aliases: Sequence[int]) -> None:
        """Generate the kernel; members whose own trace does not lower are dropped (jumps to
        them leave) until every member lowers."""
        members = list(members)
        while True:
            g = _RegionGen(members, classes, aliases)
            blocks: List[Tuple[Shape, List[str]]] = []
            bad = None
            for s in members:
                try:
                    blocks.append((s, g.block(s)))
                except Unlowerable as e:
                    bad = (s, str(e))
                    break
            if bad is None:
                break
            if bad[0] is members[0]:
                raise Unlowerable(bad[1])
            members = [s for s in members if s is not bad[0]]
        self.members = members
        self.codes = g.codes
        self.tokens = g.tokens
        self.bridges_run = g.bridges_run
        self.consts = g.consts
        body: List[str] = []
        for k, (_s, lines) in enumerate(blocks):
            # (no location in a comment: loops of the same shape share one compiled kernel)
            body.append("        %s _st == %d:" % ("if" if k == 0 else "elif", k))
            body.extend(lines)
        text = "\n".join(body)
        # the buffers the kernel uses (an output bytearray no lowered op touches is not passed)
        import re

        self.buffer_reds = [m for m, c in enumerate(classes) if c in _BUFFERS and aliases[m] == m
                            and re.search(r"\bm%d\b" % m, text)]
        self.number_reds = g.numbers
        self.classes = list(classes)
        self.aliases = list(aliases)
        returned = ["r%d" % m for m in self.number_reds]
        exit_tuple = "(_n, _st, %s)" % "".join(v + ", " for v in returned)
        params = ["_st"] + ["m%d" % m for m in self.buffer_reds] + returned
        lines = ["def kernel(%s):" % ", ".join(params), "    _n = 0", "    while True:"]
        lines.extend(line.replace("return _exit", "return " + exit_tuple) for line in body)
        lines.append("        else:")
        lines.append("            return " + exit_tuple)
        self.source = "\n".join(lines) + "\n"
        self.kernel_classes = [int] + [bytearray] * len(self.buffer_reds) + \
            [classes[m] for m in self.number_reds]
        self.ops = sum(len(s.tree.root.ops) for s in members)


def wrapper_source(src: RegionSource, shape: Shape, code: int) -> str:
    """The entry tier-1 code of ``shape``'s tree calls at its loop: checks the reds, runs the
    kernel from this tree, and returns the loop variables to assign, a list ``[key, reds...]``
    (go on at that tree) or None (no step was made)."""
    n = src.classes
    params = ["a%d" % m for m in range(len(n))]
    checks = []
    for m, c in enumerate(n):
        if c is int:
            checks.append("a%d.__class__ is int and %d <= a%d <= %d" % (m, INT_MIN, m, INT_MAX))
        else:
            checks.append("a%d.__class__ is _C%d" % (m, m))
    firsts = [m for m, c in enumerate(n) if c in _BUFFERS and src.aliases[m] == m]
    for m, c in enumerate(n):
        if c not in _BUFFERS:
            continue
        if src.aliases[m] != m:
            checks.append("a%d is a%d" % (m, src.aliases[m]))
        else:
            checks.extend("a%d is not a%d" % (m, j) for j in firsts if j < m)
    for k in range(len(src.tokens)):
        checks.append("not _tok%d.invalid" % k)
    args = ["%d" % code] + ["a%d" % m for m in src.buffer_reds] + ["a%d" % m for m in src.number_reds]
    pos = {m: 2 + i for i, m in enumerate(src.number_reds)}
    fixed = ["r[%d] == a%d" % (pos[m], m) for m in src.number_reds
             if shape.passthrough[shape.carrier[m]]]
    red_of = {j: m for m, j in enumerate(shape.carrier)}
    back = []
    for j in shape.returned:
        m = red_of[j]
        back.append("r[%d]" % pos[m] if m in pos else "a%d" % m)
    reds = ["r[%d]" % pos[m] if m in pos else "a%d" % m for m in range(len(n))]
    lines = ["def enter(%s):" % ", ".join(params),
             "    if %s:" % " and ".join(checks),
             "        r = _kernel(%s)" % ", ".join(args),
             "        n = r[0]",
             "        if n:",
             "            _stats[0] += 1",
             "            _stats[1] += n",
             "            if %s:" % " and ".join(["r[1] == %d" % code] + fixed),
             "                return (%s)" % "".join(b + ", " for b in back),
             "            return [_KEYS[r[1]], %s]" % ", ".join(reds),
             "    return None"]
    return "\n".join(lines) + "\n"


class RegionKernel:
    """A compiled region: its kernel and an entry per member tree with a loop."""

    def __init__(self, members: List[Shape], classes: Sequence[Any], aliases: Sequence[int],
                 missing: Sequence[Any] = (), trees: Optional[Dict[Any, Any]] = None) -> None:
        import time

        self.source_obj = src = RegionSource(members, classes, aliases)
        self.members = src.members
        self.keys = [s.key for s in self.members]
        self.trees = [s.tree for s in self.members]
        self.classes = list(classes)
        self.aliases = list(aliases)
        self.source = src.source
        self.ops = src.ops
        self.bridges_run = src.bridges_run
        t0 = time.perf_counter()
        self.entry, self.counts = _compile(src.source, src.consts, src.kernel_classes)
        self.compile_s = time.perf_counter() - t0
        self.origin = ("memory" if not self.counts else
                       "disk" if self.counts.get("kernel_cache_hits") else "numba")
        # what each member's bridges were when the kernel was made (new ones make it stale)
        self.bridged = {id(s.tree): bridged(s.tree) for s in self.members}
        self.entries: Dict[int, Any] = {}
        self.missing = list(missing)
        self.all_trees = trees if trees is not None else {}
        self.stale_calls = 0

    def enter_for(self, tree: Any, stats: List[int]) -> Any:
        """The entry of ``tree``'s tier-1 code (which counts in ``stats``)."""
        e = self.entries.get(id(tree))
        if e is not None:
            return e
        code = self.keys.index(tree.key)
        shape = self.members[code]
        ns: Dict[str, Any] = {"_kernel": self.entry, "_stats": stats, "_KEYS": tuple(self.keys)}
        for m, c in enumerate(self.classes):
            ns["_C%d" % m] = c
        for k, tok in enumerate(self.source_obj.tokens):
            ns["_tok%d" % k] = tok
        src = wrapper_source(self.source_obj, shape, code)
        exec(compile_source(src, "<metatrace tier-2 region entry>"), ns)
        e = self.entries[id(tree)] = ns["enter"]
        return e

    def has(self, tree: Any) -> bool:
        return any(t is tree for t in self.trees)

    def stale(self) -> bool:
        """Bridges were attached to its trees, or trees made for keys it jumps to, since it
        was generated: a kernel made now would run more (this one is still exact)."""
        return (any(bridged(t) != self.bridged[id(t)] for t in self.trees)
                or any(_live(self.all_trees.get(k)) for k in self.missing))


def _live(tree: Any) -> bool:
    return tree is not None and not tree.invalid


def bridged(tree: Any) -> frozenset:
    return frozenset(k for k, gd in tree.guard_descrs.items() if gd.bridge is not None)
