"""Warm state: per-green-key counters, starting traces, running compiled trees, guard failures.

The rewritten portal calls :meth:`WarmState.hot` when a key's counter runs out.  ``hot`` returns
``None`` (go on interpreting), a tuple of greens + reds (continue at the merge point with that
state), or a :class:`Done` (the portal returns ``.value``); it raises the interpreted program's
exception when one escapes the loop.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
import traceback
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .. import hooks
from .. import events
from ..backend.pygen import CodegenError, PendingExit, compile_bridge, compile_tree
from ..backend.tiering import Tier2
from ..errors import PortalError
from ..ir.model import EXC, Const, Op, Snapshot, Value
from ..ir.text import RecordedOps, safe_repr
from ..log import LOG
from ..optimizer import optimize_trace
from ..optimizer.loop import entry_snapshot_for, optimize_loop
from ..counters import Stats
from . import blackhole
from .blackhole import BHFrame, Outcome
from .metainterp import MIN_FUNCTION_OPS, MIN_FUNCTION_STEPS, AbortTrace, MetaInterp, StopNow, TraceDone
from .quasiimmut import InvalidationToken

_ids = itertools.count(1)
MAX_ABORTS = 6  # aborted traces from one green key before it is blacklisted for good
INVALIDATION_BACKOFF = 10  # a key whose code is invalidated waits up to threshold << this to retrace
COUNTERS_KEPT = 20000  # counted keys without code beyond which the coldest are forgotten
SEPARATE_BRIDGE_RUNS = 1000  # runs of a separately compiled bridge before its tree nests it
_BOOKKEEPING = {"debug_merge_point", "guard_no_exception", "label", "finish", "finish_raise"}
_tracing: List[Any] = []  # the MetaInterp currently recording, if any (one at a time)
# Held by the thread that traces, compiles and attaches a tree or bridge (all drivers: one trace
# at a time).  Only ever taken without waiting: a thread that finds it taken goes on
# interpreting (or blackholing) and tries again later, so a JIT'd interpreter can run in several
# threads and the JIT can never deadlock a program.  Re-entrant: a residual call made while
# tracing may reach a merge point of the same thread (that trace is postponed, by _tracing).
_jit_lock = threading.RLock()
_said: set = set()  # internal errors already reported on stderr (once each per process)


class Done:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class GuardDescr:
    """A guard of a compiled trace: its resume data, failure counts and bridge."""

    kind = "guard"

    def __init__(self, op: Op, trace: "CompiledTrace", index: int) -> None:
        self.op = op
        self.trace = trace
        self.index = index
        self.guard_id = next(_ids)
        self.snapshot: Snapshot = op.snapshot  # type: ignore[assignment]
        seen = set()
        self.failargs: List[Value] = []
        for v in self.snapshot.values():
            if isinstance(v, Const) or id(v) in seen:
                continue
            seen.add(id(v))
            self.failargs.append(v)
        allocated = {id(d.target) for d in op.sunk if d.kind == "alloc"}
        for d in op.sunk:
            # what the exit stores into the objects it allocates is passed on too, so that a
            # bridge starts knowing those attributes (see Tree.exit_allocations)
            if d.kind == "setfield" and id(d.target) in seen and id(d.target) in allocated:
                v = d.values[0]
                if not isinstance(v, Const) and id(v) not in seen:
                    seen.add(id(v))
                    self.failargs.append(v)
        self.failures = 0
        self.by_value: Dict[Any, int] = {}
        self.bridge: Optional["CompiledTrace"] = None
        # (function, exits) while the bridge runs as a function of its own, not yet nested in
        # its tree's code (see Tree.attach_bridge)
        self.bridge_code: Optional[Tuple[Any, List[Any]]] = None
        # the guard's site cell: what the generated code of its exit calls (pygen.site_return),
        # the exit tuple's maker, then that function: no return to the warm state
        self.site: List[Any] = [None]
        self.exit_no: Optional[int] = None  # its index in the tree's exit table
        self.separate_code: Optional[Tuple[Any, List[Any]]] = None
        self.blacklisted_until = 0
        self.known: Dict[int, type] = {}  # failarg index -> class known there
        self.fresh: set = set()  # failarg indices of objects its exit allocates (virtuals)
        # (failarg index of such a list, constant index, value): the items its exit stores
        self.item_facts: List[Tuple[int, int, Value]] = []
        self.known_value: Optional[Tuple[int, Any]] = None  # failarg index, its value on failure
        self.bh_plan: Optional[Tuple[Any, Any]] = None  # (snapshot, _blackhole_plan of it)

    def count(self, value: Any, per_value: bool) -> int:
        self.failures += 1
        if not per_value:
            return self.failures
        try:
            key = (type(value), value)
            hash(key)
        except TypeError:
            key = ("id", id(value))
        n = self.by_value.get(key, 0) + 1
        if len(self.by_value) < 100:
            self.by_value[key] = n
        return n


def _blackhole_plan(gd: GuardDescr) -> Tuple[List[Tuple[Any, ...]], Any, Any]:
    """How ``blackhole_from`` builds the guard's frames from the values its exit passes, worked
    out at its first failure: per frame the jitcode, function, pc and its registers' initial
    values with the constants of the snapshot in place, then (register, fail argument index)
    for the others; the override, result and exception as an index or a Const."""
    index: Dict[int, int] = {}
    for j, v in enumerate(gd.failargs):
        index[id(v)] = j  # the last of equal ones, as a dict built from them would keep

    def where(v: Value) -> Any:
        return v if isinstance(v, Const) else index[id(v)]

    frames = []
    for fs in gd.snapshot.frames:
        init = list(fs.jitcode.init_regs)
        taken = []
        for reg, v in fs.regs:
            if isinstance(v, Const):
                init[reg] = v.value
            else:
                taken.append((reg, index[id(v)]))
        frames.append((fs.jitcode, fs.func, fs.pc, tuple(init), tuple(taken),
                       where(fs.override) if fs.override is not None else None))
    snap = gd.snapshot
    return (frames, where(snap.result) if snap.result is not None else None,
            where(snap.exc) if snap.exc is not None else None)


class CompiledTrace:
    """One loop or bridge as compiled; also what the trace log records."""

    def __init__(self, kind: str, driver: Any, key: Any, location: str, inputargs: List[Value],
                 ops: List[Op], unoptimized: Sequence[Dict[str, Any]], parent: Optional[GuardDescr]) -> None:
        self.id = next(_ids)
        self.kind = kind
        self.driver = driver
        self.key = key
        self.location = location
        self.inputargs = inputargs
        self.ops = ops
        self.unoptimized = unoptimized
        self.parent = parent
        self.tree: Optional["Tree"] = None
        self.times: Dict[str, float] = {}
        self.guards: List[GuardDescr] = []
        self.end = ""
        self.target_location = ""
        self.target_trace: Optional[int] = None
        self.invalidated = ""

    def _repr_svg_(self) -> Optional[str]:
        """Jupyter shows a compiled trace as the viewer's graph."""
        from ..viewer import TraceView

        return TraceView.from_compiled(self)._repr_svg_()

    def __str__(self) -> str:
        from ..viewer import TraceView

        return str(TraceView.from_compiled(self))

    def to_json(self) -> Dict[str, Any]:
        from ..ir.text import Printer

        p = Printer()
        inputargs = [{"name": p.name(a), "type": a.type} for a in self.inputargs]
        gd_by_op = {id(g.op): g for g in self.guards}
        ops = []
        for op in self.ops:
            text = p.format_op(op)
            entry: Dict[str, Any] = {
                "op": op.name,
                "args": [_val_json(a, p) for a in op.args],
                "res": p.name(op) if op.has_result() else None,
                "text": text,
            }
            if op.name == "label" and isinstance(op.descr, list):
                # the loop proper's variables start from these preamble values
                entry["from"] = [_val_json(a, p) for a in op.descr]
            elif op.descr is not None:
                entry["descr"] = _descr_json(op)
            if op.location is not None:
                entry["source"] = {"file": op.location[0], "line": op.location[1],
                                   "function": op.location[2]}
            g = gd_by_op.get(id(op))
            if g is not None:
                entry["guard"] = {
                    "id": g.guard_id,
                    "failures": g.failures,
                    "bridge": g.bridge.id if g.bridge is not None else None,
                    "resume": [{"function": f.jitcode.name, "pc": f.pc,
                                "line": f.jitcode.line_of(f.pc), "file": f.jitcode.filename}
                               for f in g.snapshot.frames],
                    "failargs": [_val_json(v, p) if v is not EXC else "exception" for v in g.failargs],
                }
                if g.by_value:
                    entry["guard"]["failures_by_value"] = [
                        {"value": (k[1].__name__ if isinstance(k[1], type) else safe_repr(k[1], 60))
                         if k[0] != "id" else "<object>", "count": n}
                        for k, n in sorted(g.by_value.items(), key=lambda kv: -kv[1])[:10]]
            ops.append(entry)
        tree = self.tree
        return {
            "id": self.id,
            "kind": self.kind,
            "driver": str(self.driver.name),
            "green_key": [safe_repr(k, 120) for k in (self.key or ())],
            "location": self.location,
            "parent_guard": self.parent.guard_id if self.parent is not None else None,
            "parent_trace": self.parent.trace.id if self.parent is not None else None,
            "tree": tree.id if tree is not None else None,
            "inputargs": inputargs,
            "tier": tree.t2.tier if tree is not None and self.kind == "loop" else "python",
            "tier_reason": (tree.t2.reason if tree is not None and self.kind == "loop" else
                            "bridges run in tier 1 (Python source), nested in their tree's function"),
            "ops": ops,
            "unoptimized_ops": list(self.unoptimized),
            "times": dict(self.times),
            "entries": (tree.entries if self.kind != "bridge" else
                        (tree.bridge_entries[self.id] if self.id in tree.bridge_entries else None))
                       if tree is not None else None,
            "end": self.end,
            "target_location": self.target_location or None,
            "target_trace": self.target_trace,
            "invalidated": self.invalidated or None,
        }


def _unopt_json(op: Op, text: str) -> Dict[str, Any]:
    out: Dict[str, Any] = {"op": op.name, "text": text}
    if op.descr is not None:
        out["descr"] = _descr_json(op)
    if op.location is not None:
        out["source"] = {"file": op.location[0], "line": op.location[1], "function": op.location[2]}
    return out


def _val_json(v: Value, printer: Any) -> Any:
    if isinstance(v, Const):
        val = v.value
        if val is None or isinstance(val, (bool, str)) or (isinstance(val, int) and abs(val) < 2 ** 53):
            return {"const": val}
        if isinstance(val, float) and val == val and val not in (float("inf"), float("-inf")):
            return {"const": val}
        return {"const": safe_repr(val, 80)}
    return printer.name(v)


def _descr_json(op: Op) -> Any:
    d = op.descr
    if d is None or isinstance(d, (str, float, bool)) or (isinstance(d, int) and abs(d) < 2 ** 53):
        return d
    if isinstance(d, type):
        return d.__name__
    if isinstance(d, tuple) and op.name == "getglobal":
        return d[1]
    return safe_repr(d, 80)


_STACK_RAN_OUT = ("the Python stack ran out while tracing or compiling (RecursionError): the "
                  "program is about to hit the recursion limit")


# HANDING_BACK: an exception of the program that compiled code or the blackhole interpreter
# hands back to the interpreter is raised after the frames of its traceback that are the JIT's
# own (compiled trees and bridges, metatrace's modules) have had their locals cleared, and the
# raising frame drops its own reference first (``finally: exc = None``).  Some of those frames
# still referenced the exception (an exit's values, a local), and such a frame on the raising
# path made a reference cycle: every exception raised through compiled code was garbage only
# the cyclic GC could free, with all the frames it passed (SOM Havlak, 3 iterations: 113k
# unreachable objects and 0.55 s of gen-0 collections; now 22.8k, mostly the program's own
# objects, and 0.12-0.18 s).  The traceback itself is kept: it still shows where the exception
# was raised.


_OWN_FILES = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


CLEARED_FRAMES = 64  # newest traceback entries looked at (older ones were, at an earlier hand-back)


def _clear_own_frames(exc: BaseException) -> None:
    """Clear the locals of the JIT's finished frames among the newest CLEARED_FRAMES entries of
    ``exc``'s traceback (HANDING_BACK).  A re-raise puts its frame in front of the traceback, so
    an exception handed back at every level of a deep recursion has a traceback as deep as the
    recursion: walking all of it each time was quadratic (tests/robustness: 3000 levels took
    90 s), and the entries past the newest few were cleared when they were the newest.  At the
    recursion limit (this call itself may not fit) the traceback is dropped instead."""
    try:
        tb = exc.__traceback__
        n = CLEARED_FRAMES
        while tb is not None and n:
            n -= 1
            f = tb.tb_frame
            name = f.f_code.co_filename
            if name.startswith("<metatrace") or name.startswith(_OWN_FILES):
                try:
                    f.clear()
                except RuntimeError:
                    pass  # still running (the frame that catches it)
            tb = tb.tb_next
    except RecursionError:
        exc.__traceback__ = None


class Tree:
    """A root trace starting at a green key, with bridges; compiled as one Python function."""

    def __init__(self, ws: "WarmState", key: Any, root: CompiledTrace) -> None:
        self.id = next(_ids)
        self.ws = ws
        self.key = key
        self.root = root
        self.token = InvalidationToken()
        self.token.owner = self
        self.guard_descrs: Dict[int, GuardDescr] = {}
        self.func: Any = None
        self.exits: List[Any] = []
        self.source = ""
        self.entries = 0
        self.bridge_entries: Dict[int, int] = {}  # bridge id -> entries (counted while logging)
        self.count_bridges = LOG.enabled
        self.last_used = ws.generation
        self.traces: List[CompiledTrace] = [root]
        self.invalid = False
        self.retired = False  # left the code cache (counted by WarmState.retire)
        root.tree = self
        self.calls: set = set()  # green keys this tree enters through call_assembler
        self.separate: List[GuardDescr] = []  # guards whose bridge runs as its own function
        self.nested_bridges = 0  # bridges nested in the tree's code at its last compile
        p = ws.driver.params
        self.t2 = Tier2(self, p["backend"], p["numba_threshold"], ws.stats)

    def add_guards(self, trace: CompiledTrace, known: Optional[Dict[int, type]] = None) -> None:
        """Make GuardDescrs, each with the classes known of its fail arguments at that point
        (a bridge traced from the guard starts with that knowledge)."""
        from ..optimizer.pure import learn_class

        known = dict(known or {})
        for i, op in enumerate(trace.ops):
            if op.is_guard() and op.snapshot is not None:
                gd = GuardDescr(op, trace, i)
                gd.known = {j: known[id(v)] for j, v in enumerate(gd.failargs) if id(v) in known}
                if op.sunk:
                    self.exit_allocations(gd)
                if op.name in ("guard_true", "guard_false") and known.get(id(op.args[0])) is bool:
                    # failing says the opposite about this boolean
                    try:
                        gd.known_value = (gd.failargs.index(op.args[0]), op.name == "guard_false")
                    except ValueError:
                        pass
                trace.guards.append(gd)
                self.guard_descrs[id(op)] = gd
            learn_class(op, known)

    @staticmethod
    def exit_allocations(gd: GuardDescr) -> None:
        """What a bridge from ``gd`` knows of the objects the guard's exit allocates (virtuals
        of the trace) and of the stores it does: their classes, that they are new objects (none
        of the others), and the attributes it sets (so the bridge reads none of them again)."""
        index = {id(v): j for j, v in enumerate(gd.failargs)}
        facts = []
        for d in gd.op.sunk:
            j = index.get(id(d.target))
            if d.kind == "alloc" and j is not None and isinstance(d.key, type):
                gd.known[j] = d.key
                gd.fresh.add(j)
            elif d.kind == "setfield" and j is not None and isinstance(d.key, str) and d.values:
                v = d.values[0]
                if isinstance(v, Const) or id(v) in index:
                    facts.append((d.target, d.key, v))
            elif (d.kind == "setitem" and j is not None and j in gd.fresh and gd.known.get(j) is list
                  and isinstance(d.key, Const) and type(d.key.value) is int and d.key.value >= 0):
                v = d.values[0]
                if isinstance(v, Const) or id(v) in index:
                    gd.item_facts.append((j, d.key.value, v))
        if facts:
            gd.snapshot.heap = list(gd.snapshot.heap or ()) + facts

    def compile(self) -> None:
        """Regenerate the whole tree, every bridge nested under its guard."""
        separate = self.separate
        for gd in separate:
            gd.bridge_code = None
        try:
            self.func, self.exits, self.source = compile_tree(self)
        except CodegenError:
            for gd in separate:
                gd.bridge_code = gd.separate_code
            raise
        self.separate = []
        self.nested_bridges = sum(1 for t in self.traces if t.kind == "bridge")
        self.code = (self.func, self.exits)
        self.ws.stats.bump("tree_compiles")

    def attach_bridge(self, gd: "GuardDescr", bridge: "CompiledTrace") -> None:
        """Give ``gd`` its bridge: compiled as a function of its own and stored into the guard's
        site cell, which the generated code of the guard's exit calls (pygen.site_return).  No
        version of the tree's code is regenerated: that cost the tree's size for every bridge
        (whole-tree recompiles were 45% of compile time in SOM DeltaBlue).  A bridge that runs
        SEPARATE_BRIDGE_RUNS times gets nested: the tree is regenerated once with every bridge
        attached so far in place (hot_bridge_names)."""
        gd.bridge = bridge
        func, exits, _src = compile_bridge(self, bridge, gd)
        gd.bridge_code = gd.separate_code = (func, exits)
        gd.site[0] = func
        self.separate.append(gd)
        self.ws.stats.bump("bridge_compiles")
        self.t2.bridges_changed()

    def hot_bridge_names(self, gd: Optional["GuardDescr"], ns: Dict[str, Any]) -> Dict[str, Any]:
        """What a bridge compiled on its own counts its runs with (pygen.count_runs): after
        SEPARATE_BRIDGE_RUNS runs the tree is regenerated with the bridge nested in it."""
        def hot() -> None:
            ns["_BR"] = itertools.repeat(None)  # once is enough
            if gd is None or gd.bridge_code is None or self.invalid:
                return  # nested meanwhile, or no longer worth it
            if _tracing or not _jit_lock.acquire(False):
                ns["_BR"] = iter(range(64))  # a trace is being recorded or compiled: later
                return
            try:
                self.compile()  # the running code keeps its own exits (an append-only table)
            except CodegenError:
                pass  # stays on its own
            finally:
                _jit_lock.release()

        return {"_BR": iter(range(SEPARATE_BRIDGE_RUNS)), "_HOT": hot}

    def on_invalidated(self, reason: str) -> None:
        self.invalid = True
        for t in self.traces:
            t.invalidated = reason
        self.ws.tree_invalidated(self, reason)


class WarmState:
    def __init__(self, driver: Any, portal_func: Any, portal_jitcode: Any) -> None:
        self.driver = driver
        self.portal_func = portal_func
        self.portal_jitcode = portal_jitcode
        self.counters: Dict[Any, int] = {}
        self.entry_counters: Dict[Any, int] = {}  # function entries (portals with can_enter_jit)
        self.trees: Dict[Any, Tree] = {}
        # key -> [its tree or None]: what compiled callers bind for a direct call_assembler
        # (pygen), kept equal to trees.get(key) by set_tree/drop_tree
        self.cells: Dict[Any, List[Any]] = {}
        self.aborts: Dict[Any, int] = {}
        self.stats = Stats()
        self.dont_inline: set = set()
        self.residual_notes: Dict[Any, str] = {}
        self.ngreens = len(portal_jitcode.green_regs)
        self._resume_entry: Any = None  # the portal from its merge point (see resume_entry)
        self.resume_builder: Any = None  # builds it the first time it is needed (the rewrite)
        self.counts_entries = bool(portal_jitcode.can_enter_jit_pcs)  # function_threshold applies
        self.no_portal_inlining: set = set()  # start keys whose traces call portals instead
        # portal entries whose function trace was too short to compile: a call to one is
        # traced into (inlined) rather than made through call_assembler
        self.tiny_entries: set = set()
        # portal entries a trace measured by tracing into a call until it proved not tiny
        # (MetaInterp.start_probe): calls to them are call_assembler without measuring again
        self.sized_entries: set = set()
        self.immutable_arrays: Dict[int, Any] = {}  # see MetaInterp.immutable_arrays
        self.left_loop: Dict[Any, int] = {}  # start key -> root traces aborted as left_loop
        self.invalidated_keys: Dict[Any, int] = {}  # key -> how often its tree was invalidated
        self.counters_cap = COUNTERS_KEPT  # see forget_cold_keys
        portal_jitcode.portal_runtime = self
        self.generation = 0  # bumped at every compile; trees unused for loop_longevity are freed
        self.retired_entries = 0  # loop entries of trees no longer in self.trees
        self.retired_t2 = [0, 0]  # their tier-2 kernel runs and iterations
        self.params_changed("threshold")

    # -- parameters and helpers ---------------------------------------------------------
    def params_changed(self, name: str) -> None:
        p = self.driver.params
        self.threshold = p["threshold"]
        self.eagerness = p["trace_eagerness"]

    def location(self, key: Tuple[Any, ...]) -> str:
        return self.driver.printable_location(key)

    def has_compiled(self, key: Any) -> bool:
        t = self.trees.get(key)
        return t is not None and not t.invalid

    def mark_tiny(self, key: Any) -> None:
        """A portal entry whose whole run is a handful of operations (an accessor, ``not``):
        never traced on its own; calls to it are traced into (``tiny_entries``), and trees
        that call it through call_assembler are retraced."""
        self.aborts[key] = MAX_ABORTS
        self.tiny_entries.add(key)
        for tree in list(self.trees.values()):
            if key in tree.calls and not tree.invalid:
                # retrace it: calls to this function are better inlined
                tree.on_invalidated("a function it calls is small enough to inline")
                events.tree_invalidated(tree, "a function it calls is small enough to inline")
        self.counters[key] = 1 << 62
        self.entry_counters[key] = 1 << 62

    def entry_unknown(self, key: Any) -> bool:
        """Nothing is known yet of how long a run of the portal from ``key`` is: it has no
        tree, was never traced (or given up) and no earlier trace measured it."""
        return (key not in self.trees and key not in self.aborts and key not in self.sized_entries
                and key not in self.tiny_entries)

    def note_residual(self, func: Any, reason: Any) -> None:
        key = getattr(func, "__code__", func)
        if key not in self.residual_notes:
            self.residual_notes[key] = str(reason)

    def unhashable_error(self, key: Tuple[Any, ...]) -> PortalError:
        """The error the portal's merge point raises when the green key cannot be hashed."""
        for name, v in zip(self.driver.greens, key):
            try:
                hash(v)
            except TypeError:
                return PortalError(
                    "green variable %r of portal %s holds an unhashable %s; greens must be "
                    "hashable (use a tuple, or an object that hashes by identity)"
                    % (name, self.driver.name, type(v).__name__),
                    self.portal_jitcode.filename, self.portal_jitcode.line_of(self.portal_jitcode.merge_point_pc))
        return PortalError("greens of portal %s are not hashable" % self.driver.name)

    # -- entry from the interpreter ------------------------------------------------------
    def hot(self, key: Tuple[Any, ...], n: Optional[int], reds: Tuple[Any, ...],
            counters: Optional[Dict[Any, int]] = None, threshold: int = 0) -> Any:
        if counters is None:
            counters, threshold = self.counters, self.threshold
        if n is None:  # first time this key is seen
            if len(counters) > self.counters_cap:
                self.forget_cold_keys()
            if threshold > 1:
                counters[key] = threshold - 1
                return None
        tree = self.trees.get(key)
        if tree is not None and not tree.invalid:
            counters[key] = 0
            return self.run_compiled(key, reds)
        n_aborts = self.aborts.get(key, 0)
        if n_aborts >= MAX_ABORTS:
            counters[key] = 1 << 62  # blacklisted: never traced from here again
            return None
        if _tracing or not _jit_lock.acquire(False):
            # a trace is being recorded (by this thread: a residual call re-entered the
            # interpreter; or by another thread): postpone, go on interpreting
            counters[key] = max(1, threshold // 4)
            self.stats.bump("traces_postponed")
            return None
        try:
            if n_aborts > 0:
                # back off: each abort doubles the wait before the next attempt
                counters[key] = min(threshold * (2 ** min(n_aborts, 16)), 2 ** 30)
            else:
                counters[key] = threshold
            outcome = self.trace_loop(key, reds, counters is self.counters and self.counts_entries)
        finally:
            _jit_lock.release()
        return self.finish(outcome)

    @property
    def resume_entry(self) -> Any:
        """The portal's second entry (``__mt_resume(*greens, *reds)``), or None when the portal
        has none; compiled the first time it is asked for (a run that never needs it, the
        usual case with ``inlining=0``, does not pay for it at start-up)."""
        if self._resume_entry is None and self.resume_builder is not None:
            build, self.resume_builder = self.resume_builder, None
            self._resume_entry = build()
        return self._resume_entry

    @resume_entry.setter
    def resume_entry(self, func: Any) -> None:
        self._resume_entry = func
        self.resume_builder = None

    def hot_entry(self, key: Tuple[Any, ...], n: Optional[int], reds: Tuple[Any, ...]) -> Any:
        """The first merge point of a portal call (portals with can_enter_jit): counted with
        function_threshold, so functions get compiled from their entry."""
        return self.hot(key, n, reds, self.entry_counters, self.driver.params["function_threshold"])

    def finish(self, outcome: Outcome) -> Any:
        """An outcome of tracing or blackholing as the portal protocol (see module doc)."""
        if outcome.kind == "continue":
            key = outcome.values[:self.ngreens]
            if self.has_compiled(key):
                return self.run_compiled(key, outcome.values[self.ngreens:])
            return outcome.values
        if outcome.kind == "return":
            return Done(outcome.value)
        exc = outcome.value
        outcome = None
        try:  # see HANDING_BACK
            _clear_own_frames(exc)
        except RecursionError:  # no room for the call
            exc.__traceback__ = None
        try:
            raise exc
        finally:
            exc = None

    def run_compiled(self, key: Tuple[Any, ...], reds: Tuple[Any, ...]) -> Any:
        """Run compiled trees from ``key`` until the interpreter must take over; returns the
        portal protocol value (state tuple or Done) or raises the program's exception."""
        ng = self.ngreens
        confirm = self.driver.confirm_enter_jit
        trees = self.trees
        tree = trees.get(key)
        while True:
            if tree is None or tree.invalid:
                return tuple(key) + tuple(reds)
            if confirm is not None and not confirm(*(tuple(key) + tuple(reds))):
                return tuple(key) + tuple(reds)
            tree.entries += 1
            tree.last_used = self.generation
            # the function and its exit table belong together: a recursive call inside the
            # tree may attach a bridge and recompile it while this version is running
            func, exits = tree.code
            result = func(*reds)
            exit = exits[result[0]]
            kind = exit.kind
            if kind == "finish":
                return Done(result[1])
            if kind == "raise":
                exc = result[1]
                break
            if kind == "jump":
                key = exit.target_key
                reds = result[1:]
                cell = exit.cell  # None only from a generator without a warm state
                tree = cell[0] if cell is not None else trees.get(key)
                if tree is None or tree.invalid:
                    return self.jump_to_interpreter(key, reds)
                continue
            outcome = self.guard_failed(tree, exit, result)
            if outcome.kind == "continue":
                key = outcome.values[:ng]
                reds = outcome.values[ng:]
                tree = trees.get(key)
                continue
            if outcome.kind == "return":
                return Done(outcome.value)
            exc = outcome.value
            break
        outcome = result = None  # the program's exception: raised with no reference left here
        try:  # see HANDING_BACK
            _clear_own_frames(exc)
        except RecursionError:  # no room for the call
            exc.__traceback__ = None
        try:
            raise exc
        finally:
            exc = None

    def jump_to_interpreter(self, key: Tuple[Any, ...], reds: Tuple[Any, ...]) -> Any:
        """Compiled code jumped to a loop header that has no code (a bridge ends at the first
        loop it reaches, or the target was freed or invalidated): the interpreter goes on from
        there, and this back edge counts toward compiling that loop as if the interpreter had
        taken it."""
        n = self.counters.get(key)
        if n is not None and n > 1:
            self.counters[key] = n - 1
            return tuple(key) + tuple(reds)
        out = self.hot(key, n, reds)
        if out is None:
            return tuple(key) + tuple(reds)
        return out

    def assembler_exit(self, tree: Tree, exit: Any, result: Tuple[Any, ...]) -> Any:
        """The rest of a ``call_assembler`` whose callee's tree, entered directly by the
        caller's code (``pygen``), left other than by returning: go on as ``run_compiled``
        would, then finish the call in the interpreter if needed."""
        exc = None
        if exit.kind == "jump":
            out = self.run_compiled(exit.target_key, result[1:])
        elif exit.kind == "raise":
            exc = result[1]
        else:
            outcome = self.guard_failed(tree, exit, result)
            if outcome.kind == "continue":
                ng = self.ngreens
                out = self.run_compiled(outcome.values[:ng], outcome.values[ng:])
            elif outcome.kind == "return":
                return outcome.value
            else:
                exc = outcome.value
            outcome = None
        result = None
        if exc is not None:  # the program's exception: raised with no reference left here
            try:  # see HANDING_BACK
                _clear_own_frames(exc)
            except RecursionError:  # no room for the call
                exc.__traceback__ = None
            try:
                raise exc
            finally:
                exc = None
        if out.__class__ is Done:
            return out.value
        return self.resume_entry(*out)

    def call_assembler(self, greens: Tuple[Any, ...], reds: Tuple[Any, ...]) -> Any:
        """A portal call whose callee reached its first merge point in a trace: run it from
        there — compiled code if its key has some, else the portal's second entry — and return
        what the portal returns (or raise what it raises)."""
        tree = self.trees.get(greens)
        if tree is not None and not tree.invalid:
            out = self.run_compiled(greens, reds)
        elif self.counts_entries:
            # a fresh call: it counts toward function_threshold like the portal's own entry
            n = self.entry_counters.get(greens)
            if n:
                self.entry_counters[greens] = n - 1
                return self.resume_entry(*(greens + reds))
            out = self.hot_entry(greens, n, reds)
            if out is None:
                return self.resume_entry(*(greens + reds))
        else:
            return self.resume_entry(*(greens + reds))
        if out.__class__ is Done:
            return out.value
        return self.resume_entry(*out)

    def stats_dict(self) -> Dict[str, Any]:
        """Counters, with loop entries summed from the trees (not counted on the hot path)."""
        out = self.stats.as_dict()
        trees = list(self.trees.values())  # one copy: another thread may compile meanwhile
        out["loop_entries"] = self.retired_entries + sum(t.entries for t in trees)
        out["tier2_runs"] = self.retired_t2[0] + sum(t.t2.run_stats[0] for t in trees)
        out["tier2_iterations"] = self.retired_t2[1] + sum(t.t2.run_stats[1] for t in trees)
        out["live_trees"] = len(trees)
        return out

    # -- guard failures -----------------------------------------------------------------
    def guard_failed(self, tree: Tree, gd: GuardDescr, result: Tuple[Any, ...]) -> Outcome:
        if gd.__class__ is PendingExit:  # its stores and virtuals are done here, out of line
            pe = gd
            gd = pe.gd  # type: ignore[attr-defined]
            code = gd.bridge_code
            if code is not None:  # the bridge does them itself
                return self.run_bridge(tree, gd, code, result)
            # (read once: a bridge another thread attaches meanwhile takes the exit's values,
            # not these; this failure blackholes)
            result = pe.materialize(result)
        else:
            code = gd.bridge_code
            if code is not None:
                return self.run_bridge(tree, gd, code, result)
        self.stats.bump("guard_failures")
        values = list(result[1:])
        op = gd.op
        per_value = op.name in ("guard_value", "guard_is", "guard_class")
        watched = None
        if per_value and op.args:
            try:
                watched = values[gd.failargs.index(op.args[0])]
            except ValueError:
                watched = None
            if op.name == "guard_class":
                watched = type(watched)
        n = gd.count(watched, per_value)
        if (n >= self.eagerness and gd.bridge is None and not _tracing and not tree.invalid
                and gd.failures >= gd.blacklisted_until):
            if _jit_lock.acquire(False):
                try:
                    if gd.bridge is None:  # not attached by another thread meanwhile
                        return self.trace_bridge(tree, gd, values)
                finally:
                    _jit_lock.release()
            else:
                self.stats.bump("traces_postponed")
        return self.blackhole_from(gd, values)

    def run_bridge(self, tree: Tree, gd: GuardDescr, code: Tuple[Any, List[Any]],
                   result: Tuple[Any, ...]) -> Outcome:
        """A guard whose bridge is compiled on its own (not yet nested in the tree) left the
        tree's code: run the bridge, and go on from where it leaves.  Generated code calls such
        a bridge from the guard's site itself (pygen.site_return); this is for exits that
        reach the warm state all the same."""
        func, exits = code
        res = func(*result[1:])
        exit = exits[res[0]]
        if exit.kind == "finish":
            return Outcome("return", res[1])
        if exit.kind == "raise":
            return Outcome("raise", res[1])
        if exit.kind == "jump":
            return Outcome("continue", values=tuple(exit.target_key) + tuple(res[1:]))
        return self.guard_failed(tree, exit, res)

    def blackhole_from(self, gd: GuardDescr, values: List[Any]) -> Outcome:
        """Finish the guard's interpreter iteration in the blackhole interpreter.  Its time
        (``blackhole_s``) excludes the calls it makes (see blackhole.run): those run the
        program (and may blackhole again, counted there)."""
        self.stats.bump("blackholes")
        t0 = time.perf_counter()
        resumed = [0.0]
        try:
            snap = gd.snapshot
            plan = gd.bh_plan
            if plan is None or plan[0] is not snap:
                plan = gd.bh_plan = (snap, _blackhole_plan(gd))
            frames = []
            for jitcode, func, pc, init, taken, ov in plan[1][0]:
                regs = list(init)
                for reg, j in taken:
                    regs[reg] = values[j]
                if ov is None:
                    frames.append(BHFrame(jitcode, func, pc, regs))
                else:
                    frames.append(BHFrame(jitcode, func, pc, regs,
                                          values[ov] if ov.__class__ is int else ov.value, True))
            res, ex = plan[1][1], plan[1][2]
            result = (values[res] if res.__class__ is int else res.value) if res is not None else None
            exc = (values[ex] if ex.__class__ is int else ex.value) if ex is not None else None
            return blackhole.run(frames, snap.mode, result, exc, resumed)
        finally:
            self.stats.counters["blackhole_s"] += time.perf_counter() - t0 - resumed[0]

    # -- tracing ------------------------------------------------------------------------
    def trace_loop(self, key: Tuple[Any, ...], reds: Tuple[Any, ...], from_back_edge: bool = False) -> Outcome:
        mi = MetaInterp(self, "loop")
        mi.setup_loop(key, reds)
        mi.from_back_edge = from_back_edge
        self.stats.bump("traces_started")
        return self._trace(mi, key, None, "redo", None, None)

    def trace_bridge(self, tree: Tree, gd: GuardDescr, values: List[Any]) -> Outcome:
        mi = MetaInterp(self, "bridge")
        mi.home_key = tree.key
        mode, result, exc = mi.setup_bridge(gd.snapshot, gd.failargs, values, gd.known, gd.known_value,
                                            gd.fresh, gd.item_facts)
        mi.resume_from = (gd, values)
        self.stats.bump("bridge_traces_started")
        return self._trace(mi, tree.key, (tree, gd), mode, result, exc)

    def _trace(self, mi: MetaInterp, key: Any, bridge_of: Any, mode: str, result: Any, exc: Any) -> Outcome:
        events.trace_started(self, key, bridge_of)
        _tracing.append(mi)
        t0 = time.perf_counter()
        try:
            try:
                mi.run(mode, result, exc)
            finally:
                _tracing.pop()
                mi.tracing_s = time.perf_counter() - t0 - mi.native_s
                self.stats.counters["tracing_s"] += mi.tracing_s
        except TraceDone as done:
            try:
                return self.compile_trace(mi, done, key, bridge_of)
            except RecursionError:  # no room left on the stack to compile: not a bug
                self.abort(mi, key, bridge_of, "escaped", _STACK_RAN_OUT)
                return self.outcome_of(mi, done)
            except Exception as e:  # a bug in the optimizer or backend: the program goes on
                self.stats.bump("compile_failures")
                self.internal_error(mi, key, bridge_of, "optimizer or backend", e)
                return self.outcome_of(mi, done)
        except StopNow as stop:
            self.abort(mi, key, bridge_of, "escaped", "an exception left the interpreter loop while tracing")
            return stop.outcome
        except AbortTrace as ab:
            self.abort(mi, key, bridge_of, ab.reason, ab.detail)
            if ab.reason == "too_long":
                if any(getattr(f.jitcode, "portal_runtime", None) is not None for f in mi.framestack[1:]) \
                        or mi.inlined_portals:
                    self.no_portal_inlining.add(key)  # next time: call the portal instead
                else:
                    big = mi.biggest_inlined()
                    if big is not None:
                        self.dont_inline.add(big)
            return self.blackhole_after_abort(mi)
        except RecursionError:  # the tracer's own calls ran out of stack: not a bug
            self.abort(mi, key, bridge_of, "escaped", _STACK_RAN_OUT)
            return self.blackhole_after_abort(mi)
        except Exception as e:  # a bug in the tracer: keep the program right if we can
            self.internal_error(mi, key, bridge_of, "tracer", e)
            return self.blackhole_after_abort(mi)

    def internal_error(self, mi: MetaInterp, key: Any, bridge_of: Any, where: str, e: Exception) -> None:
        """A bug of the JIT's own: counted (``internal_errors``), logged as an abort with the
        traceback, and said once per distinct error on stderr; the program goes on."""
        self.stats.bump("internal_errors")
        what = "%s: %s" % (type(e).__name__, e)
        self.abort(mi, key, bridge_of, "internal_error", "%s\n%s" % (what, traceback.format_exc()))
        tb = traceback.extract_tb(e.__traceback__)
        at = " (%s:%d)" % (os.path.basename(tb[-1].filename), tb[-1].lineno) if tb else ""
        line = "metatrace: internal error in the %s, trace dropped, the program goes on: %s%s" % (
            where, what[:300], at)
        if line not in _said:
            _said.add(line)
            sys.stderr.write(line + "\n")

    def blackhole_after_abort(self, mi: MetaInterp) -> Outcome:
        if not getattr(mi, "resumed", True):
            # the bridge's tracer stopped before it had finished the guard's instruction (a
            # result stored, an exception propagated): its frames still stand at that
            # instruction, which must not run again; resume from the guard as if untraced
            return self.blackhole_from(*mi.resume_from)
        self.stats.bump("blackholes")
        t0 = time.perf_counter()
        resumed = [0.0]
        try:
            return blackhole.run(mi.blackhole_frames(), resumed=resumed)
        finally:
            self.stats.counters["blackhole_s"] += time.perf_counter() - t0 - resumed[0]

    def abort(self, mi: MetaInterp, key: Any, bridge_of: Any, reason: str, detail: str) -> None:
        self.stats.abort(reason)
        if bridge_of is not None:
            gd = bridge_of[1]
            gd.blacklisted_until = gd.failures + self.eagerness * 4
        elif reason == "left_loop":
            # no back-off: the loop is hot, only this iteration was its last; try again a few
            # back edges later
            tries = self.left_loop[key] = self.left_loop.get(key, 0) + 1
            self.counters[key] = (2, 3, 5, 7)[min(tries, 4) - 1]  # distances that break periodic exits
        else:
            self.aborts[key] = self.aborts.get(key, 0) + 1
        frame = mi.framestack[-1] if mi.framestack else None
        info = {
            "driver": str(self.driver.name),
            "kind": mi.kind,
            "reason": reason,
            "detail": detail,
            "location": mi.location or self.location(key),
            "green_key": [safe_repr(k, 120) for k in key] if key is not None else [],
            "ops": len(mi.ops),
            "source": ({"file": frame.jitcode.filename, "line": frame.jitcode.line_of(frame.pc),
                        "function": frame.jitcode.name} if frame is not None else None),
            "inlined": [{"function": f.jitcode.name, "file": f.jitcode.filename,
                         "line": f.jitcode.line_of(f.pc)} for f in mi.framestack],
        }
        LOG.add_abort(info)
        hooks.fire("on_abort", info)

    def _enabled_opts(self) -> str:
        opts = self.driver.params["enable_opts"]
        return "licm:unroll" if opts == "all" else opts

    def outcome_of(self, mi: MetaInterp, done: TraceDone) -> Outcome:
        """Where the interpreter stands when the trace ended."""
        if done.end in ("finish", "raise"):
            return done.outcome  # type: ignore[return-value]
        return Outcome("continue", values=tuple(done.target_key) + tuple(self._red_values(mi)))

    def compile_trace(self, mi: MetaInterp, done: TraceDone, key: Any, bridge_of: Any) -> Outcome:
        outcome = self.outcome_of(mi, done)
        if bridge_of is None and done.end == "finish":
            work = sum(1 for op in mi.ops if op.name not in _BOOKKEEPING)
            steps = sum(1 for op in mi.ops if op.name == "debug_merge_point")
            if work < MIN_FUNCTION_OPS and steps < MIN_FUNCTION_STEPS:
                # from a function's entry to its return with next to no work: entering
                # compiled code costs more than that saves
                self.abort(mi, key, None, "too_short",
                           "the portal returned after %d operations in %d interpreted "
                           "instruction(s); not worth entering compiled code for" % (work, steps))
                self.mark_tiny(key)
                return outcome
        if done.end == "finish":
            mi.record("finish", done.args)
        elif done.end == "raise":
            mi.record("finish_raise", done.args)
        else:
            mi.record("jump", done.args, done.target_key)
        if mi.token.invalid:
            self.abort(mi, key, bridge_of, "invalidated", "a quasi-immutable field changed while tracing")
            return outcome  # type: ignore[return-value]
        unopt = RecordedOps(mi.ops, mi.inputargs, _unopt_json)  # formatted when a log asks
        with self.stats.timer("optimizing_s"):
            t0 = time.perf_counter()
            # only what was known before tracing: facts the trace's own guards established must
            # not remove those guards
            ops = optimize_trace(mi.inputargs, mi.ops, self.driver.params["enable_opts"], mi.known_at_start)
            t_opt = time.perf_counter() - t0
        kind = "bridge" if bridge_of is not None else "loop"
        if (kind == "loop" and done.end == "jump" and done.target_key == key
                and ("licm" in self._enabled_opts() or "unroll" in self._enabled_opts())):
            opts = self.driver.params["enable_opts"]
            looped = optimize_loop(mi.inputargs, ops, entry_snapshot_for(
                self.portal_jitcode, self.portal_func, key, mi.inputargs), mi.known_at_start,
                unroll=opts == "all" or "unroll" in opts.split(":"))
            if looped is not None:
                ops = looped
        loc = mi.location or self.location(key)
        ct = CompiledTrace(kind, self.driver, key if bridge_of is None else bridge_of[0].key, loc,
                           mi.inputargs, ops, unopt, bridge_of[1] if bridge_of else None)
        ct.end = done.end
        if done.end == "jump":
            ct.target_location = self.location(done.target_key)
            target = self.trees.get(done.target_key)
            if target is not None and not target.invalid:
                ct.target_trace = target.root.id
            elif bridge_of is None and done.target_key == key:
                ct.target_trace = ct.id
        ct.times["tracing_ops"] = len(mi.ops)
        ct.times["tracing_s"] = mi.tracing_s
        ct.times["optimizing_s"] = t_opt
        t0 = time.perf_counter()
        try:
            if bridge_of is None:
                tree = Tree(self, key, ct)
                # guard_not_invalidated ops carry the trace's token: rebind to the tree's
                tree.token = mi.token
                mi.token.owner = tree
                tree.add_guards(ct)
                tree.calls |= mi.assembler_calls
                tree.compile()
                old = self.trees.get(key)
                if old is not None:
                    old.invalid = True
                    self.retire(old)
                self.set_tree(key, tree)
                self.counters[key] = 0
                if key in self.entry_counters:
                    # a trace from a call's entry: calls from the interpreter enter its code at
                    # once (the counter was set to function_threshold when tracing began)
                    self.entry_counters[key] = 0
                self.stats.bump("loops")
                self.stats.bump("tier1")
                hook = "on_compile"
                if mi.token.invalid and not tree.invalid:
                    # written by another thread before the token knew its tree
                    tree.on_invalidated(mi.token.reason)
            else:
                tree, gd = bridge_of
                ct.tree = tree
                tree.traces.append(ct)
                known = {id(ia): gd.known[j] for j, ia in enumerate(mi.inputargs) if j in gd.known}
                tree.add_guards(ct, known)
                tree.calls |= mi.assembler_calls
                # the bridge's quasi-immutable dependencies invalidate the whole tree
                mi.token.owner = tree
                tree.attach_bridge(gd, ct)
                self.stats.bump("bridges")
                hook = "on_compile_bridge"
                if mi.token.invalid and not tree.invalid:
                    tree.on_invalidated(mi.token.reason)
        except CodegenError as e:
            if bridge_of is not None:
                bridge_of[1].bridge = None
                bridge_of[1].blacklisted_until = 1 << 60
                try:
                    bridge_of[0].compile()
                except CodegenError:
                    bridge_of[0].invalid = True
            self.stats.bump("compile_failures")
            self.abort(mi, key, bridge_of, "compile_failed", str(e))
            return outcome  # type: ignore[return-value]
        dt = time.perf_counter() - t0
        self.generation += 1
        if self.generation % 32 == 0:
            self.free_old_trees()
        ct.times["compiling_s"] = dt
        self.stats.counters["compiling_s"] += dt
        LOG.add_trace(ct)
        hooks.fire(hook, {"id": ct.id, "kind": kind, "driver": str(self.driver.name),
                          "location": loc, "ops": len(ops), "trace": ct})
        return outcome  # type: ignore[return-value]

    def _red_values(self, mi: MetaInterp) -> List[Any]:
        frame = mi.framestack[0]
        return [frame.values[r] for r in frame.jitcode.red_regs]

    def free_old_trees(self) -> None:
        """Keep the code cache bounded: drop trees not entered for loop_longevity compiles."""
        limit = self.generation - self.driver.params["loop_longevity"]
        for key, tree in list(self.trees.items()):
            if tree.last_used < limit:
                if self.drop_tree(key) is None:
                    continue  # invalidated by another thread meanwhile
                self.retire(tree)
                tree.invalid = True
                for t in tree.traces:
                    t.invalidated = "freed: not used for %d compilations" % self.driver.params["loop_longevity"]
                self.counters[key] = self.threshold
                if key in self.entry_counters:
                    self.entry_counters[key] = self.driver.params["function_threshold"]
                self.stats.bump("freed_loops")

    def tree_cell(self, key: Any) -> List[Any]:
        """A one-item list holding the tree of ``key`` (None while it has none), updated as
        trees come and go: compiled code calling that key binds it as a constant and enters
        the tree without looking it up (a dict lookup hashes the key tuple each time)."""
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = [self.trees.get(key)]
        return cell

    def set_tree(self, key: Any, tree: Tree) -> None:
        self.trees[key] = tree
        cell = self.cells.get(key)
        if cell is not None:
            cell[0] = tree

    def drop_tree(self, key: Any) -> Optional[Tree]:
        tree = self.trees.pop(key, None)
        cell = self.cells.get(key)
        if cell is not None:
            cell[0] = None
        return tree

    def retire(self, tree: Tree) -> None:
        """A tree leaves the code cache: keep its counts (once, whoever gets here first: a
        write in another thread may invalidate a tree while it is being replaced)."""
        if tree.retired:
            return
        tree.retired = True
        self.retired_entries += tree.entries
        self.retired_t2[0] += tree.t2.run_stats[0]
        self.retired_t2[1] += tree.t2.run_stats[1]
        self.stats.counters["tier2" if tree.t2.state == "kernel" else "tier1"] -= 1

    def forget_cold_keys(self) -> None:
        """Counters are kept per green key, and a key keeps the interpreted program's objects in
        it alive: when more than ``counters_cap`` keys are counted, forget those without code
        that are counting normally toward their threshold (they start again from it).  Keys
        backing off or blacklisted are kept: there is one per trace attempt, not per key seen."""
        trees = self.trees
        for counters, threshold in ((self.counters, self.threshold),
                                    (self.entry_counters, self.driver.params["function_threshold"])):
            for key, n in list(counters.items()):
                if n <= threshold and key not in trees:
                    counters.pop(key, None)
                    self.stats.bump("forgotten_keys")
        self.counters_cap = max(COUNTERS_KEPT, 2 * len(self.counters), 2 * len(self.entry_counters))

    def tree_invalidated(self, tree: Tree, reason: str) -> None:
        self.stats.bump("invalidations")
        key = tree.key
        if self.trees.get(key) is tree:
            self.drop_tree(key)
            self.retire(tree)
            # a key whose code keeps being invalidated (a method redefined every few
            # iterations) backs off: each invalidation doubles the wait before it is traced again
            k = self.invalidated_keys[key] = self.invalidated_keys.get(key, 0) + 1
            self.counters[key] = self.threshold << min(k - 1, INVALIDATION_BACKOFF)
            if key in self.entry_counters:
                self.entry_counters[key] = self.driver.params["function_threshold"] << min(k - 1, INVALIDATION_BACKOFF)
