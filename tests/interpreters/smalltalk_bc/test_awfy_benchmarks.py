"""The Are-We-Fast-Yet benchmarks added to benchmarks/som (List, Storage, Json, CD, Havlak):
one inner iteration each with the JIT off and at tiny thresholds; both must verify (exit 0,
``Name: ok``) and print the same report (the timing aside).  Plus the red-black tree's
``remove:``, which CD itself never exercises (no aircraft leaves)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Dict, List, Tuple

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BENCH_DIR = os.path.join(REPO, "benchmarks", "som")

ENVS: Dict[str, Dict[str, str]] = {
    "nojit": {"METATRACE": "off"},
    "tiny": {"METATRACE_PARAMS": "threshold=2,function_threshold=2,trace_eagerness=1"},
}

BENCHMARKS = ["List", "Storage", "Json", "CD", "Havlak"]


def run_modes(args: List[str]) -> Dict[str, Tuple[int, str, str]]:
    """Run the VM with args in every mode, the modes' processes side by side."""
    procs = {}
    for mode, settings in ENVS.items():
        env = dict(os.environ)
        env.pop("METATRACE", None)
        env.pop("METATRACE_PARAMS", None)
        env.update(settings)
        env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
        procs[mode] = subprocess.Popen(
            [sys.executable, "-m", "interpreters.smalltalk_bc"] + args, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    results = {}
    for mode, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        results[mode] = (proc.returncode, out, err)
    return results


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_verifies_with_and_without_jit(name: str) -> None:
    reports = {}
    for mode, (rc, out, err) in run_modes([os.path.join(BENCH_DIR, name + ".som"), "1"]).items():
        assert rc == 0, (mode, out, err)
        assert re.match(r"%s: ok \(1 iterations, \d+ us\)\n\Z" % name, out), (mode, out, err)
        reports[mode] = re.sub(r"\d+ us", "T us", out)
    assert reports["nojit"] == reports["tiny"]


RB_TREE_CHECK = r'''
RBTreeCheck = (
    run = (
        | tree keys seed removed |
        tree := CDRedBlackTree new.
        keys := Vector new.
        seed := 74755.
        1 to: 120 do: [ :i |
            seed := (seed * 1309 + 13849) & 65535.
            keys append: seed % 1000.
            tree at: (CDCallSign new: seed % 1000) put: i ].
        removed := 0.
        keys doIndexes: [ :i |
            i % 2 = 1 ifTrue: [
                (tree remove: (CDCallSign new: (keys at: i))) isNil
                    ifFalse: [ removed := removed + 1 ] ] ].
        (tree remove: (CDCallSign new: 5000)) println.
        self print: tree.
        removed println.
        keys do: [ :k | tree remove: (CDCallSign new: k) ].
        tree isEmpty println
    )
    print: tree = (
        | last count |
        last := -1.
        count := 0.
        tree do: [ :k :v |
            k value > last ifFalse: [ 'out of order' println ].
            last := k value.
            count := count + 1 ].
        count println
    )
)
'''


def test_red_black_tree_remove(tmp_path) -> None:
    (tmp_path / "RBTreeCheck.som").write_text(RB_TREE_CHECK)
    outputs = {}
    for mode, (rc, out, err) in run_modes(["-cp", BENCH_DIR,
                                            str(tmp_path / "RBTreeCheck.som")]).items():
        assert rc == 0, (mode, out, err)
        outputs[mode] = out
    # the expected figures, from the same generator in Python
    seed, keys = 74755, []
    for _ in range(120):
        seed = (seed * 1309 + 13849) & 65535
        keys.append(seed % 1000)
    present = set(keys)
    removed = 0
    for i, k in enumerate(keys):
        if i % 2 == 0 and k in present:
            present.discard(k)
            removed += 1
    assert outputs["nojit"] == "nil\n%d\n%d\ntrue\n" % (len(present), removed)
    assert outputs["tiny"] == outputs["nojit"]
