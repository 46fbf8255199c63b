"""When a tree's loop moves to tier 2, and what its tier-1 code does meanwhile.

Each tree gets a :class:`Tier2`.  If its loop proper can be lowered (see ``numba_tier``), the
tier-1 source runs the loop proper under ``for _ in _T2I:`` -- a shared iterator that counts its
iterations at almost no cost; when it runs out, the loop calls ``_T2up(...)`` with its inputs,
whose classes decide the kernel's signature.

* ``backend=numba``: at the loop's first iteration.
* ``backend=auto``: once the loop proper has run ``numba_threshold`` operations in tier 1
  (iterations x its op count; 7x that for the process's first kernel, which also pays Numba's
  import and set-up): a compile costs about as much tier-1 time as has been spent by then, the
  "rent until you could have bought" rule, which is never worse than twice the best choice.
* ``backend=python``: never.

The kernel is compiled synchronously, and the running loop switches to it in the middle of its
run.  (A background thread does not work well: an import or a compile makes thousands of calls
that release the GIL, and each time the interpreter thread keeps it for a whole switch interval
-- CPython's convoy effect -- so the compile takes many times longer.)

Once the kernel exists the tree's source is regenerated to call it at the loop's entry, without
the counter.  When bridges the kernel could run itself (they jump back to the loop) are attached
later, the next entry generates the kernel again with them (``regenerate``; at most
``MAX_REGENERATIONS`` times a tree, once with ``backend=auto``).  A loop that cannot be lowered never counts.  The reason each tree is in its tier
is kept for the trace log.

A tree whose loop can be left as a jump to itself with its reds (``numba_region.shape_of``) gets
a *loop-nest kernel* instead: one kernel for the trees its bridges jump to, entered by every
member tree with a loop, and generated again (``_region_regenerate``, at most MAX_REGIONS a
portal) when their bridges or the trees they jump to change.
"""

from __future__ import annotations

import itertools
import sys
import weakref
from typing import Any, Dict, List, Optional

from .. import events
from . import numba_region, numba_tier
from .numba_tier import Kernel, Unlowerable
from .pygen import JumpExit

FIRST_KERNEL_FACTOR = 7
# a kernel is generated again when bridges it could run are attached after it was made (each
# time a Numba compile, unless the kernel cache has it): at most this many times per tree
# (backend=auto compiles once the loop is hot, when its bridges mostly exist: once more at most)
MAX_REGENERATIONS = 3
MAX_REGENERATIONS_AUTO = 1
# a region kernel (a loop nest, numba_region) is generated again when its trees got bridges or
# the trees it jumps to appeared; at most this many region kernels per portal, and a stale one
# is entered STALE_ENTRIES x 2**(kernels made) times first (bridges come in bursts: wait for
# them to settle rather than compile once per bridge)
MAX_REGIONS = 5
MAX_REGIONS_AUTO = 3
STALE_ENTRIES = 32
REGIONS = True  # loop nests in one kernel (False: one kernel per loop proper, as before)
_FOREVER = itertools.repeat(None)
_region_builds: "weakref.WeakKeyDictionary[Any, int]" = weakref.WeakKeyDictionary()


def _numba_failed(e: Exception) -> str:
    """Say on stderr (not under pytest) that Numba could not compile a kernel; returns the
    reason kept for the trace log."""
    first = str(e).splitlines()[0][:200] if str(e) else ""
    if "pytest" not in sys.modules:
        sys.stderr.write("metatrace: tier 2 compile failed, loop stays in tier 1: %s: %s\n"
                         % (type(e).__name__, first))
    return "Numba failed: %s: %s" % (type(e).__name__, first)


class Tier2:
    def __init__(self, tree: Any, mode: str, threshold: int, stats: Any) -> None:
        self.tree = tree
        self.mode = mode
        self.stats = stats
        self.kernel: Optional[Kernel] = None
        if mode == "auto" and not numba_tier.warm():
            # the process's first kernel also pays Numba's import and set-up (~0.6 s)
            threshold *= FIRST_KERNEL_FACTOR
        # operations (iterations x the loop proper's ops) are a rough measure of the tier-1
        # time spent, to weigh against the compile ("rent until you could have bought")
        self.threshold = threshold if mode == "auto" else 0
        self.iterator: Any = None
        self.namespaces: List[dict] = []  # of every version of the tree's code
        self.run_stats: List[int] = [0, 0]  # kernel runs, iterations run in kernels
        self.plan: Any = None
        self.shape: Any = None
        self.region: Any = None  # the region kernel (numba_region) the loop runs in
        self.region_shape: Any = None  # (numba_region._shape)
        self.state = "off"  # off | counting | kernel | failed
        self.reason = ""
        if mode == "python":
            self.reason = "backend=python: tier 2 is off"
            return
        plan = numba_tier.plan_inner_loop(tree.root.ops)
        if isinstance(plan, str):
            self.reason = "tier 2 cannot run it: " + plan
            return
        missing = numba_tier.available()
        if missing:
            self.reason = "tier 2 unavailable: " + missing
            return
        plan.key = tree.key
        self.plan = plan
        # a tree whose loop can be left as a jump to itself with its reds can run in a region
        # kernel with the trees its bridges jump to (numba_region); its tier-1 code then passes
        # the reds at the loop's entry
        if REGIONS:
            shape = numba_region._shape(tree)
            self.shape = shape if not isinstance(shape, str) else None
        self.classes: List[Any] = []
        self.aliases: List[int] = []
        self.regenerations = 0
        self.kernel_namespaces: List[dict] = []
        self.state = "counting"
        self.iterator = itertools.repeat(None, -(-self.threshold // plan.ops))
        self.reason = ("the loop can run in tier 2; it moves there after %d operations in tier 1"
                       % threshold if mode == "auto" else "the loop can run in tier 2")

    @property
    def counting(self) -> bool:
        return self.state == "counting"

    @property
    def tier(self) -> str:
        return "numba" if self.state == "kernel" else "python"

    def bind(self, ns: dict, exits: Optional[List[Any]] = None) -> None:
        """Give a version of the tree's code what its tier-2 lines use (``exits``: its exit
        table, to which a region kernel's jumps to other trees are added)."""
        ns["_T2I"] = self.iterator
        ns["_T2up"] = self.tier_up
        ns["_T2J"] = _jumper(exits if exits is not None else [], self.tree.ws)
        for region in list(_regions_of(self.tree)):
            if region.stale():
                _go_stale(region)
        if self.shape is not None:
            ns["_T2K"] = None
            if self.state == "counting":
                self.namespaces.append(ns)
            elif self.state == "kernel":
                self.kernel_namespaces.append(ns)
                r = self.region
                ns["_T2K"] = self.regenerate if r.is_stale else r.enter_for(self.tree, self.run_stats)
            return
        ns["_T2K"] = self.kernel.enter if self.kernel is not None else None
        if self.state == "counting":
            self.namespaces.append(ns)
        elif self.state == "kernel":
            limit = MAX_REGENERATIONS_AUTO if self.mode == "auto" else MAX_REGENERATIONS
            if self.regenerations >= limit:
                self.kernel_namespaces = []  # (kept only to be pointed at a new kernel)
                return
            self.kernel_namespaces.append(ns)
            if set(self.bridges()) - set(self.kernel.bridges):  # type: ignore[union-attr]
                # new bridges: the next entry makes a kernel that runs them too
                for n in self.kernel_namespaces:
                    n["_T2K"] = self.regenerate

    def bridges_changed(self) -> None:
        """A bridge was attached without a new version of the tree's code (Tree.attach_bridge):
        the kernels that could run it go stale, as ``bind`` finds for a new version."""
        for region in list(_regions_of(self.tree)):
            if region.stale():
                _go_stale(region)
        if self.shape is not None or self.state != "kernel" or self.kernel is None:
            return
        limit = MAX_REGENERATIONS_AUTO if self.mode == "auto" else MAX_REGENERATIONS
        if self.regenerations < limit and set(self.bridges()) - set(self.kernel.bridges):
            for n in self.kernel_namespaces:
                n["_T2K"] = self.regenerate

    def bridges(self) -> Dict[int, Any]:
        """The tree's bridges, by the guard they leave from (the kernel runs those that jump
        back to this loop and that it can lower; see numba_tier.BridgeInfo)."""
        out = {}
        for gd in self.tree.guard_descrs.values():
            b = gd.bridge
            if b is not None:
                out[id(gd.op)] = numba_tier.BridgeInfo(gd.failargs, b.inputargs, b.ops,
                                                       self.tree.key, bool(gd.op.sunk))
        return out

    def regenerate(self, *values: Any) -> Any:
        """The kernel's entry while bridges it does not know of exist: make one that knows them
        (from this process's or the disk cache, or Numba), then enter it."""
        if self.shape is not None:
            return self._region_regenerate(values)
        old = self.kernel
        self.regenerations += 1
        if self.state == "kernel" and not self.tree.invalid:
            try:
                kernel = Kernel(self.plan, self.classes, self.run_stats, self.aliases,
                                self.bridges())
            except Exception:  # Unlowerable cannot happen (the kernel without them lowered)
                kernel = None
            if kernel is not None:
                self.kernel = kernel
                self.reason = self._describe(kernel)
                for key, n in kernel.counts.items():
                    self.stats.bump(key, n)
                self.stats.counters["tier2_compiling_s"] = (
                    self.stats.counters.get("tier2_compiling_s", 0.0) + kernel.compile_s)
                events.tier_changed(self)
        for n in self.kernel_namespaces:
            n["_T2K"] = self.kernel.enter  # type: ignore[union-attr]
        del old
        return self.kernel.enter(*values)  # type: ignore[union-attr]

    def _stop_counting(self) -> None:
        for ns in self.namespaces:  # a running older version must not come back here
            ns["_T2I"] = _FOREVER
        self.namespaces = []

    def params(self) -> List[Any]:
        if self.shape is not None:
            return list(self.shape.params)
        return list(self.plan.params) if self.plan is not None else []

    # -- region kernels (numba_region) ---------------------------------------------------
    def _region_up(self, values: Any) -> Any:
        classes = [type(v) for v in values]
        aliases = numba_tier.alias_pattern(values)
        r = self.region
        if r is not None and r.classes == classes and r.aliases == aliases and r.has(self.tree):
            return self._join(r)
        return self._build_region(classes, aliases)

    def _build_region(self, classes: List[Any], aliases: List[int]) -> Any:
        ws = self.tree.ws
        rebuild = self.region is not None
        builds = _region_builds.get(ws.stats, 0)  # (per driver; testing.reset starts over)
        limit = MAX_REGIONS_AUTO if self.mode == "auto" else MAX_REGIONS
        if rebuild and builds >= limit:
            return self._join(self.region, final=True)
        try:
            members, missing = numba_region.collect(self.tree, ws.trees)
            if not members:
                raise Unlowerable("the tree cannot start a region")
            region = numba_region.RegionKernel(members, classes, aliases, missing, ws.trees)
        except Unlowerable as e:
            return self._region_fallback(str(e))
        except Exception as e:  # Numba raises many kinds; the loop stays in tier 1
            return self._region_fallback(_numba_failed(e))
        if rebuild:  # (a tree's first kernel is not counted: it is what a loop kernel costs)
            _region_builds[ws.stats] = builds = builds + 1
        region.is_stale = False
        region.final = builds >= limit
        region.generation = builds
        for key, n in region.counts.items():
            self.stats.bump(key, n)
        self.stats.counters["tier2_compiling_s"] = (self.stats.counters.get("tier2_compiling_s", 0.0)
                                                     + region.compile_s)
        # every member with a loop enters this kernel from now on
        for t in region.trees:
            t2 = t.t2
            _regions_of(t).add(region)
            if t2 is self or t2.shape is None or t.invalid:
                continue
            if t2.state == "kernel" and t2.region is not None:
                t2.region = region
                t2._rebind()
            elif t2.state == "counting":
                t2._join(region, compile_tree=True)
        return self._join(region)

    def _join(self, region: Any, final: bool = False, compile_tree: bool = False) -> Any:
        """This tree's loop runs in ``region`` from now on; returns the entry to call."""
        if final:
            region.final = True
        self.region = region
        _regions_of(self.tree).add(region)
        if self.state != "kernel":
            self._stop_counting()
            self.state = "kernel"
            self.stats.counters["tier1"] -= 1
            self.stats.bump("tier2")
            self.reason = self._describe_region(region)
            if not self.tree.invalid:
                self.tree.compile()
            events.tier_changed(self)
        else:
            self.reason = self._describe_region(region)
            self._rebind()
        return region.enter_for(self.tree, self.run_stats)

    def _rebind(self) -> None:
        r = self.region
        entry = self.regenerate if r.is_stale else r.enter_for(self.tree, self.run_stats)
        for n in self.kernel_namespaces:
            n["_T2K"] = entry

    def _region_regenerate(self, values: Any) -> Any:
        r = self.region
        r.stale_calls += 1
        if r.final or r.stale_calls < STALE_ENTRIES << r.generation or self.tree.invalid:
            if r.final:
                r.is_stale = False  # no more kernels for this portal: keep this one
                for t in r.trees:
                    if t.t2.region is r:
                        t.t2._rebind()
            return r.enter_for(self.tree, self.run_stats)(*values)
        entry = self._build_region(list(r.classes), list(r.aliases))
        if entry is None:
            return None
        return entry(*values)

    def _region_fallback(self, reason: str) -> Any:
        """No region from this tree: the loop gets a kernel of its own (its tier-1 code is made
        again to pass what that kernel reads), or stays in tier 1."""
        if self.region is not None:  # a region made before still holds the tree
            return self._join(self.region, final=True)
        self.shape = None
        self.reason = "tier 2: no loop nest kernel (%s)" % reason
        self._stop_counting()
        self.iterator = itertools.repeat(None, 0)  # the next entry asks for a loop kernel
        if not self.tree.invalid:
            self.tree.compile()
        return None

    @staticmethod
    def _describe_region(region: Any) -> str:
        how = {"disk": "loaded from the kernel cache", "memory": "already compiled"}.get(
            region.origin, "compiled")
        return ("the loop runs in a Numba kernel holding %d trees of its loop nest (%d ops, %s "
                "in %.0f ms; it runs %d bridges); leaving it goes on in tier 1 at the tree it "
                "stood at" % (len(region.trees), region.ops, how, region.compile_s * 1e3,
                              region.bridges_run))

    # -- called from tier-1 code ----------------------------------------------------------
    def tier_up(self, *values: Any) -> Any:
        """The counter ran out: returns the kernel's entry to call now, or None."""
        if self.state == "kernel":
            if self.shape is not None:
                return self.region.enter_for(self.tree, self.run_stats)
            return self.kernel.enter  # type: ignore[union-attr]
        if self.tree.invalid or self.state != "counting":
            self._stop_counting()
            return None
        if self.shape is not None:
            return self._region_up(values)
        self._stop_counting()
        self.classes = [type(v) for v in values]
        self.aliases = numba_tier.alias_pattern(values)
        try:
            kernel = Kernel(self.plan, self.classes, self.run_stats, self.aliases, self.bridges())
        except Unlowerable as e:
            return self._fail(str(e))
        except Exception as e:  # Numba raises many kinds; the loop stays in tier 1
            return self._fail(_numba_failed(e))
        return self._finish(kernel)

    def _finish(self, kernel: Kernel) -> Any:
        self.kernel = kernel
        self.state = "kernel"
        self.reason = self._describe(kernel)
        self.stats.counters["tier1"] -= 1
        self.stats.bump("tier2")
        for key, n in kernel.counts.items():  # Numba compiles, kernel cache hits and misses
            self.stats.bump(key, n)
        self.stats.counters["tier2_compiling_s"] = (self.stats.counters.get("tier2_compiling_s", 0.0)
                                                     + kernel.compile_s)
        self.tree.compile()
        events.tier_changed(self)
        return kernel.enter

    @staticmethod
    def _describe(kernel: Kernel) -> str:
        how = {"disk": "loaded from the kernel cache", "memory": "already compiled"}.get(
            kernel.origin, "compiled")
        runs = ("; it runs %d of its bridges back to the loop itself" % kernel.bridges_run
                if kernel.bridges_run else "")
        return ("the loop proper runs as a Numba kernel (%d ops, %s in %.0f ms)%s; its "
                "preamble, exits and other bridges run in tier 1" % (
                    kernel.ops, how, kernel.compile_s * 1e3, runs))

    def _fail(self, reason: str) -> None:
        self.state = "failed"
        self.reason = "tier 2 cannot run it: " + reason
        self.stats.bump("tier2_failures")
        if not self.tree.invalid:
            self.tree.compile()
        events.tier_changed(self)
        return None


def _jumper(exits: List[Any], ws: Any) -> Any:
    """For one version of a tree's code: a region kernel's ``[key, reds...]`` as that code's
    jump exit to the key (exits are added to its table as keys come, each with the key's tree
    cell, as pygen's jump exits have)."""
    index: Dict[Any, int] = {}

    def jump(r: List[Any]) -> Any:
        key = r[0]
        k = index.get(key)
        if k is None:
            k = index[key] = len(exits)
            exits.append(JumpExit(key, ws.tree_cell(key)))
        r[0] = k
        return tuple(r)

    return jump


_member_of: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()


def _regions_of(tree: Any) -> Any:
    """The region kernels that hold ``tree`` (so that its new bridges make them stale)."""
    s = _member_of.get(tree)
    if s is None:
        s = _member_of[tree] = weakref.WeakSet()
    return s


def _go_stale(region: Any) -> None:
    """New bridges or trees: the next entry of each member makes a kernel that knows them."""
    if getattr(region, "is_stale", True) or region.final:
        return
    region.is_stale = True
    region.stale_calls = 0
    for t in region.trees:
        t2 = t.t2
        if t2.region is region and t2.state == "kernel":
            for n in t2.kernel_namespaces:
                n["_T2K"] = t2.regenerate
