"""Tier 1: a trace tree (a loop and the bridges hanging off its guards) -> Python source.

The root trace becomes ``def tree_N(a0, a1, ...): while True: ...``; ``jump`` back to the root is
an assignment of the loop variables and ``continue``.  A guard that fails returns
``(exit_index, live values...)`` through its site cell, which calls the guard's bridge instead
once it has one compiled on its own (``site_return``); a hot bridge gets nested under its guard
when the tree is regenerated, so hot paths never leave the function.  An op that can raise is
wrapped in ``try``/``except`` (free in CPython 3.11 when nothing is raised) that leaves through
its ``guard_no_exception``.
"""

from __future__ import annotations

import keyword
import math
import operator
import types
import unicodedata
import warnings
from typing import Any, Dict, List, Optional, Tuple

from ..ir.model import EXC, Const, Op, Value
from ..tracer import semantics as sem

MAX_NESTING = 60  # Python's parser allows about 100 nested blocks
REUSE_NAMES = True  # give values whose lives do not overlap the same local variable (see Names)
_FOREVER = 1 << 60
INT_LITERAL_MAX = 1 << 63  # larger ints are bound constants (repr has a digit limit, and cost)

# Nothing that comes from the traced program is pasted into the source as text: constants other
# than small numbers, bools, None and short exact strings (written with repr, which always gives a
# literal) are names bound in the function's globals; attribute names are written as `.name` only
# when they are plain identifiers, otherwise the access is a getattr/setattr call with the name
# as a constant; comments carry locations through ascii(), so no character can end them.


def plain_identifier(name: Any) -> bool:
    """``name`` can be written after a dot and means the same attribute there (the parser
    NFKC-normalizes identifiers, so only names that normalization leaves alone)."""
    return (type(name) is str and name.isidentifier() and not keyword.iskeyword(name)
            and unicodedata.normalize("NFKC", name) == name)


def comment_text(text: Any, limit: int = 100) -> str:
    """A location as the text of a ``#`` comment: printable ASCII only."""
    return ascii(str(text))[1:-1][:limit]


class CodegenError(Exception):
    pass


class SourceWarning(CodegenError):
    """The generated source compiles, but Python warns about it (a literal used wrongly)."""


class Exit:
    """Where compiled code can leave a tree.  ``kind``: guard | jump | finish."""

    kind = "exit"


class JumpExit(Exit):
    kind = "jump"

    def __init__(self, target_key: Any, cell: Optional[List[Any]] = None) -> None:
        self.target_key = target_key
        # the target key's tree cell (WarmState.tree_cell), when the generator knows the warm
        # state: run_compiled goes on to the next tree without hashing the key tuple
        self.cell = cell


class FinishExit(Exit):
    kind = "finish"


class RaiseExit(Exit):
    """The trace ends raising its argument out of the portal (``finish_raise``)."""

    kind = "raise"


class PendingExit(Exit):
    """A guard's exit whose deferred stores and virtual objects are done out of line: the
    generated code returns only the values they need (``slots``), and the warm state runs
    ``plan`` on them when the guard fails (``materialize``), giving the guard's fail
    arguments.  Writing every exit's stores into the source made tier-1 code mostly exit
    paths (half the lines of a SOM tree were ``frame.sp = 3`` / ``stack[4] = None``), and
    Python's compile time grows with the source."""

    kind = "guard"
    __slots__ = ("gd", "plan", "out")

    def __init__(self, gd: Any, plan: List[Tuple[Any, ...]], out: List[Tuple[str, Any]]) -> None:
        self.gd = gd
        self.plan = plan
        self.out = out

    def materialize(self, result: Tuple[Any, ...]) -> Tuple[Any, ...]:
        objs: List[Any] = []

        def get(src: Tuple[str, Any]) -> Any:
            t, x = src
            if t == "s":
                return result[x + 1]
            if t == "a":
                return objs[x]
            return x

        for step in self.plan:
            kind = step[0]
            if kind == "alloc":
                objs.append([None] * step[2] if step[1] is list else object.__new__(step[1]))
            elif kind == "append":
                target = get(step[1])
                for v in step[2]:
                    target.append(get(v))
            elif kind == "setfield":
                setattr(get(step[1]), step[2], get(step[3]))
            else:
                get(step[1])[get(step[2])] = get(step[3])
        return (result[0],) + tuple(get(src) for src in self.out)


class Names:
    """Which trace values may share a local variable: a trace (the root, or one bridge) and the
    position after which each of its values is dead.

    CPython sizes a frame by its local variables, and a tree function with a variable per
    value (Richards: 236) has a 2 KB frame.  CPython 3.11-3.13 keep frames in 16 KB chunks
    that are mapped when a call needs a new one and unmapped as soon as the call that started
    it returns, with no spare kept: recursion whose depth goes back and forth across a chunk's
    end costs an mmap, an munmap and page faults per call (SOM Towers: 48 munmaps a run JIT
    off, 12,000 JIT on).  Fewer, shared names make the frames several times smaller.

    Within one trace a value lives from its definition to its last use (an argument, a
    guard's fail arguments or delayed stores).  In a loop, values the loop proper reads from
    before it, and the loop's own variables, live to its end.  A bridge nested under a guard
    never falls back into the code after that guard (it ends in a jump, which assigns the
    loop variables, or a return), so every value of the traces around it is dead in it: it
    may use any name, once its inputs are assigned all at once from the guard's fail
    arguments."""

    __slots__ = ("last", "dying", "fused")

    def __init__(self, ops: List[Op], guard_descrs: Dict[int, Any], pinned: List[Value],
                 loop_from: Optional[int] = None) -> None:
        # a tuple of reds built only for a direct call_assembler is never built: the call
        # passes its items (``fused``), which then live to the call; likewise a slice used as
        # the index of one item access (and by the guard after it, which rebuilds it on its
        # failure path): written as `x[a:b]`, no call of slice()
        uses_of = [_uses(op, guard_descrs) for op in ops]
        candidates: Dict[int, Tuple[Op, int]] = {}  # id -> (the value, uses it may have)
        for i, op in enumerate(ops):
            if op.name == "call_assembler" and direct_callee(op) is not None:
                reds = op.args[2]
                if isinstance(reds, Op) and reds.name == "new_tuple":
                    candidates[id(reds)] = (reds, 1)
            elif op.name in _SLICED and len(op.args) >= 2:
                idx = op.args[1]
                if not isinstance(idx, Op) or idx.name != "new_slice" or idx in op.args[2:]:
                    continue
                after = 0
                if i + 1 < len(ops) and ops[i + 1].name in ("guard_no_exception", "guard_exception"):
                    after = sum(1 for v in uses_of[i + 1] if v is idx)
                candidates[id(idx)] = (idx, 1 + after)
        self.fused: Dict[int, Op] = {}
        if candidates:
            count: Dict[int, int] = {}
            for uses in uses_of:
                for v in uses:
                    if id(v) in candidates:
                        count[id(v)] = count.get(id(v), 0) + 1
            for vid, (v, allowed) in candidates.items():
                if count.get(vid) == allowed:
                    self.fused[vid] = v
        fused = self.fused
        last: Dict[int, int] = {}
        defined: Dict[int, int] = {}
        for i, op in enumerate(ops):
            uses = uses_of[i]
            if fused:
                uses = [a for v in uses for a in (fused[id(v)].args if id(v) in fused else (v,))]
            for v in uses:
                if not isinstance(v, Const) and v is not EXC:
                    last[id(v)] = i
            if op.has_result():
                defined[id(op)] = i
        if loop_from is not None:
            for vid, i in last.items():
                if i >= loop_from and defined.get(vid, -1) < loop_from:
                    last[vid] = _FOREVER  # read by the loop proper from before it
        for vid, i in defined.items():
            last.setdefault(vid, i)  # never used: dead at once
        for v in pinned:
            last[id(v)] = _FOREVER
        self.last = last
        dying: Dict[int, List[int]] = {}
        for vid, i in last.items():
            if i < _FOREVER:
                dying.setdefault(i, []).append(vid)
        self.dying = dying


_SLICED = ("getitem", "delitem", "setitem")


def direct_callee(op: Op) -> Any:
    """The warm state whose trees a ``call_assembler`` enters directly from generated code,
    or None when it goes through ``WarmState.call_assembler`` (see assembler_lines)."""
    fn, greens = op.args[0], op.args[1]
    ws = getattr(fn.value, "__self__", None) if isinstance(fn, Const) else None
    if ws is None or not isinstance(greens, Const) or ws.driver.confirm_enter_jit is not None:
        return None
    return ws


def _uses(op: Op, guard_descrs: Dict[int, Any]) -> List[Value]:
    out = list(op.args)
    if op.name == "label" and isinstance(op.descr, list):
        out.extend(op.descr)
    if op.is_guard():
        gd = guard_descrs.get(id(op))
        if gd is not None:
            out.extend(gd.failargs)
        for d in op.sunk:
            out.append(d.target)
            out.extend(d.values)
            if d.kind == "setitem":
                out.append(d.key)
    return out


class PyGen:
    def __init__(self, tree: Any, bind_all: bool = False) -> None:
        self.tree = tree
        # every constant as a bound name, even None and small numbers: the fallback when the
        # literals make Python warn at compile time (``None[0]``, ``5()``, ``[1][None]``)
        self.bind_all = bind_all
        self.lines: List[str] = []
        self.names: Dict[int, str] = {}
        self.consts: Dict[str, Any] = {}
        self.const_ids: Dict[Any, str] = {}
        self.counter = 0
        # the tree's exit table (Tree.exits), shared by all versions of its code and its
        # bridges compiled on their own: append-only, so the index an exit tuple carries means
        # the same exit in every version (a bridge called from a guard site returns its own
        # exits through the tree's function)
        table = getattr(tree, "exits", None)
        self.shared = isinstance(table, list)
        self.exits: List[Any] = table if self.shared else []
        self.root_params: List[str] = []
        self.in_inner = False  # inside the loop that follows a hoisted preamble
        self.loop_params: List[str] = []
        self.standalone = False  # generating one bridge as a function of its own
        self.reuse = REUSE_NAMES
        self.free: List[str] = []  # names no live value of the current trace holds
        self.plan: Optional[Names] = None

    def name(self, v: Value) -> str:
        if isinstance(v, Const):
            return self.const(v.value)
        n = self.names.get(id(v))
        if n is None:
            if self.free:
                n = self.free.pop()
            else:
                n = "v%d" % self.counter
                self.counter += 1
            self.names[id(v)] = n
        return n

    def value(self, v: Value) -> str:
        """``v`` as an expression: its name, or for a value fused into its use (Names.fused)
        the expression that builds it (a guard's failure path needs the object itself)."""
        if self.plan is not None and id(v) in self.plan.fused:
            if v.name == "new_slice":  # type: ignore[union-attr]
                return "_slice(%s)" % ", ".join(self.name(a) for a in v.args)  # type: ignore[union-attr]
            return "(%s)" % "".join(self.name(a) + ", " for a in v.args)  # type: ignore[union-attr]
        return self.name(v)

    def release(self, pos: int) -> None:
        """The values of the current trace whose last use is at ``pos`` give their names back."""
        plan = self.plan
        if plan is None or not self.reuse:
            return
        for vid in plan.dying.get(pos, ()):
            n = self.names.get(vid)
            if n is not None:
                self.free.append(n)

    def all_names(self) -> List[str]:
        return ["v%d" % k for k in range(self.counter - 1, -1, -1)]

    def start_trace(self, ops: List[Op], pinned: List[Value], loop_from: Optional[int] = None,
                    free: Optional[List[str]] = None) -> Tuple[Optional[Names], List[str]]:
        """Plan the names of a trace; returns what to restore when it is done."""
        saved = (self.plan, self.free)
        self.plan = Names(ops, self.tree.guard_descrs, pinned, loop_from)
        self.free = free if free is not None and self.reuse else []
        return saved

    def end_trace(self, saved: Tuple[Optional[Names], List[str]]) -> None:
        self.plan, self.free = saved

    def const(self, value: Any) -> str:
        t = type(value)
        if self.bind_all:
            return self.bound(value)
        if value is None or t is bool:
            return repr(value)
        if t is int and -INT_LITERAL_MAX <= value < INT_LITERAL_MAX:
            return repr(value) if value >= 0 else "(%r)" % value
        if t is float and math.isfinite(value) and not (value == 0.0 and math.copysign(1.0, value) < 0):
            return repr(value) if value >= 0 else "(%r)" % value
        if t is str and len(value) < 200:
            return repr(value)
        return self.bound(value)

    def bound(self, value: Any) -> str:
        """A name in the function's globals for this very object."""
        key = id(value)
        if key not in self.const_ids:
            n = "K%d" % len(self.consts)
            self.consts[n] = value
            self.const_ids[key] = n
        return self.const_ids[key]

    def ref(self, v: Value) -> str:
        """``v`` where its identity matters (``is``): a literal would be another object."""
        if isinstance(v, Const) and not (v.value is None or type(v.value) is bool):
            return self.bound(v.value)
        return self.name(v)

    def base(self, v: Value) -> str:
        """``v`` where an attribute access follows it (``57.x`` does not parse)."""
        n = self.name(v)
        return "(%s)" % n if n[:1].isdigit() else n

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def exit_index(self, exit: Any) -> int:
        self.exits.append(exit)
        return len(self.exits) - 1

    # ----------------------------------------------------------------------------------
    def generate(self) -> str:
        root = self.tree.root
        labels = [i for i, op in enumerate(root.ops) if op.name == "label"]
        t2 = getattr(self.tree, "t2", None)
        # the tree's inputs and the loop's own variables are assigned by jumps back to it and
        # read after them: they keep their names for the whole trace
        pinned = list(root.inputargs)
        if len(labels) >= 2:
            pinned.extend(root.ops[labels[1]].args)
            if t2 is not None:
                pinned.extend(t2.params())
        self.start_trace(root.ops, pinned, labels[1] if len(labels) >= 2 else None)
        self.root_params = []
        for ia in root.inputargs:
            n = self.name(ia)
            self.root_params.append(n)
        self.emit(0, "def tree_%d(%s):" % (self.tree.id, ", ".join(self.root_params)))
        self.emit(1, "while True:")
        if len(labels) >= 2:
            # preamble (loop-invariant ops), then the loop proper; a jump back from the loop's
            # own end skips the preamble, a bridge's jump to this tree re-runs it ('break')
            self.ops(root.ops[:labels[1]], 2, root=True)
            inner = root.ops[labels[1]]
            self.loop_params = [self.name(a) for a in inner.args]
            if isinstance(inner.descr, list):
                # the loop's own variables (carried memory, unboxed values) from the preamble
                pairs = [(p, self.name(v)) for p, v in zip(self.loop_params, inner.descr)
                         if p != self.name(v)]
                if pairs:
                    self.emit(2, "%s = %s" % (", ".join(p for p, _ in pairs) + ",",
                                              ", ".join(v for _, v in pairs) + ","))
            if t2 is not None and t2.state == "kernel":
                # tier 2: the kernel runs the loop until an iteration would leave its fast path;
                # that iteration (and any after it) runs below, in Python
                self.t2_call(2, "_T2K", t2)
            self.release(labels[1] - 1)
            self.release(labels[1])
            self.emit(2, "while True:")
            self.in_inner = True
            if t2 is not None and t2.counting:
                # until tier 2 takes the loop: iterations are counted by a shared iterator
                # (cheaper than any counter in Python); when it runs out, the loop stands at
                # the start of an iteration and may move to its kernel right there
                self.emit(3, "for _ in _T2I:")
                self.ops(root.ops[labels[1] + 1:], 4, root=True, base=labels[1] + 1)
                self.emit(3, "else:")
                self.emit(4, "_k = _T2up(%s)" % self.t2_args(t2))
                self.emit(4, "if _k is not None:")
                self.t2_call(5, "_k", t2)
                self.emit(4, "continue")
                self.emit(3, "break  # a bridge's jump to the tree: re-run the preamble")
            else:
                self.ops(root.ops[labels[1] + 1:], 3, root=True, base=labels[1] + 1)
            self.in_inner = False
        else:
            self.ops(root.ops, 2, root=True)
        return "\n".join(self.lines) + "\n"

    def generate_bridge(self, bridge: Any, gd: Any) -> str:
        """One bridge as a function of its own, ``bridge_N(values...)`` of what its guard's exit
        tuple holds (the fail arguments, or a PendingExit's slots), returning an exit tuple of
        the tree's table like the tree's function (every jump leaves, even one to its own
        tree)."""
        self.standalone = True
        if gd is not None and gd.op.sunk:
            # its guard's exit passes the values of its deferred stores and virtuals (a
            # PendingExit's slots): the bridge does them, then takes its inputs from them
            plan, out, slots = pending_plan(gd, gd.op, lambda v: v)
            params = ["s%d" % j for j in range(len(slots))]
            self.emit(0, "def bridge_%d(%s):" % (bridge.id, ", ".join(params)))
            self.count_bridge(bridge, 1)
            self.count_runs()
            self.plan_lines(plan, 1)
            self.start_trace(bridge.ops, [])
            names = [self.name(ia) for ia in bridge.inputargs]
            if names:
                self.emit(1, "%s = %s" % ("".join(n + ", " for n in names),
                                          "".join(self.plan_src(x) + ", " for x in out)))
        else:
            self.start_trace(bridge.ops, [])
            params = [self.name(ia) for ia in bridge.inputargs]
            self.emit(0, "def bridge_%d(%s):" % (bridge.id, ", ".join(params)))
            self.count_bridge(bridge, 1)
            self.count_runs()
        self.ops(bridge.ops, 1, root=False)
        return "\n".join(self.lines) + "\n"

    def count_runs(self) -> None:
        """A bridge on its own counts its runs with an iterator of its globals (``_BR``, one
        step a run, cheaper than any counter in Python); when it runs out, ``_HOT`` tells the
        tree (Tree.hot_bridge_names)."""
        if hasattr(self.tree, "hot_bridge_names"):
            self.emit(1, "for _ in _BR:")
            self.emit(2, "break")
            self.emit(1, "else:")
            self.emit(2, "_HOT()")

    def count_bridge(self, bridge: Any, indent: int) -> None:
        if getattr(self.tree, "count_bridges", False):
            # only while a trace log is written: how often each bridge is entered
            self.emit(indent, "_bcount[%d] = _bcount.get(%d, 0) + 1" % (bridge.id, bridge.id))

    def plan_src(self, src: Tuple[str, Any]) -> str:
        t, x = src
        if t == "s":
            return "s%d" % x
        if t == "a":
            return "_a%d" % x
        return self.const(x)

    def plan_lines(self, plan: List[Tuple[Any, ...]], indent: int) -> None:
        """A PendingExit's plan as code, over its slots ``s0...`` (PendingExit.materialize)."""
        k = 0
        for step in plan:
            kind = step[0]
            if kind == "alloc":
                if step[1] is list:
                    self.emit(indent, "_a%d = [None] * %d" % (k, step[2]))
                else:
                    self.emit(indent, "_a%d = _new(%s)" % (k, self.const(step[1])))
                k += 1
            elif kind == "append":
                for v in step[2]:
                    self.emit(indent, "%s.append(%s)" % (self.plan_src(step[1]), self.plan_src(v)))
            elif kind == "setfield":
                if plain_identifier(step[2]):
                    self.emit(indent, "%s.%s = %s" % (self.plan_src(step[1]), step[2], self.plan_src(step[3])))
                else:
                    self.emit(indent, "_setattr(%s, %s, %s)" % (self.plan_src(step[1]), self.const(step[2]),
                                                              self.plan_src(step[3])))
            else:
                self.emit(indent, "%s[%s] = %s" % (self.plan_src(step[1]), self.plan_src(step[2]),
                                                   self.plan_src(step[3])))

    def t2_args(self, t2: Any) -> str:
        return ", ".join(self.name(p) for p in t2.params())

    def t2_call(self, indent: int, entry: str, t2: Any) -> None:
        """Run the kernel through ``entry``; assign the loop variables it returns (None: it
        ran no iteration)."""
        targets = [self.loop_params[j] for j in t2.plan.returned]
        self.emit(indent, "_r = %s(%s)" % (entry, self.t2_args(t2)))
        self.emit(indent, "if _r is not None:")
        if getattr(t2, "shape", None) is not None:
            # a loop-nest kernel (numba_region) that stopped at another tree: jump there
            self.emit(indent + 1, "if _r.__class__ is list:")
            self.emit(indent + 2, "return _T2J(_r)")
        self.emit(indent + 1, "%s = _r" % "".join(t + ", " for t in targets) if targets else "pass")

    def op_expr(self, op: Op) -> str:
        spec = op.spec
        args = [self.name(a) for a in op.args]
        name = op.name
        if name in _SLICED and self.plan is not None and len(op.args) >= 2 and id(op.args[1]) in self.plan.fused:
            args[1] = ":".join(self.name(a) for a in op.args[1].args)  # x[a:b:c]
        if name in ("call", "call_pure", "call_loopinvariant", "call_portal"):
            kwnames = op.descr or ()
            npos = len(args) - 1 - len(kwnames)
            parts = args[1:1 + npos] + ["%s=%s" % (k, a) if plain_identifier(k)
                                        else "**{%s: %s}" % (self.const(k), a)
                                        for k, a in zip(kwnames, args[1 + npos:])]
            return "%s(%s)" % (args[0], ", ".join(parts))
        if name == "getglobal":
            d, gname = op.descr
            return "%s[%s]" % (self.const(d), self.const(gname))
        if name in ("ptr_eq", "ptr_ne", "guard_is"):
            args = [self.ref(a) for a in op.args]
        descr = op.descr
        if name in ("getfield", "setfield"):
            if not plain_identifier(descr):
                if name == "getfield":
                    return "_getattr(%s, %s)" % (args[0], self.const(descr))
                return "_setattr(%s, %s, %s)" % (args[0], self.const(descr), args[1])
            args[0] = self.base(op.args[0])
            dtext = descr
        elif name in ("guard_value", "guard_class"):
            args[0] = self.base(op.args[0])
            dtext = self.const(descr) if descr is not None else ""
        elif descr is not None:
            dtext = self.const(descr)
        else:
            dtext = ""
        if spec.py is None:
            raise CodegenError("op %s has no Python form" % name)
        return spec.py.format(*args, args=", ".join(args), descr=dtext, rest=", ".join(args[1:]))

    def ops(self, ops: List[Op], indent: int, root: bool = False, base: int = 0) -> None:
        """``ops[i]`` is at position ``base + i`` of its trace (for ``release``)."""
        if indent > MAX_NESTING:
            raise CodegenError("bridges nested too deeply for Python source")
        i = 0
        n = len(ops)
        while i < n:
            if i:
                self.release(base + i - 1)
            op = ops[i]
            name = op.name
            if name == "label":
                i += 1
                continue
            if name == "debug_merge_point":
                self.emit(indent, "# %s" % comment_text(op.descr))
                i += 1
                continue
            if name == "jump":
                self.jump(op, indent, root)
                return
            if name == "finish" or name == "finish_raise":
                k = self.exit_index(FinishExit() if name == "finish" else RaiseExit())
                self.emit(indent, "return (%d, %s)" % (k, self.name(op.args[0])))
                return
            if op.is_guard():
                self.guard(op, indent)
                i += 1
                continue
            if self.plan is not None and id(op) in self.plan.fused:
                i += 1
                continue  # built by no one: its call_assembler passes the items
            nxt = ops[i + 1] if i + 1 < n else None
            lines = self.assembler_lines(op) if name == "call_assembler" else None
            if lines is None:
                expr = self.op_expr(op)
                lines = [(0, "%s = %s" % (self.name(op), expr) if op.has_result() else expr)]
            if nxt is not None and nxt.name == "guard_no_exception":
                self.emit(indent, "try:")
                for k, line in lines:
                    self.emit(indent + 1 + k, line)
                self.emit(indent, "except BaseException as _e:")
                self.fail(nxt, indent + 1, {id(EXC): "_e", id(op): "None"})
                self.release(base + i)
                i += 2
                continue
            if nxt is not None and nxt.name == "guard_exception":
                self.emit(indent, "try:")
                for k, line in lines:
                    self.emit(indent + 1 + k, line)
                self.emit(indent, "except BaseException as _e:")
                self.emit(indent + 1, "if _e.__class__ is not %s:" % self.const(nxt.descr))
                self.fail(nxt, indent + 2, {id(EXC): "_e", id(op): "None"})
                self.emit(indent + 1, "%s = _e" % self.name(nxt))
                self.emit(indent, "else:")
                self.fail(nxt, indent + 1, {id(EXC): "None"})
                self.release(base + i)
                i += 2
                continue
            for k, line in lines:
                self.emit(indent + k, line)
            i += 1

    def assembler_lines(self, op: Op) -> Optional[List[Tuple[int, str]]]:
        """``call_assembler`` entering the callee's tree directly when it has one (what
        ``WarmState.call_assembler`` and ``run_compiled`` would do, without their two calls):
        the tree comes from its key's cell (``WarmState.tree_cell``, bound as a constant) and
        its function is called with the reds as arguments; anything but a plain return goes
        on in ``WarmState.assembler_exit``."""
        ws = direct_callee(op)
        if ws is None:
            return None
        fn, greens, reds = op.args
        res = self.name(op)
        g, w, t = self.name(greens), self.const(ws), self.const(ws.trees)
        cell = self.bound(ws.tree_cell(greens.value))
        if self.plan is not None and id(reds) in self.plan.fused:
            items = "".join(self.name(a) + ", " for a in reds.args)
            r, call = "(%s)" % items, "_cf(%s)" % items
        else:
            r = self.name(reds)
            r, call = r, "_cf(*%s)" % r
        # a callee tree that jumps to another of its trees (its entry trace reaching its
        # loop) goes on here, not through assembler_exit/run_compiled: two Python frames less
        # per guest call, which is the guest recursion depth the JIT costs
        return [(0, "_ct = %s[0]" % cell),
                (0, "if _ct is None or _ct.invalid:"),
                (1, "%s = %s(%s, %s)" % (res, self.name(fn), g, r)),
                (0, "else:"),
                (1, "_ct.entries += 1"),
                (1, "_ct.last_used = %s.generation" % w),
                (1, "_cf, _cx = _ct.code"),
                (1, "_cr = %s" % call),
                (1, "while True:"),
                (2, "_ce = _cx[_cr[0]]"),
                (2, "_ck = _ce.kind"),
                (2, "if _ck == 'finish':"),
                (3, "%s = _cr[1]" % res),
                (3, "break"),
                (2, "if _ck == 'jump':"),
                (3, "_cn = %s.get(_ce.target_key)" % t),
                (3, "if _cn is not None and not _cn.invalid:"),
                (4, "_ct = _cn"),
                (4, "_ct.entries += 1"),
                (4, "_ct.last_used = %s.generation" % w),
                (4, "_cf, _cx = _ct.code"),
                (4, "_cr = _cf(*_cr[1:])"),
                (4, "continue"),
                (2, "%s = %s.assembler_exit(_ct, _ce, _cr)" % (res, w)),
                (2, "break")]

    def guard(self, op: Op, indent: int) -> None:
        name = op.name
        if name in ("guard_no_exception", "guard_exception"):
            return  # a canraise op that could not raise after all (folded): nothing to check
        if name == "guard_not_invalidated":
            cond = "%s.invalid" % self.const(op.descr)
        elif name == "guard_class":
            cond = "_type(%s) is not %s" % (self.name(op.args[0]), self.name(op.args[1]))
        else:
            cond = self.op_expr(op)
        self.emit(indent, "if %s:" % cond)
        self.fail(op, indent + 1, {})

    def fail(self, guard: Op, indent: int, special: Dict[int, str]) -> None:
        descr = guard.descr_obj if hasattr(guard, "descr_obj") else None
        gd = self.tree.guard_descrs.get(id(guard))
        inline_bridge = gd is not None and gd.bridge is not None and gd.bridge_code is None
        if guard.sunk and gd is not None and not inline_bridge:
            self.pending_exit(guard, gd, indent, special)
            return
        failargs = gd.failargs if gd is not None else []
        exprs = []
        for v in failargs:
            if id(v) in special:
                exprs.append(special[id(v)])
            elif v is EXC:
                exprs.append("None")
            else:
                exprs.append(self.value(v))
        for d in guard.sunk:
            t = self.name(d.target)
            if d.kind == "append":
                for v in d.values:
                    self.emit(indent, "%s.append(%s)" % (t, self.value(v)))
            elif d.kind == "setfield" and plain_identifier(d.key):
                self.emit(indent, "%s.%s = %s" % (self.base(d.target), d.key, self.value(d.values[0])))
            elif d.kind == "setfield":
                self.emit(indent, "_setattr(%s, %s, %s)" % (t, self.const(d.key), self.value(d.values[0])))
            elif d.kind == "alloc" and d.key is list:
                self.emit(indent, "%s = [None] * %d" % (t, d.values[0].value))
            elif d.kind == "alloc":
                self.emit(indent, "%s = _new(%s)" % (t, self.const(d.key)))
            else:
                self.emit(indent, "%s[%s] = %s" % (t, self.value(d.key), self.value(d.values[0])))
        if inline_bridge:
            bridge = gd.bridge
            self.count_bridge(bridge, indent)
            # every value around the guard is dead in the bridge (see Names): it may take any
            # name, and its inputs are assigned at once (one of them may take the name of
            # another's fail argument)
            saved = self.start_trace(bridge.ops, [], free=self.all_names())
            params = [self.name(ia) for ia in bridge.inputargs]
            if params:
                self.emit(indent, "%s = %s" % ("".join(p + ", " for p in params),
                                               "".join(e + ", " for e in exprs)))
            self.ops(bridge.ops, indent, root=False)
            self.end_trace(saved)
            return
        del descr
        self.site_return(gd, indent, lambda: gd, "".join(e + ", " for e in exprs))

    def site_return(self, gd: Any, indent: int, exit: Any, args: str) -> None:
        """Leave through the guard's exit (``exit()`` makes it) with ``args``.

        In a tree's own table a guard's exit has one index for the tree's life (each version of
        its code leaves through the same one), and the exit calls what the guard's site cell
        (``GuardDescr.site``) holds: first a function that makes the exit tuple
        (``exit_maker``), then the guard's bridge when it is compiled on its own -- called right
        here with the same values, its result an exit of the same table.  So attaching a bridge
        is one store into the cell: no version of the tree's code is regenerated."""
        site = getattr(gd, "site", None)
        if site is None or not self.shared:
            self.emit(indent, "return (%d, %s)" % (self.exit_index(exit()), args))
            return
        if gd.exit_no is None:
            gd.exit_no = self.exit_index(exit())
        if site[0] is None:
            site[0] = exit_maker(gd.exit_no)
        self.emit(indent, "return %s[0](%s)" % (self.bound(site), args))

    def pending_exit(self, guard: Op, gd: Any, indent: int, special: Dict[int, str]) -> None:
        """The guard's exit with its deferred stores done out of line (see PendingExit)."""
        def expr(v: Value) -> str:
            return special[id(v)] if id(v) in special else "None" if v is EXC else self.value(v)

        plan, out, slots = pending_plan(gd, guard, expr)
        self.site_return(gd, indent, lambda: PendingExit(gd, plan, out), "".join(e + ", " for e in slots))

    def jump(self, op: Op, indent: int, root: bool = False) -> None:
        target = op.descr
        args = [self.name(a) for a in op.args]
        if target == self.tree.key and not self.standalone:
            # the loop's own back edge keeps the invariants; a bridge re-runs the preamble
            own = self.in_inner and root
            params = self.loop_params if own else self.root_params
            if args:
                self.emit(indent, "%s = %s" % (", ".join(params) + ",", ", ".join(args[:len(params)]) + ","))
            self.emit(indent, "break" if self.in_inner and not root else "continue")
            return
        ws = getattr(self.tree, "ws", None)
        k = self.exit_index(JumpExit(target, ws.tree_cell(target) if ws is not None else None))
        self.emit(indent, "return (%d, %s)" % (k, "".join(a + ", " for a in args)))


def exit_maker(k: int) -> Any:
    """What a guard's site cell holds until the guard has a bridge on its own: the exit tuple."""
    def exit(*values: Any) -> Tuple[Any, ...]:
        return (k,) + values
    return exit


def pending_plan(gd: Any, guard: Op, slot: Any) -> Tuple[List[Tuple[Any, ...]], List[Tuple[str, Any]], List[Any]]:
    """A guard exit's deferred stores and virtuals as a plan (PendingExit): its steps, where
    each fail argument comes from, and ``slot(v)`` of each value the steps and fail arguments
    read, in the order of the exit tuple.  The order depends only on the guard, so the tree's
    exit and a bridge compiled on its own for the guard agree on it."""
    slots: List[Any] = []
    slot_of: Dict[int, int] = {}
    allocs: Dict[int, int] = {}

    def src(v: Value) -> Tuple[str, Any]:
        if isinstance(v, Const):
            return ("c", v.value)
        if id(v) in allocs:
            return ("a", allocs[id(v)])
        if id(v) not in slot_of:
            slot_of[id(v)] = len(slots)
            slots.append(slot(v))
        return ("s", slot_of[id(v)])

    plan: List[Tuple[Any, ...]] = []
    for d in guard.sunk:
        if d.kind == "alloc":
            allocs[id(d.target)] = len(allocs)
            plan.append(("alloc", d.key, d.values[0].value if d.key is list else None))
        elif d.kind == "append":
            plan.append(("append", src(d.target), [src(v) for v in d.values]))
        elif d.kind == "setfield":
            plan.append(("setfield", src(d.target), d.key, src(d.values[0])))
        else:
            plan.append(("setitem", src(d.target), src(d.key), src(d.values[0])))
    out = [src(v) for v in gd.failargs]
    return plan, out, slots


def namespace(consts: Dict[str, Any]) -> Dict[str, Any]:
    ns: Dict[str, Any] = {
        "__builtins__": __builtins__,
        "_type": type,
        "_getattr": getattr,
        "_setattr": setattr,
        "_new": object.__new__,
        "_ops": operator,
        "_slice": slice,
        "_mkdict": sem.build_dict,
        "_MethodType": types.MethodType,
    }
    ns.update(consts)
    return ns


def compile_tree(tree: Any) -> Any:
    """Generate and exec the tree's source; returns (function, exits, source)."""
    return _compile(tree, None)


def compile_bridge(tree: Any, bridge: Any, gd: Any = None) -> Any:
    """Generate and exec one bridge on its own (the tree's code is not regenerated): returns
    (function, exits, source).  Its exits go into the tree's table.  The tree's guard calls it
    from its site cell (``site_return``) until the next regeneration of the whole tree nests it
    in place; it takes what the guard's exit tuple holds (a PendingExit's slots included)."""
    return _compile(tree, bridge, gd)


def _compile(tree: Any, bridge: Any, gd: Any = None) -> Any:
    if bridge is not None and gd is None:  # the GuardDescr the bridge hangs from
        gd = next((g for g in tree.guard_descrs.values() if g.bridge is bridge), None)
    for bind_all in (False, True):
        gen = PyGen(tree, bind_all)
        src = gen.generate() if bridge is None else gen.generate_bridge(bridge, gd)
        ns = namespace(gen.consts)
        ns["_bcount"] = getattr(tree, "bridge_entries", {})
        if bridge is not None and hasattr(tree, "hot_bridge_names"):
            ns.update(tree.hot_bridge_names(gd, ns))
        t2 = getattr(tree, "t2", None)
        if t2 is not None and bridge is None:
            t2.bind(ns, gen.exits)
        name = "tree_%d" % tree.id if bridge is None else "bridge_%d" % bridge.id
        try:
            code = compile_source(src, "<metatrace %s>" % name.replace("_", " "))
        except SourceWarning:
            if bind_all:
                raise
            continue  # a literal Python warns about: again with every constant bound
        exec(code, ns)
        return ns[name], gen.exits, src
    raise AssertionError("unreachable")


def compile_source(src: str, filename: str) -> Any:
    """Compile generated source; a warning (``57.__class__``, an ``is`` with a literal,
    ``None[0]``) means the generator wrote something it did not mean, and is an error too
    (``SourceWarning``) rather than a message on the user's stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = compile(src, filename, "exec")
        except (SyntaxError, ValueError) as e:
            raise CodegenError("generated source does not compile (%s: %s)" % (type(e).__name__, e)) from e
    if caught:
        raise SourceWarning("generated source draws a %s: %s" % (caught[0].category.__name__, caught[0].message))
    return code
