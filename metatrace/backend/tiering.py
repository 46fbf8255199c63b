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
"""

from __future__ import annotations

import itertools
import sys
from typing import Any, List, Optional

from .. import events
from . import numba_tier
from .numba_tier import Kernel, Unlowerable

FIRST_KERNEL_FACTOR = 7
# a kernel is generated again when bridges it could run are attached after it was made (each
# time a Numba compile, unless the kernel cache has it): at most this many times per tree
# (backend=auto compiles once the loop is hot, when its bridges mostly exist: once more at most)
MAX_REGENERATIONS = 3
MAX_REGENERATIONS_AUTO = 1
_FOREVER = itertools.repeat(None)


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

    def bind(self, ns: dict) -> None:
        """Give a version of the tree's code what its tier-2 lines use."""
        ns["_T2I"] = self.iterator
        ns["_T2up"] = self.tier_up
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
        return list(self.plan.params) if self.plan is not None else []

    # -- called from tier-1 code ----------------------------------------------------------
    def tier_up(self, *values: Any) -> Any:
        """The counter ran out: returns the kernel's entry to call now, or None."""
        if self.state == "kernel":
            return self.kernel.enter  # type: ignore[union-attr]
        self._stop_counting()
        if self.tree.invalid or self.state != "counting":
            return None
        self.classes = [type(v) for v in values]
        self.aliases = numba_tier.alias_pattern(values)
        try:
            kernel = Kernel(self.plan, self.classes, self.run_stats, self.aliases, self.bridges())
        except Unlowerable as e:
            return self._fail(str(e))
        except Exception as e:  # Numba raises many kinds; the loop stays in tier 1
            first = str(e).splitlines()[0][:200] if str(e) else ""
            if "pytest" not in sys.modules:
                sys.stderr.write("metatrace: tier 2 compile failed, loop stays in tier 1: %s: %s\n"
                                 % (type(e).__name__, first))
            return self._fail("Numba failed: %s: %s" % (type(e).__name__, first))
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
