"""The tracer: a meta-interpreter of jitcode that executes on real values and records trace ops.

Every register holds a concrete value and a trace value (a box: an op, an input argument or a
constant).  Each jitcode instruction is executed for real, exactly as the blackhole interpreter
would, and recorded; branches record guards, calls are inlined (a new frame) or recorded as
residual calls.  An instruction records at most one op with an effect, and that op comes last:
a guard before it resumes by re-executing the instruction ("redo"), a guard after it resumes
with its result or exception ("done").
"""

from __future__ import annotations

import builtins
import math
import types
from time import perf_counter as _clock
from typing import Any, Dict, List, Optional, Tuple

from .. import hints
from ..annotate.codewriter import Unsupported, jitcode_for
from ..annotate.jitcode import UNBOUND
from ..ir.effects import INTS, SIZED, runs_no_user_code
from ..ir.model import EXC, Const, FrameSnapshot, InputArg, Op, Snapshot, Value, born_before, type_of
from ..ir.ops import BOOL_RESULT, OPS
from . import semantics as sem
from .blackhole import BHFrame, Outcome
from .quasiimmut import InvalidationToken, add_dependency, immutable_fields, is_immutable_class


class AbortTrace(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class TracedException(Exception):
    def __init__(self, exc: BaseException, box: Value) -> None:
        super().__init__()
        self.exc = exc
        self.box = box


class TraceDone(Exception):
    """The trace is complete: ``end`` is ``jump`` (to ``target_key``), ``finish`` (the portal
    returns ``args[0]``) or ``raise`` (the portal raises ``args[0]``)."""

    def __init__(self, end: str, target_key: Any = None, args: Optional[List[Value]] = None,
                 outcome: Optional[Outcome] = None) -> None:
        super().__init__(end)
        self.end = end
        self.target_key = target_key
        self.args = args or []
        self.outcome = outcome


class StopNow(Exception):
    """Leave the tracer with this outcome (nothing to compile)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__()
        self.outcome = outcome


class MIFrame:
    __slots__ = ("jitcode", "func", "pc", "values", "boxes", "override", "start_ops", "assembler",
                 "looped", "passed", "entry", "probe")

    def __init__(self, jitcode: Any, func: Any, start_ops: int) -> None:
        self.jitcode = jitcode
        self.func = func
        self.pc = 0
        self.values: List[Any] = list(jitcode.init_regs)
        boxes = getattr(jitcode, "_init_boxes", None)
        if boxes is None:
            boxes = [Const(v) for v in jitcode.init_regs]
            jitcode._init_boxes = boxes
        self.boxes: List[Value] = list(boxes)
        self.override: Optional[Tuple[Any, Value]] = None
        self.start_ops = start_ops
        self.assembler = False  # a portal call's prologue, ending in call_assembler
        self.looped = False  # an inlined portal call took a back edge of its own
        self.passed: Optional[set] = None  # ... without can_enter_jit: the green keys it passed
        self.entry: Any = None  # an inlined portal call: the green key of its first merge point
        self.probe: Optional["Probe"] = None  # a call traced into to measure it (start_probe)

    def set(self, reg: int, value: Any, box: Value) -> None:
        self.values[reg] = value
        self.boxes[reg] = box


MIN_FUNCTION_OPS = 24  # a trace ending in the portal's return must do at least this much work
# (entering compiled code costs about as much as running ~20 trace operations in tier 1)
MIN_FUNCTION_STEPS = 6  # ... or replace at least this many interpreted instructions

# what a trace knows, copied when a probe starts and put back if it is rolled back; the
# containers are replaced, never mutated, by the restore (``lists`` entries are copied too)
_PROBE_DICTS = ("known_class", "tuple_items", "bound_methods", "heap", "heap_immutable", "items",
                "promoted", "canon_consts", "syms", "min_nonneg")
_PROBE_SETS = ("fresh", "distinct", "nonneg", "assembler_calls")
_PROBE_SCALARS = ("inlined_portals", "merge_points_seen")


class Probe:
    """A call to a portal nothing is known of yet, traced into from its first merge point to
    learn whether it is tiny (see MetaInterp.start_probe): what the trace was before it."""

    __slots__ = ("rt", "greens", "reds", "rboxes", "nops", "depth", "frame_boxes", "saved")

    def __init__(self, mi: "MetaInterp", rt: Any, greens: Tuple[Any, ...], reds: List[Any],
                 rboxes: List[Value]) -> None:
        self.rt = rt
        self.greens = greens
        self.reds = reds
        self.rboxes = rboxes
        self.nops = len(mi.ops)
        self.depth = len(mi.framestack) - 1  # the probed frame's index
        self.frame_boxes = [list(f.boxes) for f in mi.framestack[:-1]]
        saved: Dict[str, Any] = {}
        for name in _PROBE_DICTS:
            saved[name] = dict(getattr(mi, name))
        for name in _PROBE_SETS:
            saved[name] = set(getattr(mi, name))
        for name in _PROBE_SCALARS:
            saved[name] = getattr(mi, name)
        saved["lists"] = [list(e) for e in mi.lists]
        self.saved = saved

    def work(self, mi: "MetaInterp") -> Tuple[int, int]:
        """Operations (not bookkeeping) and interpreted instructions recorded since it began."""
        work = steps = 0
        for op in mi.ops[self.nops:]:
            name = op.name
            if name == "debug_merge_point":
                steps += 1
            elif name != "guard_no_exception":
                work += 1
        return work, steps

    def restore(self, mi: "MetaInterp") -> None:
        del mi.ops[self.nops:]
        del mi.framestack[self.depth:]
        for f, boxes in zip(mi.framestack, self.frame_boxes):
            f.boxes[:] = boxes
        for name, value in self.saved.items():
            setattr(mi, name, value)


_CONST_GLOBAL_TYPES = (types.FunctionType, types.BuiltinFunctionType, type, types.ModuleType,
                       types.MethodType, staticmethod, classmethod)
_INT_OPS = {"add", "sub", "mul", "and", "or", "xor", "floordiv", "mod", "lshift", "rshift"}
_FLOAT_OPS = {"add": "float_add", "sub": "float_sub", "mul": "float_mul", "truediv": "float_truediv"}
_PURE_BUILTINS = {abs, len, min, max, chr, ord, int, float, str, bool, hash, divmod, round, repr}
_PURE_BUILTIN_IDS = {id(f) for f in _PURE_BUILTINS}
_IMMUTABLE_TYPES = (int, float, str, bool, type(None), tuple, bytes, frozenset)
_BUILTIN_TRUTH = {bool, int, float, str, list, tuple, dict, type(None), bytes, set, frozenset}


def _foldable(v: Any) -> bool:
    """Operators on these values are pure and cannot run user code."""
    t = type(v)
    if t in (int, float, str, bool, type(None), bytes):
        return True
    return t is tuple and all(_foldable(x) for x in v)


LEFT_LOOP_RETRIES = 3  # root traces aborted as left_loop from one key before one may close anyway
IMMUTABLE_ARRAYS_KEPT = 100000  # immutable lists remembered across traces (they are kept alive)
_BUILTIN_VALUE_TYPES = {int, float, str, bool, type(None), bytes}
_MATH_IDS = {id(getattr(math, n)) for n in dir(math) if callable(getattr(math, n))}
_LIST_READERS = (list.__getitem__, list.__len__, list.__contains__, list.index, list.count, list.copy)


def _plain_truthy(cls: type) -> bool:
    """Instances are always true (no __bool__ / __len__ anywhere in the class)."""
    return not hasattr(cls, "__bool__") and not hasattr(cls, "__len__")


_MemberDescriptor = type(type("_S", (), {"__slots__": ("x",)}).__dict__["x"])


def _plain_slot(attr: Any) -> bool:
    """A class attribute that leaves instance attribute access plain: none, a __slots__ member,
    or a non-descriptor value shadowed by the instance."""
    return attr is None or type(attr) is _MemberDescriptor or not hasattr(attr, "__set__")


def _is_plain_class(cls: Any) -> bool:
    """Instantiating ``cls`` is ``object.__new__`` + ``__init__``: we can trace it."""
    return (type(cls) is type and cls.__new__ is object.__new__
            and not issubclass(cls, BaseException) and bool(cls.__flags__ & (1 << 9)))  # heap type


def _class_attr(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        d = klass.__dict__
        if name in d:
            return d[name]
    return None


_DISPATCH: Dict[type, Dict[str, Any]] = {}


def _dispatch_table(cls: type) -> Dict[str, Any]:
    table = _DISPATCH.get(cls)
    if table is None:
        table = {name[3:]: getattr(cls, name) for name in dir(cls) if name.startswith("op_")}
        _DISPATCH[cls] = table
    return table


class MetaInterp:
    """Records one trace (a loop from a merge point, or a bridge from a guard)."""

    def __init__(self, warmstate: Any, kind: str) -> None:
        self.ws = warmstate
        self.driver = warmstate.driver
        self.kind = kind  # "loop" or "bridge"
        self.ops: List[Op] = []
        self.inputargs: List[InputArg] = []
        self.framestack: List[MIFrame] = []
        self.known_class: Dict[Value, type] = {}
        self.tuple_items: Dict[Value, List[Value]] = {}
        # lists read from ``name[*]`` fields: their items never change.  Shared by all traces
        # of the warm state, so a bridge that starts with such a list as a constant (the
        # parent read the field) still folds reads of it
        self.immutable_arrays: Dict[int, Any] = warmstate.immutable_arrays
        self.bound_methods: Dict[Value, Tuple[Any, Value]] = {}
        # heap cache: (object box, attribute) -> value box; cleared by anything that may run user code
        self.heap: Dict[Tuple[Value, str], Value] = {}
        # reads of immutable fields (``_immutable_fields_``, not quasi): never forgotten,
        # whatever runs in between -- nothing may write them after the constructor
        self.heap_immutable: Dict[Tuple[Value, str], Value] = {}
        # item cache: (list box, constant index) -> value box, for lists of known class
        self.items: Dict[Tuple[Value, int], Value] = {}
        # value boxes a guard proved equal to a constant (replace_box), for the caches above
        self.promoted: Dict[Value, Const] = {}
        # one Const per constant object used as a container, so the caches above see the same
        # object through the same box however often the trace names it
        self.canon_consts: Dict[int, Const] = {}
        self.fresh: set = set()  # boxes of objects allocated by the trace (``new``)
        # list boxes used so far (with their list), and pairs proven distinct by a guard
        self.lists: List[List[Any]] = []  # [box, list, written in this trace]
        self.distinct: set = set()
        # int boxes known to be >= 0 (so list indices built from them never wrap around), and
        # boxes as base + offset with the smallest offset proven >= 0 for each base
        self.nonneg: set = set()
        self.syms: Dict[Value, Tuple[Value, int]] = {}
        self.min_nonneg: Dict[Value, int] = {}
        self.start_key: Any = None
        # the green key of the tree this trace belongs to (a root trace's start key; a bridge's
        # tree): what no_portal_inlining and recursion are judged by
        self.home_key: Any = None
        self.known_at_start: Dict[int, type] = {}  # id(input arg) -> class known before tracing
        self.token = InvalidationToken()
        self.limit = self.driver.params["trace_limit"]
        self.first_merge_point = True
        self.location: Any = None
        self.inline_sizes: Dict[Any, int] = {}
        self.residual_reasons: Dict[str, str] = {}
        self.merge_points_seen = 0
        # a root trace started at a back edge (can_enter_jit) stops when it takes another
        # loop's back edge first: it left its loop (see op_merge_point)
        self.from_back_edge = False
        self.back_edge_taken = False
        self.inlined_portals = 0
        self.assembler_calls: set = set()  # green keys entered through call_assembler
        self.probing: Optional[MIFrame] = None  # the frame of the call being probed, if any
        # seconds in the calls the trace made for real (residual calls, call_assembler): the
        # program running, not the tracer (tracing_s leaves them out)
        self.native_s = 0.0
        self.tracing_s = 0.0  # the tracer's own time, once it has stopped (set by the warm state)

    # -- setup -------------------------------------------------------------------------
    def setup_loop(self, key: Tuple[Any, ...], reds: Tuple[Any, ...]) -> None:
        jc = self.ws.portal_jitcode
        frame = MIFrame(jc, self.ws.portal_func, 0)
        frame.pc = jc.merge_point_pc
        for reg, value in zip(jc.green_regs, key):
            frame.set(reg, value, Const(value))
        for reg, value in zip(jc.red_regs, reds):
            ia = InputArg(type_of(value))
            self.inputargs.append(ia)
            frame.set(reg, value, ia)
        self.framestack.append(frame)
        self.start_key = self.home_key = key

    def setup_bridge(self, snapshot: Snapshot, failargs: List[Value], values: List[Any],
                     known: Optional[Dict[int, type]] = None,
                     known_value: Optional[Tuple[int, Any]] = None,
                     fresh: Optional[set] = None,
                     item_facts: Optional[List[Tuple[int, int, Value]]] = None) -> Tuple[str, Any, Any]:
        """Frames from a guard's resume data; returns (mode, result, exc) for the top frame.
        ``fresh``: failarg indices of objects the guard's exit allocated (none of the others)."""
        mapping: Dict[int, Tuple[Any, Value]] = {}
        known = known or {}
        for j, (v, val) in enumerate(zip(failargs, values)):
            ia = InputArg("r" if v is EXC else v.type)
            self.inputargs.append(ia)
            box: Value = ia
            if known_value is not None and known_value[0] == j and val is known_value[1]:
                box = Const(val)
            elif j in known and type(val) is known[j]:
                self.known_class[ia] = known[j]
                if fresh and j in fresh:
                    self.fresh.add(ia)
            mapping[id(v)] = (val, box)

        def get(v: Value) -> Tuple[Any, Value]:
            if isinstance(v, Const):
                return v.value, v
            return mapping[id(v)]

        for o, name, v in snapshot.heap or ():
            # what the parent trace knew of the heap at its guard holds here too (its exit did
            # the stores it had delayed): this bridge does not read those attributes again
            try:
                obox, vbox = get(o)[1], get(v)[1]
            except KeyError:
                continue
            self.heap[(self.canon(obox), name)] = vbox
        for j, idx, v in item_facts or ():
            # the items the exit stored into a list it allocated
            lbox = self.inputargs[j]
            if lbox in self.fresh and 0 <= idx < len(values[j]):
                try:
                    self.items[(lbox, idx)] = get(v)[1]
                except KeyError:
                    pass
        for fs in snapshot.frames:
            frame = MIFrame(fs.jitcode, fs.func, 0)
            frame.pc = fs.pc
            for reg, v in fs.regs:
                val, box = get(v)
                frame.set(reg, val, box)
            if fs.override is not None:
                frame.override = get(fs.override)
            self.framestack.append(frame)
        self.known_at_start = {id(ia): self.known_class[ia] for ia in self.inputargs if ia in self.known_class}
        result = get(snapshot.result) if snapshot.result is not None else None
        exc = get(snapshot.exc) if snapshot.exc is not None else None
        if exc is not None:
            # a guard_exception exits both when the op raised another exception and when it
            # raised none: this bridge follows one of the two, so it first checks it is in that
            # case, and otherwise resumes exactly as its guard does (the frames are still the
            # guard's: the same snapshot)
            self.guard("guard_isnull" if exc[0] is None else "guard_nonnull", [exc[1]],
                       mode=snapshot.mode, result=result[1] if result is not None else None, exc=exc[1])
            if exc[0] is None:
                exc = None  # the op did not raise: resume with its result
        return snapshot.mode, result, exc

    # -- recording ---------------------------------------------------------------------
    def record(self, name: str, args: List[Value], descr: Any = None, type: Optional[str] = None) -> Op:
        op = Op(name, args, descr, type)
        frame = self.framestack[-1] if self.framestack else None
        if frame is not None:
            op.location = (frame.jitcode.filename, frame.jitcode.line_of(frame.pc), frame.jitcode.name)
        self.ops.append(op)
        return op

    def snapshot(self, mode: str, result: Optional[Value] = None, exc: Optional[Value] = None) -> Snapshot:
        frames = []
        for f in self.framestack:
            boxes = f.boxes
            regs = [(r, boxes[r]) for r in f.jitcode.live_sorted(f.pc)]
            frames.append(FrameSnapshot(f.jitcode, f.pc, regs, f.func,
                                        f.override[1] if f.override is not None else None))
        return Snapshot(frames, mode, result, exc)

    def guard(self, name: str, args: List[Value], descr: Any = None, mode: str = "redo",
              result: Optional[Value] = None, exc: Optional[Value] = None) -> Op:
        op = self.record(name, args, descr)
        snap = op.snapshot = self.snapshot(mode, result, exc)
        if self.heap and mode == "redo" and exc is None:
            # the attributes known here, for a bridge from this guard (not after an operation
            # that raised or may have: the heap cache is updated after its guard)
            live = {id(v) for f in snap.frames for _r, v in f.regs}
            promoted = self.promoted
            facts = [(o, n, promoted.get(v, v)) for (o, n), v in self.heap.items()
                     if (isinstance(o, Const) or id(o) in live)
                     and (isinstance(v, Const) or id(v) in live or v in promoted)]
            if facts:
                snap.heap = facts
        return op

    def ensure_class(self, box: Value, value: Any) -> None:
        if isinstance(box, Const) or box in self.known_class:
            return
        cls = type(value)
        self.guard("guard_class", [box, Const(cls)])
        self.known_class[box] = cls

    def class_of(self, box: Value) -> Optional[type]:
        if isinstance(box, Const):
            return type(box.value)
        return self.known_class.get(box)

    def execute(self, name: str, boxes: List[Value], values: Tuple[Any, ...], fn: Any,
                descr: Any = None, result_class: Optional[type] = None, need_guard: bool = True) -> Tuple[Any, Value]:
        """Run ``fn(*values)`` and record op ``name``; follows an exception into the trace."""
        spec = OPS[name]
        if name.startswith("py_") and all(isinstance(b, Const) for b in boxes) and all(
                _foldable(v) for v in values):
            try:
                value = fn(*values)
            except BaseException:  # noqa: B036 - record it and let the trace follow it
                pass
            else:
                return value, Const(value)
        t0 = _clock() if spec.flags & 16 or name == "call_pure" else 0.0
        try:
            value = fn(*values)
        except BaseException as e:  # noqa: B036 - interpreted code may raise anything
            if t0:
                self.native_s += _clock() - t0
            op = self.record(name, boxes, descr)
            excbox = self.guard("guard_exception", [], type(e), mode="done",
                                result=op if op.has_result() else None, exc=EXC)
            self.known_class[excbox] = type(e)
            raise TracedException(e, excbox)
        if t0:
            self.native_s += _clock() - t0
        if spec.pure and not (spec.flags & 32) and all(isinstance(b, Const) for b in boxes):
            return value, Const(value)
        op = self.record(name, boxes, descr)
        if spec.flags & 16 and self.may_run_user_code(name, boxes):
            self.heap.clear()
            self.items.clear()
        elif name == "call" and self.items and not self.math_on_numbers(boxes):
            if len(boxes) > 1 and self.class_of(boxes[1]) is list:
                keep_own = isinstance(boxes[0], Const) and boxes[0].value is list.append
                self.list_written(boxes[1], keep_own)
            else:
                self.items.clear()
        if result_class is not None:
            self.known_class[op] = result_class
        elif name in BOOL_RESULT:
            self.known_class[op] = bool
        if spec.canraise and need_guard:
            self.guard("guard_no_exception", [], mode="done",
                       result=op if op.has_result() else None, exc=EXC)
        return value, op

    def canon(self, box: Value) -> Value:
        if isinstance(box, Const) and type(box.value) not in _BUILTIN_VALUE_TYPES:
            return self.canon_consts.setdefault(id(box.value), box)
        return box

    def forget_items(self, listbox: Value) -> None:
        self.items.clear()

    def born_apart(self, a: Value, b: Value) -> bool:
        """``a`` and ``b`` (not the same box) are different objects because one was allocated by
        the trace after the other existed, or both were allocated by the trace."""
        fresh = self.fresh
        if a in fresh:
            return b in fresh or born_before(b, a)
        return b in fresh and born_before(a, b)

    def is_distinct(self, a: Value, b: Value) -> bool:
        return (id(a), id(b)) in self.distinct or (a is not b and self.born_apart(a, b))

    def separate(self, box: Value, value: Any, writing: bool = False) -> None:
        """Before a list is read or written through ``box``: prove, with one ``ptr_ne`` guard
        per pair, that it is not the same list as the other list boxes of the trace, so that
        caching reads and sinking appends of one list survive writes to the other.  Only pairs
        where one side is written need it."""
        if type(value) is not list:
            return
        mine = None
        for entry in self.lists:
            other, oval, owritten = entry
            if other is box:
                mine = entry
                continue
            if not (writing or owritten) or self.is_distinct(box, other) or oval is value:
                continue
            cond = self.record("ptr_ne", [box, other])
            self.known_class[cond] = bool
            self.guard("guard_true", [cond])
            self.distinct.add((id(box), id(other)))
            self.distinct.add((id(other), id(box)))
        if mine is None:
            self.lists.append([box, value, writing])
            if len(self.lists) > 8:
                del self.lists[0]
        elif writing:
            mine[2] = True

    def promote_box(self, box: Value, value: Any) -> Value:
        """Guard that ``box`` holds ``value`` (by equality for plain values, by identity for
        other objects) and use the constant from now on."""
        if isinstance(box, Const):
            return box
        if type(value) in (int, float, str, bool, type(None), bytes):
            self.guard("guard_value", [box, Const(value)], type(value))
        else:
            self.guard("guard_is", [box, Const(value)])
        c = Const(value)
        self.replace_box(box, c)
        return c

    def promote_greens(self, frame: MIFrame) -> Tuple[Any, ...]:
        """The green key at a merge point, with every green made a constant of the trace."""
        greens = []
        for r in frame.jitcode.green_regs:
            v = frame.values[r]
            frame.set(r, v, self.promote_box(frame.boxes[r], v))
            greens.append(v)
        return tuple(greens)

    def replace_box(self, old: Value, new: Value) -> None:
        """After a guard proved ``old`` equal to the constant ``new``: use the constant wherever
        the tracer still holds ``old`` (registers of every frame, heap and item caches)."""
        # `in` compares by identity first, in C (values define no __eq__): most frames and
        # caches do not hold `old`, and are not walked in Python
        for f in self.framestack:
            boxes = f.boxes
            if old in boxes:
                for i, b in enumerate(boxes):
                    if b is old:
                        boxes[i] = new
        # the caches are big (every attribute read of the trace): their values are mapped
        # when read (``cached``), not searched here on every promotion
        self.promoted[old] = new

    def cached(self, box: Optional[Value]) -> Optional[Value]:
        """A value box read from the heap or item caches, as a constant if it was promoted."""
        if box is not None and self.promoted:
            return self.promoted.get(box, box)
        return box

    def is_nonneg(self, box: Value) -> bool:
        if isinstance(box, Const):
            return type(box.value) is int and box.value >= 0
        if box in self.nonneg:
            return True
        base, off = self.syms.get(box, (box, 0))
        low = self.min_nonneg.get(base)
        return low is not None and off >= low

    def index_nonneg(self, ibox: Value, idx: Any) -> None:
        """A computed list index that is >= 0 now: guard it once, so that the optimizer may
        tell ``L[i]`` and ``L[i + 1]`` apart (negative indices wrap around)."""
        if type(idx) is int and idx >= 0 and not self.is_nonneg(ibox):
            cond = self.record("int_ge", [ibox, Const(0)])
            self.known_class[cond] = bool
            self.guard("guard_true", [cond])
            self.nonneg.add(ibox)
            base, off = self.syms.get(ibox, (ibox, 0))
            self.min_nonneg[base] = min(off, self.min_nonneg.get(base, off))

    def list_written(self, box: Value, keep_own: bool = False) -> None:
        """Forget cached items a write through ``box`` may have changed."""
        self.items = {k: v for k, v in self.items.items()
                      if (k[0] is box and keep_own) or (k[0] is not box and self.is_distinct(k[0], box))}

    def plain_index(self, box: Value) -> bool:
        """An int, or a slice whose bounds are ints or None: indexing with it calls no __index__."""
        if self.class_of(box) in INTS:
            return True
        if isinstance(box, Const):
            v = box.value
            return type(v) is slice and all(type(x) in (int, bool, type(None)) for x in (v.start, v.stop, v.step))
        return (isinstance(box, Op) and box.name == "new_slice"
                and all(self.class_of(b) in (int, bool, type(None)) for b in box.args))

    def math_on_numbers(self, boxes: List[Value]) -> bool:
        """A call of a ``math`` function on numbers of known class (it reads no memory)."""
        return (isinstance(boxes[0], Const) and id(boxes[0].value) in _MATH_IDS
                and all(self.class_of(b) in (int, float, bool) for b in boxes[1:]))

    def may_run_user_code(self, name: str, boxes: List[Value]) -> bool:
        """Could this side-effecting op write attributes we cached (by running user code)?"""
        if name in ("setfield", "call_pure"):
            return False  # an elidable function changes nothing the trace can see
        if name == "call":
            # a builtin on arguments of classes it calls no method of (see ir/effects.py)
            if isinstance(boxes[0], Const) and runs_no_user_code(
                    boxes[0].value, [self.class_of(b) for b in boxes[1:]]):
                return False
            # math functions on numbers of known class run no Python code
            return not self.math_on_numbers(boxes)
        if name.startswith("py_") and name != "py_contains" and boxes \
                and all(self.class_of(b) in _BUILTIN_VALUE_TYPES for b in boxes):
            return False  # an operator on builtin numbers and strings runs no Python code
        if name in ("py_add", "py_mul") and len(boxes) == 2:
            a, b = self.class_of(boxes[0]), self.class_of(boxes[1])
            # list + list, tuple + tuple, list * int: copies references, calls no method of them
            if (name == "py_add" and a is b and a in (list, tuple)) or (
                    name == "py_mul" and a in (list, tuple) and b in INTS):
                return False
        if name == "py_contains":
            # ``x in container`` (boxes: container, x): in a list or tuple it calls the items'
            # __eq__; in a str or bytes it only compares bytes
            return not (self.class_of(boxes[0]) in (str, bytes) and self.class_of(boxes[1]) in (str, bytes))
        if name in ("getitem", "setitem", "delitem", "len"):
            cls = self.class_of(boxes[0])
            # an index of another class may have an __index__ (a slice, one of its bounds)
            if cls in (list, tuple, str, bytes) and (len(boxes) == 1 or self.plain_index(boxes[1])):
                return False
            if cls is bytearray and all(self.class_of(b) is int for b in boxes[1:]):
                return False  # int index and value: no __index__ to call
            if cls is dict and len(boxes) > 1 and self.class_of(boxes[1]) in _BUILTIN_VALUE_TYPES:
                return False
        return True

    def fold_call(self, frame: MIFrame, d: int, fn: Any, args: Tuple[Any, ...],
                  kwnames: Tuple[str, ...] = ()) -> bool:
        """Run ``fn`` now and make its result a constant in register ``d``; False if it raised
        (then the caller records the operation, which will raise again at run time)."""
        try:
            value = sem.call(fn, args, kwnames)
        except BaseException:  # noqa: B036
            return False
        frame.set(d, value, Const(value))
        frame.pc += 1
        return True

    # -- main loop ---------------------------------------------------------------------
    def run(self, mode: str = "redo", result: Any = None, exc: Any = None) -> TraceDone:
        """Trace until the trace is complete (returns) or it must stop (raises)."""
        self.resumed = mode != "done"
        if mode == "done":
            if exc is not None:
                self.handle_exception(exc[0], exc[1])
            else:
                if result is not None:  # None after an op without a result (setitem, delitem)
                    self.store_result(self.framestack[-1], result[0], result[1])
                self.framestack[-1].pc += 1
            self.resumed = True  # the guard's instruction is done: its frames may run on
        # the op_* functions of the class, called with self: a dict of bound methods kept on the
        # instance made every MetaInterp a reference cycle, so each trace's whole object graph
        # (ops, frames, caches) was garbage only the cyclic GC could free (SOM Havlak: gen-0
        # collections finding ~100k unreachable objects, 0.1-0.2 s each)
        dispatch = _dispatch_table(type(self))
        while True:
            frame = self.framestack[-1]
            ins = frame.jitcode.code[frame.pc]
            try:
                dispatch[ins[0]](self, frame, ins)
            except TracedException as te:
                self.handle_exception(te.exc, te.box)
            if len(self.ops) > self.limit:
                raise AbortTrace("too_long", "the trace exceeded trace_limit=%d operations" % self.limit)

    def store_result(self, frame: MIFrame, value: Any, box: Value) -> None:
        ins = frame.jitcode.code[frame.pc]
        op = ins[0]
        if op == "unpack":
            self._unpack_into(frame, ins[1], value, box)
        elif op == "for_iter":
            if sem.is_exhausted(value):
                frame.pc = ins[3] - 1
            else:
                frame.set(ins[1], value, box)
        elif op == "range_check":
            self._range_bounds(frame, ins, value, box)
        elif op in ("setattr", "setitem", "delitem"):
            pass
        else:
            frame.set(ins[1], value, box)

    def handle_exception(self, exc: BaseException, box: Value) -> None:
        while True:
            frame = self.framestack[-1]
            jc = frame.jitcode
            h = jc.handler_for(frame.pc)
            if len(self.framestack) == 1 and h == jc.handler_for(jc.merge_point_pc):
                if isinstance(box, Const) or isinstance(exc, (RecursionError, MemoryError)):
                    # an exception object made while tracing (an interpreter error: compiled
                    # code would raise that same object every time), or the stack or memory
                    # running out (no room left to compile, and no path worth compiling)
                    raise StopNow(Outcome("raise", exc))
                # the exception leaves the interpreter loop (a non-local return, a guest
                # exception): the trace ends by raising it, as the portal would
                raise TraceDone("raise", args=[box], outcome=Outcome("raise", exc))
            if h is not None:
                frame.set(h[1], exc, box)
                frame.pc = h[0]
                return
            self.pop_frame()

    def pop_frame(self) -> MIFrame:
        frame = self.framestack.pop()
        if frame.probe is not None:
            # the probed call raised: its operations (a short path) stay, it is measured again
            frame.probe = None
            self.probing = None
        n = len(self.ops) - frame.start_ops
        key = frame.jitcode
        if n > self.inline_sizes.get(key, 0):
            self.inline_sizes[key] = n
        return frame

    def biggest_inlined(self) -> Any:
        for f in self.framestack[1:]:
            n = len(self.ops) - f.start_ops
            if n > self.inline_sizes.get(f.jitcode, 0):
                self.inline_sizes[f.jitcode] = n
        best, size = None, 0
        for jc, n in self.inline_sizes.items():
            if jc is not self.ws.portal_jitcode and n > size:
                best, size = jc, n
        return best

    def blackhole_frames(self) -> List[BHFrame]:
        out = []
        for f in self.framestack:
            bf = BHFrame(f.jitcode, f.func, f.pc, list(f.values),
                         f.override[0] if f.override is not None else None, f.override is not None)
            out.append(bf)
        return out

    # -- instructions ------------------------------------------------------------------
    def op_move(self, frame: MIFrame, ins: tuple) -> None:
        frame.set(ins[1], frame.values[ins[2]], frame.boxes[ins[2]])
        frame.pc += 1

    def op_check_bound(self, frame: MIFrame, ins: tuple) -> None:
        # whether a local is bound depends only on the path taken, which the trace guards
        if frame.values[ins[1]] is UNBOUND:
            e = sem.unbound_local(ins[2])
            raise TracedException(e, Const(e))
        frame.pc += 1

    def op_nop(self, frame: MIFrame, ins: tuple) -> None:
        frame.pc += 1

    def op_can_enter_jit(self, frame: MIFrame, ins: tuple) -> None:
        if len(self.framestack) == 1:
            self.back_edge_taken = True  # the next merge point is a loop's header
        elif frame.jitcode.portal_runtime is not None:
            # an inlined portal call loops: rather than unrolling its loop into this trace, its
            # next merge point (the loop's header) becomes a call_assembler of that loop
            frame.looped = True
        frame.pc += 1

    def op_goto(self, frame: MIFrame, ins: tuple) -> None:
        frame.pc = ins[1]

    def truth(self, frame: MIFrame, reg: int) -> bool:
        value, box = frame.values[reg], frame.boxes[reg]
        if isinstance(box, Const):
            return bool(value)
        cls = type(value)
        known = self.known_class.get(box)
        if known is bool:
            self.guard("guard_true" if value else "guard_false", [box])
            return bool(value)
        if cls in _BUILTIN_TRUTH or _plain_truthy(cls):
            self.ensure_class(box, value)
            if cls in _BUILTIN_TRUTH:
                self.guard("guard_true" if value else "guard_false", [box])
                return bool(value)
            return True
        t, tbox = self.execute("py_bool", [box], (value,), bool)
        self.guard("guard_true" if t else "guard_false", [tbox])
        return t

    def op_goto_if_not(self, frame: MIFrame, ins: tuple) -> None:
        if self.truth(frame, ins[1]):
            frame.pc += 1
        else:
            frame.pc = ins[2]

    def op_goto_if(self, frame: MIFrame, ins: tuple) -> None:
        if self.truth(frame, ins[1]):
            frame.pc = ins[2]
        else:
            frame.pc += 1

    def op_binop(self, frame: MIFrame, ins: tuple, inplace: bool = False) -> None:
        _, d, opname, a, b = ins
        va, vb = frame.values[a], frame.values[b]
        ba, bb = frame.boxes[a], frame.boxes[b]
        ta, tb = type(va), type(vb)
        if opname == "mul" and not inplace and ta is list and tb is int and self._repeat_list(frame, d, ba, va, bb, vb):
            return
        if ta is int and tb is int and opname in _INT_OPS:
            self.ensure_class(ba, va)
            self.ensure_class(bb, vb)
            name = "int_" + opname
            fn = OPS[name].impl
            rc = int
        elif ta is float and tb is float and opname in _FLOAT_OPS:
            self.ensure_class(ba, va)
            self.ensure_class(bb, vb)
            name = _FLOAT_OPS[opname]
            fn = OPS[name].impl
            rc = float
        elif opname in _FLOAT_OPS and _exact_float_const(ta, tb, ba, bb, va, vb):
            # float op int constant: Python converts the int to a double first, exactly here
            self.ensure_class(ba, va)
            self.ensure_class(bb, vb)
            ba, bb, va, vb = _floated(ba, va), _floated(bb, vb), float(va), float(vb)
            name = _FLOAT_OPS[opname]
            fn = OPS[name].impl
            rc = float
        else:
            name = ("py_i" if inplace else "py_") + opname
            fn = (sem.INPLACE if inplace else sem.BINOP)[opname]
            rc = None
        value, box = self.execute(name, [ba, bb], (va, vb), fn, result_class=rc)
        if name == "int_add" and self.is_nonneg(ba) and self.is_nonneg(bb):
            self.nonneg.add(box)
        if name in ("int_add", "int_sub") and isinstance(bb, Const) and not isinstance(box, Const):
            base, off = self.syms.get(ba, (ba, 0))
            self.syms[box] = (base, off + (vb if name == "int_add" else -vb))
        frame.set(d, value, box)
        frame.pc += 1

    def _repeat_list(self, frame: MIFrame, d: int, ba: Value, va: list, bb: Value, vb: int) -> bool:
        """``[x, ...] * n`` with a list literal of constants built by this trace and a constant
        count (``[None] * method.frame_size``): one ``new_list`` of the repeated items, so the
        optimizer sees a fresh list of known length instead of a residual multiplication."""
        if not (isinstance(ba, Op) and ba.name == "new_list" and isinstance(bb, Const)):
            return False
        if len(va) != len(ba.args) or len(va) * max(vb, 0) > 64:
            return False
        if not all(isinstance(a, Const) and a.value is v for a, v in zip(ba.args, va)):
            return False  # the literal was changed since it was built
        value = va * vb
        op = self.record("new_list", list(ba.args) * max(vb, 0))
        self.known_class[op] = list
        self.fresh.add(op)
        frame.set(d, value, op)
        frame.pc += 1
        return True

    def op_inplace(self, frame: MIFrame, ins: tuple) -> None:
        self.op_binop(frame, ins, inplace=True)

    def op_unop(self, frame: MIFrame, ins: tuple) -> None:
        _, d, opname, a = ins
        va, ba = frame.values[a], frame.boxes[a]
        t = type(va)
        if opname == "not":
            t_ = self.truth(frame, a)
            frame.set(d, not t_, Const(not t_))
            frame.pc += 1
            return
        if t is int and opname in ("neg", "invert", "pos"):
            self.ensure_class(ba, va)
            if opname == "pos":
                frame.set(d, va, ba)
                frame.pc += 1
                return
            name = "int_" + opname
            value, box = self.execute(name, [ba], (va,), OPS[name].impl, result_class=int)
        elif t is float and opname == "neg":
            self.ensure_class(ba, va)
            value, box = self.execute("float_neg", [ba], (va,), OPS["float_neg"].impl, result_class=float)
        else:
            value, box = self.execute("py_" + opname, [ba], (va,), sem.UNOP[opname])
        frame.set(d, value, box)
        frame.pc += 1

    def op_compare(self, frame: MIFrame, ins: tuple) -> None:
        _, d, opname, a, b = ins
        va, vb = frame.values[a], frame.boxes[a]
        va, vb = frame.values[a], frame.values[b]
        ba, bb = frame.boxes[a], frame.boxes[b]
        if opname in ("is", "is_not"):
            name = "ptr_eq" if opname == "is" else "ptr_ne"
            value, box = self.execute(name, [ba, bb], (va, vb), OPS[name].impl)
        elif opname in ("in", "not_in"):
            if isinstance(bb, Const) and isinstance(ba, Const) and isinstance(vb, (tuple, str, frozenset)):
                value = sem.COMPARE[opname](va, vb)
                box = Const(value)
            else:
                value, box = self.execute("py_contains", [bb, ba], (vb, va), OPS["py_contains"].impl)
                if opname == "not_in":
                    self.known_class[box] = bool
                    value, box = self.execute("int_is_zero", [box], (value,), OPS["int_is_zero"].impl)
        else:
            ta, tb = type(va), type(vb)
            if ta is int and tb is int:
                self.ensure_class(ba, va)
                self.ensure_class(bb, vb)
                name = "int_" + opname
            elif ta is float and tb is float:
                self.ensure_class(ba, va)
                self.ensure_class(bb, vb)
                name = "float_" + opname
            elif _exact_float_const(ta, tb, ba, bb, va, vb):
                # a float against an int constant a double holds exactly: a float comparison
                self.ensure_class(ba, va)
                self.ensure_class(bb, vb)
                ba, bb, va, vb = _floated(ba, va), _floated(bb, vb), float(va), float(vb)
                name = "float_" + opname
            else:
                name = "py_" + opname
            value, box = self.execute(name, [ba, bb], (va, vb), sem.COMPARE[opname])
            if name.startswith(("int_", "float_")) or (
                    self.class_of(ba) in _BUILTIN_VALUE_TYPES and self.class_of(bb) in _BUILTIN_VALUE_TYPES):
                self.known_class[box] = bool
        frame.set(d, value, box)
        frame.pc += 1

    # -- attributes --------------------------------------------------------------------
    def op_getattr(self, frame: MIFrame, ins: tuple) -> None:
        _, d, objr, name = ins
        obj, box = frame.values[objr], frame.boxes[objr]
        value, vbox = self.getattr(obj, box, name)
        frame.set(d, value, vbox)
        frame.pc += 1

    def getattr(self, obj: Any, box: Value, name: str) -> Tuple[Any, Value]:
        if isinstance(box, Const):
            if isinstance(obj, type) and name in immutable_fields(obj):
                # a class used as a namespace declares its own attributes immutable
                try:
                    value = getattr(obj, name)
                except AttributeError:
                    pass
                else:
                    info = immutable_fields(obj)[name]
                    if info.quasi:
                        add_dependency(obj, name, self.token)
                        self.guard("guard_not_invalidated", [], self.token)
                    return value, Const(value)
            if isinstance(obj, types.ModuleType) or isinstance(obj, type):
                try:
                    value = getattr(obj, name)
                except AttributeError:
                    pass
                else:
                    if (isinstance(value, _CONST_GLOBAL_TYPES) or value is None
                            or (isinstance(obj, types.ModuleType) and name.isupper())):
                        return value, Const(value)
            else:
                folded = self.fold_immutable(obj, name)
                if folded is not None:
                    return folded
        cls = type(obj)
        attr = _class_attr(cls, name)
        if (isinstance(attr, types.FunctionType) and cls.__getattribute__ is object.__getattribute__
                and not (hasattr(obj, "__dict__") and name in obj.__dict__)):
            # a bound method: remember the function so a later call can inline it
            self.ensure_class(box, obj)
            value, mbox = self.execute("new_method", [Const(attr), box], (attr, obj), types.MethodType)
            self.bound_methods[mbox] = (attr, box)
            return value, mbox
        cacheable = (cls.__getattribute__ is object.__getattribute__ and not hasattr(cls, "__getattr__")
                     and _plain_slot(_class_attr(cls, name)) and _is_plain_class(cls))
        if cacheable:
            box = self.canon(box)
            self.ensure_class(box, obj)
        if cacheable:
            cached = self.heap.get((box, name))
            if cached is None:
                cached = self.heap_immutable.get((box, name))
            cached = self.cached(cached)
            if cached is not None:
                return obj.__dict__[name] if name in getattr(obj, "__dict__", ()) else getattr(obj, name), cached
        value, vbox = self.execute("getfield", [box], (obj, name), getattr, descr=name)
        if cacheable:
            self.heap[(box, name)] = vbox
            info = immutable_fields(cls).get(name)
            if (info is not None and not info.quasi) or (info is None and is_immutable_class(cls)):
                self.heap_immutable[(box, name)] = vbox
        return value, vbox

    def fold_immutable(self, obj: Any, name: str) -> Optional[Tuple[Any, Value]]:
        cls = type(obj)
        info = immutable_fields(cls).get(name)
        if info is None and not is_immutable_class(cls):
            return None
        try:
            value = getattr(obj, name)
        except AttributeError:
            return None
        if info is not None and info.quasi:
            add_dependency(obj, name, self.token)
            self.guard("guard_not_invalidated", [], self.token)
        if info is not None and info.array and id(value) not in self.immutable_arrays:
            if len(self.immutable_arrays) >= IMMUTABLE_ARRAYS_KEPT:
                self.immutable_arrays.clear()  # bound the memory kept alive
            self.immutable_arrays[id(value)] = value
        return value, Const(value)

    def op_setattr(self, frame: MIFrame, ins: tuple) -> None:
        _, objr, name, vr = ins
        obj, box = frame.values[objr], self.canon(frame.boxes[objr])
        value, vbox = frame.values[vr], frame.boxes[vr]
        cls = type(obj)
        attr = _class_attr(cls, name)
        plain = (cls.__setattr__ is object.__setattr__ and _is_plain_class(cls)
                 and ((attr is None and hasattr(obj, "__dict__")) or type(attr) is _MemberDescriptor))
        if plain:
            self.ensure_class(box, obj)
        self.execute("setfield", [box, vbox], (obj, name, value), setattr, descr=name,
                     need_guard=not plain)
        if not plain:
            # a property setter, __setattr__, a descriptor: user code that may write anything
            self.heap.clear()
            self.items.clear()
        for k in [k for k in self.heap if k[1] == name]:
            if k[0] is not box and self.born_apart(k[0], box):
                continue  # an object allocated in this trace is none of those before it
            del self.heap[k]
        self.heap_immutable.pop((box, name), None)
        if plain:
            self.heap[(box, name)] = vbox
        frame.pc += 1

    # -- items -------------------------------------------------------------------------
    def op_getitem(self, frame: MIFrame, ins: tuple) -> None:
        _, d, objr, idxr = ins
        obj, box = frame.values[objr], self.canon(frame.boxes[objr])
        idx, ibox = frame.values[idxr], frame.boxes[idxr]
        if isinstance(box, Const) and isinstance(ibox, Const) and (
                isinstance(obj, (tuple, str, bytes)) or id(obj) in self.immutable_arrays):
            if self.fold_call(frame, d, OPS["getitem"].impl, (obj, idx)):
                return
        if box in self.tuple_items and isinstance(ibox, Const) and type(idx) is int:
            items = self.tuple_items[box]
            if -len(items) <= idx < len(items):
                frame.set(d, obj[idx], items[idx])
                frame.pc += 1
                return
        cache = type(obj) is list and isinstance(ibox, Const) and type(idx) is int and idx >= 0
        if type(obj) is list:
            self.ensure_class(box, obj)
            self.separate(box, obj)
            if type(idx) is int:
                self.ensure_class(ibox, idx)
                self.index_nonneg(ibox, idx)
        elif type(obj) is bytearray and type(idx) is int:
            # a byte: an int, read by no Python code (see may_run_user_code)
            self.ensure_class(box, obj)
            self.ensure_class(ibox, idx)
            value, vbox = self.execute("getitem", [box, ibox], (obj, idx), OPS["getitem"].impl,
                                       result_class=int)
            frame.set(d, value, vbox)
            frame.pc += 1
            return
        if cache:
            cached = self.cached(self.items.get((box, idx)))
            if cached is not None and 0 <= idx < len(obj):
                frame.set(d, obj[idx], cached)
                frame.pc += 1
                return
        result_class = None
        if type(obj) is list and type(idx) is slice and self.plain_index(ibox):
            result_class = list  # a slice of a list is a new list (a known class: list + list of it
            # runs no user code, see may_run_user_code)
        value, vbox = self.execute("getitem", [box, ibox], (obj, idx), OPS["getitem"].impl,
                                   result_class=result_class)
        if cache:
            self.items[(box, idx)] = vbox
        frame.set(d, value, vbox)
        frame.pc += 1

    def op_setitem(self, frame: MIFrame, ins: tuple) -> None:
        _, objr, idxr, vr = ins
        obj, box = frame.values[objr], self.canon(frame.boxes[objr])
        idx, ibox = frame.values[idxr], frame.boxes[idxr]
        cache = type(obj) is list and isinstance(ibox, Const) and type(idx) is int and idx >= 0
        if type(obj) is list:
            self.ensure_class(box, obj)
            self.separate(box, obj, writing=True)
            if type(idx) is int:
                self.ensure_class(ibox, idx)
                self.index_nonneg(ibox, idx)
        elif type(obj) is bytearray and type(idx) is int and type(frame.values[vr]) is int:
            self.ensure_class(box, obj)
            self.ensure_class(ibox, idx)
            self.ensure_class(frame.boxes[vr], frame.values[vr])
        self.execute("setitem", [box, ibox, frame.boxes[vr]], (obj, idx, frame.values[vr]),
                     OPS["setitem"].impl)
        if type(obj) is list:
            # other indices of this list stay; lists not proven distinct may be this one
            old = self.items
            self.list_written(box)
            if isinstance(ibox, Const):
                for k, v in old.items():
                    if k[0] is box and k[1] != idx:
                        self.items[k] = v
            if cache:
                self.items[(box, idx)] = frame.boxes[vr]
        frame.pc += 1

    def op_delitem(self, frame: MIFrame, ins: tuple) -> None:
        _, objr, idxr = ins
        self.forget_items(frame.boxes[objr])
        self.execute("delitem", [frame.boxes[objr], frame.boxes[idxr]],
                     (frame.values[objr], frame.values[idxr]), OPS["delitem"].impl)
        frame.pc += 1

    def op_build_tuple(self, frame: MIFrame, ins: tuple) -> None:
        regs = ins[2]
        boxes = [frame.boxes[r] for r in regs]
        values = tuple(frame.values[r] for r in regs)
        if all(isinstance(b, Const) for b in boxes):
            frame.set(ins[1], values, Const(values))
        else:
            op = self.record("new_tuple", boxes)
            self.known_class[op] = tuple
            self.tuple_items[op] = boxes
            frame.set(ins[1], values, op)
        frame.pc += 1

    def op_build_list(self, frame: MIFrame, ins: tuple) -> None:
        regs = ins[2]
        op = self.record("new_list", [frame.boxes[r] for r in regs])
        self.known_class[op] = list
        self.fresh.add(op)
        frame.set(ins[1], [frame.values[r] for r in regs], op)
        frame.pc += 1

    def op_build_dict(self, frame: MIFrame, ins: tuple) -> None:
        regs = ins[2]
        value, box = self.execute("new_dict", [frame.boxes[r] for r in regs],
                                  tuple(frame.values[r] for r in regs), sem.build_dict, result_class=dict)
        frame.set(ins[1], value, box)
        frame.pc += 1

    def op_build_set(self, frame: MIFrame, ins: tuple) -> None:
        regs = ins[2]
        # the callee that runs now and the one recorded must be the same: ``set(a, b)`` is not
        # ``{a, b}`` (and ``set(x)`` of one item would iterate over it)
        value, box = self.residual(_build_set, Const(_build_set), [frame.boxes[r] for r in regs],
                                   tuple(frame.values[r] for r in regs), ())
        frame.set(ins[1], value, box)
        frame.pc += 1

    def op_build_slice(self, frame: MIFrame, ins: tuple) -> None:
        regs = ins[2:5]
        boxes = [frame.boxes[r] for r in regs]
        value, box = self.execute("new_slice", boxes, tuple(frame.values[r] for r in regs), slice)
        frame.set(ins[1], value, box)
        frame.pc += 1

    def op_unpack(self, frame: MIFrame, ins: tuple) -> None:
        value, box = frame.values[ins[2]], frame.boxes[ins[2]]
        self._unpack_into(frame, ins[1], value, box, redo=True)
        frame.pc += 1

    def _unpack_into(self, frame: MIFrame, dsts: List[int], value: Any, box: Value, redo: bool = False) -> None:
        n = len(dsts)
        if isinstance(box, Const) and isinstance(value, tuple) and len(value) == n:
            for r, v in zip(dsts, value):
                frame.set(r, v, Const(v))
            return
        if box in self.tuple_items and len(self.tuple_items[box]) == n:
            for r, v, b in zip(dsts, value, self.tuple_items[box]):
                frame.set(r, v, b)
            return
        if redo and type(value) in (tuple, list) and len(value) == n:
            self.ensure_class(box, value)
            lvalue, lbox = self.execute("len", [box], (value,), len, result_class=int, need_guard=False)
            if not isinstance(lbox, Const):
                self.guard("guard_value", [lbox, Const(n)], int)
            for i, r in enumerate(dsts):
                op = self.record("getitem", [box, Const(i)])
                frame.set(r, value[i], op)
            return
        if redo:
            value, box = self.residual(sem.unpack, Const(sem.unpack), [box, Const(n)], (value, n), ())
        items = []
        for i, r in enumerate(dsts):
            op = self.record("getitem", [box, Const(i)])
            items.append(op)
            frame.set(r, value[i], op)

    # -- names -------------------------------------------------------------------------
    def op_getglobal(self, frame: MIFrame, ins: tuple) -> None:
        name = ins[2]
        func = frame.func
        try:
            value = sem.load_global(func, name)
        except NameError as e:
            ebox = Const(e)
            raise TracedException(e, ebox)
        if (isinstance(value, _CONST_GLOBAL_TYPES) or value is None or value is hints
                or name.isupper()):
            # functions, classes, modules and globals named in CAPITALS are never rebound:
            # constants of the trace (docs/supported-python.md, "Globals")
            frame.set(ins[1], value, Const(value))
        else:
            g = func.__globals__
            if name in g:
                op = self.record("getglobal", [], (g, name))
                self.guard("guard_no_exception", [], mode="done", result=op, exc=EXC)
                frame.set(ins[1], value, op)
            else:  # a builtin
                frame.set(ins[1], value, Const(value))
        frame.pc += 1

    def op_getderef(self, frame: MIFrame, ins: tuple) -> None:
        func = frame.func
        cell = func.__closure__[ins[2]]
        value = sem.load_deref(func, ins[2])
        if isinstance(value, _CONST_GLOBAL_TYPES):
            frame.set(ins[1], value, Const(value))
        else:
            value, box = self.execute("getfield", [Const(cell)], (cell, "cell_contents"), getattr,
                                      descr="cell_contents")
            frame.set(ins[1], value, box)
        frame.pc += 1

    # -- calls -------------------------------------------------------------------------
    def op_call(self, frame: MIFrame, ins: tuple) -> None:
        _, d, fr, argregs, kwnames = ins
        fval, fbox = frame.values[fr], frame.boxes[fr]
        args = [frame.values[r] for r in argregs]
        boxes = [frame.boxes[r] for r in argregs]
        if fbox in self.bound_methods:
            func, selfbox = self.bound_methods[fbox]
            self.do_call(frame, d, func, Const(func), [fval.__self__] + args, [selfbox] + boxes, kwnames)
            return
        if not isinstance(fbox, Const):
            self.guard("guard_is", [fbox, Const(fval)])
            fbox = Const(fval)
        self.do_call(frame, d, fval, fbox, args, boxes, kwnames)

    def op_callmeth(self, frame: MIFrame, ins: tuple) -> None:
        _, d, objr, name, argregs, kwnames = ins
        obj, obox = frame.values[objr], frame.boxes[objr]
        args = [frame.values[r] for r in argregs]
        boxes = [frame.boxes[r] for r in argregs]
        cls = type(obj)
        if isinstance(obox, Const) and isinstance(obj, (types.ModuleType, type)):
            try:
                f = getattr(obj, name)
            except AttributeError:
                f = None
            if f is not None:
                self.do_call(frame, d, f, Const(f), args, boxes, kwnames)
                return
        attr = _class_attr(cls, name)
        if cls.__getattribute__ is object.__getattribute__ or cls in _IMMUTABLE_TYPES or cls in (list, dict, set):
            if isinstance(attr, types.FunctionType) and not (
                    not isinstance(obox, Const) and False):
                if not (hasattr(obj, "__dict__") and isinstance(obj.__dict__, dict) and name in obj.__dict__):
                    self.ensure_class(obox, obj)
                    self.do_call(frame, d, attr, Const(attr), [obj] + args, [obox] + boxes, kwnames)
                    return
            elif isinstance(attr, staticmethod):
                self.ensure_class(obox, obj)
                f = attr.__func__
                self.do_call(frame, d, f, Const(f), args, boxes, kwnames)
                return
            elif isinstance(attr, classmethod):
                self.ensure_class(obox, obj)
                f = attr.__func__
                self.do_call(frame, d, f, Const(f), [cls] + args, [Const(cls)] + boxes, kwnames)
                return
            elif isinstance(attr, (types.MethodDescriptorType, types.WrapperDescriptorType)) and attr.__objclass__ is cls:
                # a method of a builtin type, e.g. list.append: a residual call of the descriptor
                self.ensure_class(obox, obj)
                self.separate(obox, obj, writing=attr not in _LIST_READERS)
                if (isinstance(obox, Const) and cls in _IMMUTABLE_TYPES
                        and all(isinstance(b, Const) and type(b.value) in _IMMUTABLE_TYPES for b in boxes)):
                    if self.fold_call(frame, d, attr, tuple([obj] + args), kwnames):
                        return
                value, box = self.residual(attr, Const(attr), [obox] + boxes, tuple([obj] + args), kwnames)
                frame.set(d, value, box)
                frame.pc += 1
                return
        inst = getattr(obj, "__dict__", None)
        if (((isinstance(inst, dict) and name in inst) or type(attr) is _MemberDescriptor)
                and _is_plain_class(cls) and cls.__getattribute__ is object.__getattribute__
                and _plain_slot(attr)):
            # a callable stored in the instance (obj.fn(...)): read it, then call what it holds
            fval, fbox = self.getattr(obj, obox, name)
            if not isinstance(fbox, Const):
                self.guard("guard_is", [fbox, Const(fval)])
                self.replace_box(fbox, Const(fval))
                fbox = Const(fval)
            self.do_call(frame, d, fval, fbox, args, boxes, kwnames)
            return
        # anything else: look the attribute up for real, then call it
        value, box = self.residual(sem.call_method, Const(sem.call_method),
                                   [obox, Const(name), self._tuple_box(boxes), Const(kwnames)],
                                   (obj, name, tuple(args), kwnames), ())
        frame.set(d, value, box)
        frame.pc += 1

    def _tuple_box(self, boxes: List[Value]) -> Value:
        if all(isinstance(b, Const) for b in boxes):
            return Const(tuple(b.value for b in boxes))
        op = self.record("new_tuple", boxes)
        self.tuple_items[op] = boxes
        return op

    def residual(self, fval: Any, fbox: Value, boxes: List[Value], args: Tuple[Any, ...],
                 kwnames: Tuple[str, ...], opname: str = "call") -> Tuple[Any, Value]:
        return self.execute(opname, [fbox] + boxes, (fval, args, kwnames), sem.call,
                            descr=kwnames or None)

    def do_call(self, frame: MIFrame, d: int, fval: Any, fbox: Value, args: List[Any],
                boxes: List[Value], kwnames: Tuple[str, ...]) -> None:
        special = self.special_call(fval, args, boxes, kwnames)
        if special is not None:
            frame.set(d, special[0], special[1])
            frame.pc += 1
            return
        if isinstance(fval, types.MethodType) and isinstance(fval.__func__, types.FunctionType):
            selfv = fval.__self__
            self.do_call(frame, d, fval.__func__, Const(fval.__func__), [selfv] + args,
                         [Const(selfv)] + boxes, kwnames)
            return
        portal_driver = getattr(fval, "_metatrace_portal_", None)
        if portal_driver is not None:
            if self.inline_portal(frame, portal_driver, args, boxes, kwnames):
                return
            if self.enter_portal_prologue(frame, portal_driver, args, boxes, kwnames):
                return
            value, box = self.residual(fval, fbox, boxes, tuple(args), kwnames, opname="call_portal")
            frame.set(d, value, box)
            frame.pc += 1
            return
        if isinstance(fval, types.FunctionType):
            mode = self.inline_policy(fval, boxes)
            if mode == "inline":
                if self.push_call(frame, fval, args, boxes, kwnames):
                    return
            elif mode == "elidable":
                if all(isinstance(b, Const) for b in boxes) and self.fold_call(frame, d, fval, tuple(args), kwnames):
                    return
                value, box = self.residual(fval, fbox, boxes, tuple(args), kwnames, opname="call_pure")
                frame.set(d, value, box)
                frame.pc += 1
                return
            elif mode == "loopinvariant":
                value, box = self.residual(fval, fbox, boxes, tuple(args), kwnames, opname="call_loopinvariant")
                frame.set(d, value, box)
                frame.pc += 1
                return
        elif isinstance(fval, type) and _is_plain_class(fval):
            if self.construct(frame, d, fval, args, boxes, kwnames):
                return
        elif (id(fval) in _PURE_BUILTIN_IDS and all(isinstance(b, Const) for b in boxes)
              and all(type(a) in _IMMUTABLE_TYPES for a in args)):
            if self.fold_call(frame, d, fval, tuple(args), kwnames):
                return
        elif (fval is float or fval is abs) and len(args) == 1 and not kwnames \
                and type(args[0]) in ((int, float) if fval is float else (float,)):
            # float(int), float(float), abs(float): arithmetic, not a call (tier 2 lowers it)
            self.ensure_class(boxes[0], args[0])
            if type(args[0]) is float and fval is float:
                frame.set(d, args[0], boxes[0])  # float() of an exact float is that object
            else:
                value, box = self.execute("cast_int_to_float" if fval is float else "float_abs",
                                          [boxes[0]], (args[0],), fval, result_class=float)
                frame.set(d, value, box)
            frame.pc += 1
            return
        elif id(fval) in _MATH_IDS and args and not kwnames and all(type(a) in (int, float) for a in args):
            # a math function of numbers: guard their classes so the call cannot run user code
            # (__float__, __floor__...) and its result's class is fixed
            for b, a in zip(boxes, args):
                self.ensure_class(b, a)
            value, box = self.residual(fval, fbox, boxes, tuple(args), kwnames)
            if type(value) in (int, float, bool) and not isinstance(box, Const):
                self.known_class[box] = type(value)
            frame.set(d, value, box)
            frame.pc += 1
            return
        value, box = self.residual(fval, fbox, boxes, tuple(args), kwnames)
        frame.set(d, value, box)
        frame.pc += 1

    def inline_portal(self, frame: MIFrame, driver: Any, args: List[Any], boxes: List[Value],
                      kwnames: Tuple[str, ...]) -> bool:
        """Trace into a (recursive) portal call, up to max_unroll_recursion portal frames deep,
        when its portal can be resumed at its merge point after a guard failure."""
        rt = driver.runtime
        if (rt is None or rt.resume_entry is None or not self.driver.params["inlining"]
                or self.home_key in self.ws.no_portal_inlining):
            return False
        depth = sum(1 for f in self.framestack if getattr(f.jitcode, "portal_runtime", None) is not None)
        if depth > min(1, self.driver.params["max_unroll_recursion"]):
            # one level: a call made by the traced loop itself (a block, a small method);
            # deeper recursion is left to calls, whose guards would otherwise fail at every level
            return False
        if self.bind(rt.portal_func, args, boxes, kwnames) is None:
            return False
        self.inlined_portals += 1
        return self.push_call(frame, rt.portal_func, args, boxes, kwnames, jitcode=rt.portal_jitcode)

    def start_probe(self, frame: MIFrame, rt: Any, greens: Tuple[Any, ...]) -> None:
        """A call reached the first merge point of a portal entry nothing is known of: trace
        into it, to learn at once whether it is tiny, instead of calling it and retracing this
        trace when the callee's own trace later turns out too short (``too_short``, which
        invalidates its callers).  It is tiny if it returns within MIN_FUNCTION_OPS operations
        and MIN_FUNCTION_STEPS interpreted instructions: then it stays inlined and the entry
        joins ``tiny_entries``.  Otherwise (``end_probe``) everything recorded since this
        point is dropped and the call becomes the ``call_assembler`` it would have been."""
        jc = frame.jitcode
        reds = [frame.values[r] for r in jc.red_regs]
        rboxes = [frame.boxes[r] for r in jc.red_regs]
        frame.probe = Probe(self, rt, greens, reds, rboxes)
        frame.assembler = False
        frame.entry = greens
        self.probing = frame
        self.record("debug_merge_point", [], rt.location(greens))

    def end_probe(self, frame: MIFrame, at: Any = None, returned: Optional[Tuple[Any]] = None) -> bool:
        """The probed call returns (``returned``: its value) or reached merge point ``at``.
        Returns False if it returned tiny (its operations stay); else the trace is as it was
        when the probe began plus one ``call_assembler`` of the call, whose rest runs for real
        (from ``at``, by the portal's second entry), and True."""
        probe = frame.probe
        assert probe is not None and self.probing is frame
        frame.probe = None
        self.probing = None
        rt = probe.rt
        if returned is not None:
            work, steps = probe.work(self)
            if work < MIN_FUNCTION_OPS and steps < MIN_FUNCTION_STEPS:
                self.inlined_portals += 1
                rt.mark_tiny(probe.greens)
                return False
        rt.sized_entries.add(probe.greens)
        if returned is not None:
            rest: Any = lambda greens, reds: returned[0]  # noqa: E731
        else:
            state = tuple(at) + tuple(frame.values[r] for r in frame.jitcode.red_regs)
            rest = lambda greens, reds: rt.resume_entry(*state)  # noqa: E731
        probe.restore(self)
        parent = self.framestack[-1]
        self.assembler_calls.add(probe.greens)
        value, box = self.execute("call_assembler",
                                  [Const(rt.call_assembler), Const(probe.greens), self._tuple_box(probe.rboxes)],
                                  (probe.greens, tuple(probe.reds)), rest)
        self.store_result(parent, value, box)
        parent.pc += 1
        return True

    def enter_portal_prologue(self, frame: MIFrame, driver: Any, args: List[Any], boxes: List[Value],
                              kwnames: Tuple[str, ...]) -> bool:
        """Trace a portal call's prologue up to its first merge point, where it becomes a
        ``call_assembler`` (see op_merge_point): cheaper than calling the portal."""
        rt = driver.runtime
        if rt is None or rt.resume_entry is None or self.bind(rt.portal_func, args, boxes, kwnames) is None:
            return False
        if not self.push_call(frame, rt.portal_func, args, boxes, kwnames, jitcode=rt.portal_jitcode):
            return False
        self.framestack[-1].assembler = True
        return True

    def inline_policy(self, func: Any, boxes: List[Value]) -> str:
        if getattr(func, hints.ELIDABLE, False):
            return "elidable"
        if getattr(func, hints.LOOP_INVARIANT, False):
            return "loopinvariant"
        if getattr(func, hints.DONT_LOOK_INSIDE, False):
            return "residual"
        pred = getattr(func, hints.LOOK_INSIDE_IFF, None)
        if pred is not None:
            if not all(isinstance(b, Const) for b in boxes):
                return "residual"
            try:
                ok = pred(*[b.value for b in boxes])  # type: ignore[attr-defined]
            except Exception:
                ok = False
            if not ok:
                return "residual"
        jc = jitcode_for(func)
        if isinstance(jc, Unsupported):
            self.ws.note_residual(func, jc)
            return "residual"
        if jc.has_loop and not getattr(func, hints.UNROLL_SAFE, False):
            return "residual"
        if jc in self.ws.dont_inline:
            return "residual"
        depth = sum(1 for f in self.framestack if f.jitcode is jc)
        if depth > self.driver.params["max_unroll_recursion"]:
            return "residual"
        return "inline"

    def bind(self, func: Any, args: List[Any], boxes: List[Value], kwnames: Tuple[str, ...]) -> Optional[List[Tuple[Any, Value]]]:
        code = func.__code__
        n = code.co_argcount
        names = code.co_varnames[:n]
        npos = len(args) - len(kwnames)
        if npos > n:
            return None
        slots: List[Optional[Tuple[Any, Value]]] = [None] * n
        for i in range(npos):
            slots[i] = (args[i], boxes[i])
        for j, kw in enumerate(kwnames):
            if kw not in names:
                return None
            i = names.index(kw)
            if i < code.co_posonlyargcount or slots[i] is not None:
                return None
            slots[i] = (args[npos + j], boxes[npos + j])
        defaults = func.__defaults__ or ()
        first_default = n - len(defaults)
        out: List[Tuple[Any, Value]] = []
        for i, s in enumerate(slots):
            if s is None:
                if i < first_default:
                    return None
                dv = defaults[i - first_default]
                s = (dv, Const(dv))
            out.append(s)
        return out

    def push_call(self, frame: MIFrame, func: Any, args: List[Any], boxes: List[Value],
                  kwnames: Tuple[str, ...], override: Optional[Tuple[Any, Value]] = None,
                  jitcode: Any = None) -> bool:
        bound = self.bind(func, args, boxes, kwnames)
        if bound is None:
            return False
        jc = jitcode if jitcode is not None else jitcode_for(func)
        new = MIFrame(jc, func, len(self.ops))
        for reg, (v, b) in zip(jc.param_regs, bound):
            new.set(reg, v, b)
        new.override = override
        self.framestack.append(new)
        return True

    def construct(self, frame: MIFrame, d: int, cls: type, args: List[Any], boxes: List[Value],
                  kwnames: Tuple[str, ...]) -> bool:
        init = _class_attr(cls, "__init__")
        if init is object.__init__:
            if args:
                return False
            obj, box = self.execute("new", [], (cls,), object.__new__, descr=cls, result_class=cls)
            self.fresh.add(box)
            frame.set(d, obj, box)
            frame.pc += 1
            return True
        if not isinstance(init, types.FunctionType):
            return False
        if self.inline_policy(init, [Const(None)] + boxes) != "inline":
            return False
        if self.bind(init, [None] + args, [Const(None)] + boxes, kwnames) is None:
            return False
        obj, box = self.execute("new", [], (cls,), object.__new__, descr=cls, result_class=cls)
        self.fresh.add(box)
        self.push_call(frame, init, [obj] + args, [box] + boxes, kwnames, override=(obj, box))
        return True

    def special_call(self, f: Any, args: List[Any], boxes: List[Value], kwnames: Tuple[str, ...]) -> Optional[Tuple[Any, Value]]:
        if kwnames:
            return None
        n = len(args)
        if f is hints.promote or f is hints.promote_string:
            if n != 1:
                return None
            v, b = args[0], boxes[0]
            return v, self.promote_box(b, v)
        if f is hints.we_are_jitted:
            return True, Const(True)
        if f is hints.isconstant and n == 1:
            c = isinstance(boxes[0], Const)
            return c, Const(c)
        if f is hints.isvirtual and n == 1:
            return False, Const(False)
        if f is hints.record_exact_class and n == 2:
            if isinstance(boxes[1], Const) and type(args[0]) is args[1]:
                if not isinstance(boxes[0], Const):
                    self.known_class[boxes[0]] = args[1]
                return None, Const(None)
            return None
        if f is len and n == 1:
            v, b = args[0], boxes[0]
            if isinstance(b, Const) and isinstance(v, (tuple, str, bytes, frozenset)):
                return len(v), Const(len(v))
            if b in self.tuple_items:
                return len(v), Const(len(self.tuple_items[b]))
            if id(v) in self.immutable_arrays and isinstance(b, Const):
                return len(v), Const(len(v))
            if type(v) in SIZED:
                # a tape: its len cannot raise, and the loop may hoist it; a builtin container:
                # its len runs no user code, so the heap cache survives it
                self.ensure_class(b, v)
            safe = self.class_of(b) in SIZED
            return self.execute("len", [b], (v,), len, result_class=int, need_guard=not safe)
        if f is isinstance and n == 2 and isinstance(boxes[1], Const):
            try:
                r = isinstance(args[0], args[1])
            except BaseException:  # noqa: B036 - not a class (or tuple of them): a real call
                return None
            self.ensure_class(boxes[0], args[0])
            return r, Const(r)
        if f is type and n == 1:
            self.ensure_class(boxes[0], args[0])
            t = type(args[0])
            return t, Const(t)
        if f is getattr and n == 2 and isinstance(boxes[1], Const) and isinstance(args[1], str):
            return self.getattr(args[0], boxes[0], args[1])
        return None

    # -- control -----------------------------------------------------------------------
    def op_return(self, frame: MIFrame, ins: tuple) -> None:
        value, box = frame.values[ins[1]], frame.boxes[ins[1]]
        if frame.probe is not None:
            if self.end_probe(frame, returned=(value,)):
                return  # not tiny: the call is one call_assembler, its result stored
        self.pop_frame()
        if frame.override is not None:
            value, box = frame.override
        if not self.framestack:
            raise TraceDone("finish", args=[box], outcome=Outcome("return", value))
        parent = self.framestack[-1]
        self.store_result(parent, value, box)
        parent.pc += 1

    def op_raise(self, frame: MIFrame, ins: tuple) -> None:
        v, b = frame.values[ins[1]], frame.boxes[ins[1]]
        if isinstance(v, BaseException):
            raise TracedException(v, b)
        if isinstance(v, type) and issubclass(v, BaseException):
            value, box = self.residual(v, b, [], (), ())
            raise TracedException(value, box)
        exc = sem.make_exception(v)
        raise TracedException(exc, Const(exc))

    def op_exc_match(self, frame: MIFrame, ins: tuple) -> None:
        _, d, er, tr = ins
        exc, ebox = frame.values[er], frame.boxes[er]
        typ, tbox = frame.values[tr], frame.boxes[tr]
        if isinstance(tbox, Const):
            self.ensure_class(ebox, exc)
            r = isinstance(exc, typ)
            frame.set(d, r, Const(r))
        else:
            value, box = self.execute("py_isinstance", [ebox, tbox], (exc, typ), isinstance)
            frame.set(d, value, box)
        frame.pc += 1

    def op_getiter(self, frame: MIFrame, ins: tuple) -> None:
        v, b = frame.values[ins[2]], frame.boxes[ins[2]]
        value, box = self.residual(iter, Const(iter), [b], (v,), ())
        frame.set(ins[1], value, box)
        frame.pc += 1

    def op_for_iter(self, frame: MIFrame, ins: tuple) -> None:
        _, d, itr, target = ins
        it, ibox = frame.values[itr], frame.boxes[itr]
        value, box = self.residual(sem.for_next, Const(sem.for_next), [ibox], (it,), ())
        done = sem.is_exhausted(value)
        cond = self.record("ptr_eq", [box, Const(sem._NEXT_SENTINEL)])
        g = self.record("guard_true" if done else "guard_false", [cond])
        g.snapshot = self.snapshot("done", result=box)
        if done:
            frame.pc = target
        else:
            frame.set(d, value, box)
            frame.pc += 1

    def op_range_check(self, frame: MIFrame, ins: tuple) -> None:
        regs = ins[1:4]
        vals = [frame.values[r] for r in regs]
        if type(vals[0]) is int and type(vals[1]) is int:
            self.ensure_class(frame.boxes[regs[0]], vals[0])
            self.ensure_class(frame.boxes[regs[1]], vals[1])
        else:
            value, box = self.residual(sem.range_check, Const(sem.range_check),
                                       [frame.boxes[r] for r in regs], tuple(vals), ())
            self._range_bounds(frame, ins, value, box)
        frame.pc += 1

    def _range_bounds(self, frame: MIFrame, ins: tuple, value: Any, box: Value) -> None:
        """The counter and limit of a range loop as range_check returned them (exact ints)."""
        for i, r in enumerate(ins[1:3]):
            op = self.record("getitem", [box, Const(i)])
            self.known_class[op] = int
            frame.set(r, value[i], op)

    def op_merge_point(self, frame: MIFrame, ins: tuple) -> None:
        jc = frame.jitcode
        if frame.assembler or frame.looped:
            rt = jc.portal_runtime
            greens = self.promote_greens(frame)
            depth = sum(1 for f in self.framestack if getattr(f.jitcode, "portal_runtime", None) is not None)
            if frame.probe is not None:
                self.end_probe(frame, at=greens)  # the probed call loops: it is not tiny
                return
            if (frame.assembler and greens in rt.tiny_entries and depth <= 3
                    and self.home_key not in self.ws.no_portal_inlining):
                # a portal whose whole run is a handful of operations (an accessor, `not`):
                # its operations join this trace, as if inlined
                frame.assembler = False
                self.inlined_portals += 1
                self.record("debug_merge_point", [], rt.location(greens))
                frame.pc += 1
                return
            if (frame.assembler and self.probing is None and depth <= 3
                    and self.home_key not in self.ws.no_portal_inlining
                    and greens != self.home_key and rt.entry_unknown(greens)):
                self.start_probe(frame, rt, greens)
                frame.pc += 1
                return
            # the callee reached its merge point: from here on it runs for real (compiled code
            # or the portal's second entry), recorded as one call
            reds = [frame.values[r] for r in jc.red_regs]
            rboxes = [frame.boxes[r] for r in jc.red_regs]
            gbox = Const(greens)
            self.assembler_calls.add(greens)
            # the callee's frame goes first: the call's guards (no exception, or the exception
            # it raised) resume the caller at its call instruction, done, with the call's
            # result or exception; the callee's body must never run a second time
            self.pop_frame()
            parent = self.framestack[-1]
            value, box = self.execute("call_assembler",
                                      [Const(rt.call_assembler), gbox, self._tuple_box(rboxes)],
                                      (greens, tuple(reds)), rt.call_assembler)
            self.store_result(parent, value, box)
            parent.pc += 1
            return
        if len(self.framestack) != 1:
            # an inlined portal call: its instructions become part of this trace
            rt = jc.portal_runtime
            greens = self.promote_greens(frame)
            if frame.probe is not None:
                work, steps = frame.probe.work(self)
                if work >= MIN_FUNCTION_OPS or steps + 1 >= MIN_FUNCTION_STEPS:
                    self.end_probe(frame, at=greens)  # not tiny
                    return
            if frame.entry is None:
                frame.entry = greens
                if greens == self.home_key or any(f.entry == greens for f in self.framestack[:-1]):
                    # a recursive call (its entry is the trace's start or an enclosing inlined
                    # call's): inlining it would copy the caller's body into itself, and its
                    # guards would fail at every level; it is called instead
                    frame.looped = True
                    self.op_merge_point(frame, ins)
                    return
            if not jc.can_enter_jit_pcs:
                # no can_enter_jit to tell back edges: a key this call passed before is a loop
                # header, and the loop becomes a call_assembler rather than being unrolled
                if frame.passed is None:
                    frame.passed = set()
                if greens in frame.passed:
                    frame.looped = True
                    self.op_merge_point(frame, ins)
                    return
                frame.passed.add(greens)
            self.record("debug_merge_point", [], rt.location(greens))
            frame.pc += 1
            return
        key = self.promote_greens(frame)
        reds = [frame.boxes[r] for r in jc.red_regs]
        if self.first_merge_point:
            self.first_merge_point = False
        else:
            self.merge_points_seen += 1
            if self.kind == "loop" and key == self.start_key:
                raise TraceDone("jump", key, reds)
            if self.ws.has_compiled(key):
                raise TraceDone("jump", key, reds)
            if self.back_edge_taken and self.kind == "bridge":
                # a loop header with no code yet: the bridge ends here and the interpreter
                # runs that loop (and compiles it when it gets hot) instead of the bridge
                # unrolling it
                raise TraceDone("jump", key, reds)
            if self.back_edge_taken and self.from_back_edge \
                    and self.ws.left_loop.get(self.start_key, 0) < LEFT_LOOP_RETRIES:
                # the loop this trace started in ended (or an inner loop that has no code yet
                # turned around): closing here would make the loop's exit path the loop and
                # its body a bridge.  Try again on a later iteration.
                raise AbortTrace("left_loop", "took the back edge of another loop (%s) before coming "
                                 "back to %s" % (self.ws.location(key), self.ws.location(self.start_key)))
        self.back_edge_taken = False
        loc = self.ws.location(key)
        if self.location is None:
            self.location = loc
        self.record("debug_merge_point", [], loc)
        frame.pc += 1


def _exact_float_const(ta: type, tb: type, ba: Value, bb: Value, va: Any, vb: Any) -> bool:
    """One operand a float, the other an int constant that a double represents exactly."""
    if ta is float and tb is int:
        return isinstance(bb, Const) and -2 ** 53 <= vb <= 2 ** 53
    if ta is int and tb is float:
        return isinstance(ba, Const) and -2 ** 53 <= va <= 2 ** 53
    return False


def _floated(box: Value, value: Any) -> Value:
    return Const(float(value)) if type(value) is int else box


def _build_set(*items: Any) -> set:
    return set(items)


__all__ = ["MetaInterp", "AbortTrace", "TraceDone", "StopNow", "builtins"]
