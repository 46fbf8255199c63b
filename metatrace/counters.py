"""Counters of what the JIT did (``metatrace.stats()``); importable on Python 3.9."""

from __future__ import annotations

import time
from typing import Any, Dict

COUNTER_KEYS = (
    "loops", "bridges", "aborts", "guard_failures", "blackholes", "invalidations",
    "tier1", "tier2", "traces_started", "loop_entries", "bridge_traces_started",
    "compile_failures", "freed_loops", "tier2_failures", "tier2_runs", "tier2_iterations",
    "internal_errors", "traces_postponed", "live_trees", "forgotten_keys",
    "tree_compiles", "bridge_compiles",
    # tier 2's kernels: Numba compiles run, and the disk cache (metatrace/backend/kernel_cache.py)
    "tier2_compiles", "kernel_cache_hits", "kernel_cache_misses", "kernel_cache_corrupt",
    "kernel_cache_write_failures",
)
TIME_KEYS = ("tracing_s", "optimizing_s", "compiling_s", "blackhole_s", "tier2_compiling_s")


def empty_stats() -> Dict[str, Any]:
    out: Dict[str, Any] = {k: 0 for k in COUNTER_KEYS}
    out.update({k: 0.0 for k in TIME_KEYS})
    out["aborts_by_reason"] = {}
    return out


def merge_stats(a: Dict[str, Any], b: Dict[str, Any]) -> Dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        if key == "aborts_by_reason":
            merged = dict(out.get(key, {}))
            for reason, n in value.items():
                merged[reason] = merged.get(reason, 0) + n
            out[key] = merged
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = out.get(key, 0) + value
    return out


class Stats:
    """Mutable counters of one driver."""

    def __init__(self) -> None:
        self.counters: Dict[str, Any] = empty_stats()

    def bump(self, key: str, n: int = 1) -> None:
        self.counters[key] = self.counters.get(key, 0) + n

    def abort(self, reason: str) -> None:
        self.bump("aborts")
        by = self.counters["aborts_by_reason"]
        by[reason] = by.get(reason, 0) + 1

    def timer(self, key: str) -> "_Timer":
        return _Timer(self, key)

    def as_dict(self) -> Dict[str, Any]:
        out = dict(self.counters)
        out["aborts_by_reason"] = dict(out["aborts_by_reason"])
        return out


class _Timer:
    __slots__ = ("stats", "key", "start")

    def __init__(self, stats: Stats, key: str) -> None:
        self.stats = stats
        self.key = key
        self.start = 0.0

    def __enter__(self) -> "_Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stats.counters[self.key] += time.perf_counter() - self.start
