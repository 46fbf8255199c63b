"""When a tree's loop moves to tier 2, and what its tier-1 code does meanwhile.

Each tree gets a :class:`Tier2`.  If its loop proper can be lowered (see ``numba_tier``), the
tier-1 source counts the loop's iterations in ``_T2[0]``; when the count runs out it calls
``_T2up(...)`` with the loop's inputs, whose classes decide the kernel's signature.

* ``backend=numba``: the kernel is compiled there and then (the first iteration), and used
  from that iteration on.
* ``backend=auto``: after ``numba_threshold`` iterations the kernel is compiled in a background
  thread while tier 1 goes on; the loop checks every few thousand iterations whether it is
  ready, and switches to it in the middle of its run.
* ``backend=python``: never.

Once the kernel exists the tree's source is regenerated to call it at the loop's entry, without
the counter.  A loop that cannot be lowered never counts.  The reason each tree is in its tier
is kept for the trace log.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, List, Optional

from . import numba_tier
from .numba_tier import Kernel, Unlowerable

RECHECK = 2048  # iterations between looks at a background compile
FIRST_KERNEL_FACTOR = 5


class Tier2:
    def __init__(self, tree: Any, mode: str, threshold: int, stats: Any) -> None:
        self.tree = tree
        self.mode = mode
        self.stats = stats
        self.kernel: Optional[Kernel] = None
        if mode == "auto" and not numba_tier.warm():
            # the process's first kernel also pays Numba's import and set-up (~0.6 s)
            threshold *= FIRST_KERNEL_FACTOR
        self.counter: List[int] = [threshold if mode == "auto" else 1]
        self.run_stats: List[int] = [0, 0]  # kernel runs, iterations run in kernels
        self.plan: Any = None
        self.state = "off"  # off | counting | compiling | kernel | failed
        self.reason = ""
        self._result: Any = None
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
        self.reason = ("the loop can run in tier 2; it moves there after %d iterations" % threshold
                       if mode == "auto" else "the loop can run in tier 2")

    @property
    def counting(self) -> bool:
        return self.state in ("counting", "compiling")

    @property
    def tier(self) -> str:
        return "numba" if self.state == "kernel" else "python"

    def namespace(self) -> dict:
        return {"_T2": self.counter, "_T2up": self.tier_up,
                "_T2K": self.kernel.enter if self.kernel is not None else None}

    def params(self) -> List[Any]:
        return list(self.plan.params) if self.plan is not None else []

    # -- called from tier-1 code ----------------------------------------------------------
    def tier_up(self, *values: Any) -> Any:
        """The counter ran out: returns the kernel's entry to call now, or None."""
        if self.state == "kernel":
            return self.kernel.enter  # type: ignore[union-attr]
        if self.tree.invalid:
            return None
        if self.state == "compiling":
            result = self._result
            if result is None:
                self.counter[0] = RECHECK
                return None
            return self._finish(result)
        if self.state != "counting":
            return None
        classes = numba_tier.classes_of(values)
        try:
            numba_tier.kernel_source(self.plan, classes)  # cheap: is this signature lowerable?
        except Unlowerable as e:
            return self._fail(str(e))
        if self.mode == "auto":
            self.state = "compiling"
            self.counter[0] = RECHECK
            threading.Thread(target=self._compile_in_background, args=(classes,),
                             name="metatrace-tier2", daemon=True).start()
            return None
        return self._finish(self._compile(classes))

    # -- compiling ------------------------------------------------------------------------
    def _compile(self, classes: List[Any]) -> Any:
        try:
            return Kernel(self.plan, classes, self.run_stats)
        except Unlowerable as e:
            return e
        except Exception as e:  # Numba raises many kinds; the loop stays in tier 1
            return RuntimeError("Numba failed: %s: %s" % (type(e).__name__, str(e).splitlines()[0][:200]
                                                          if str(e) else ""))

    def _compile_in_background(self, classes: List[Any]) -> None:
        try:
            self._result = self._compile(classes)
        except BaseException as e:  # never let the thread die silently
            self._result = RuntimeError("%s: %s" % (type(e).__name__, e))

    def _finish(self, result: Any) -> Any:
        if isinstance(result, BaseException):
            if not isinstance(result, Unlowerable) and "pytest" not in sys.modules:
                sys.stderr.write("metatrace: tier 2 compile failed, loop stays in tier 1: %s\n" % result)
            return self._fail(str(result))
        if self.tree.invalid:
            self.state = "failed"
            self.reason = "the tree was invalidated while its kernel compiled"
            return None
        self.kernel = result
        self.state = "kernel"
        self.counter[0] = -1
        self.reason = ("the loop proper runs as a Numba kernel (%d ops, compiled in %.0f ms); its "
                       "preamble, exits and bridges run in tier 1" % (result.ops, result.compile_s * 1e3))
        self.stats.counters["tier1"] -= 1
        self.stats.bump("tier2")
        self.stats.counters["tier2_compiling_s"] = (self.stats.counters.get("tier2_compiling_s", 0.0)
                                                     + result.compile_s)
        self.tree.compile()
        return result.enter

    def _fail(self, reason: str) -> None:
        self.state = "failed"
        self.counter[0] = -1
        self.reason = "tier 2 cannot run it: " + reason
        self.stats.bump("tier2_failures")
        if not self.tree.invalid:
            self.tree.compile()
        return None
