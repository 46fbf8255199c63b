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
the counter.  A loop that cannot be lowered never counts.  The reason each tree is in its tier
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
        self.plan = plan
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
        try:
            kernel = Kernel(self.plan, [type(v) for v in values], self.run_stats,
                            numba_tier.alias_pattern(values))
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
        how = {"disk": "loaded from the kernel cache", "memory": "already compiled"}.get(
            kernel.origin, "compiled")
        self.reason = ("the loop proper runs as a Numba kernel (%d ops, %s in %.0f ms); its "
                       "preamble, exits and bridges run in tier 1" % (kernel.ops, how,
                                                                       kernel.compile_s * 1e3))
        self.stats.counters["tier1"] -= 1
        self.stats.bump("tier2")
        for key, n in kernel.counts.items():  # Numba compiles, kernel cache hits and misses
            self.stats.bump(key, n)
        self.stats.counters["tier2_compiling_s"] = (self.stats.counters.get("tier2_compiling_s", 0.0)
                                                     + kernel.compile_s)
        self.tree.compile()
        events.tier_changed(self)
        return kernel.enter

    def _fail(self, reason: str) -> None:
        self.state = "failed"
        self.reason = "tier 2 cannot run it: " + reason
        self.stats.bump("tier2_failures")
        if not self.tree.invalid:
            self.tree.compile()
        events.tier_changed(self)
        return None
