"""Our SOM test suite (tests/interpreters/smalltalk_bc/som/*Test.som), run by the SOM
TestHarness in one subprocess per JIT mode; each mode must pass every test class and both
modes must print exactly the same report."""

from __future__ import annotations

import os
import re
from typing import Dict

import pytest

from .conftest import MODES, SOM_DIR, run_som

TEST_CLASSES = sorted(f[:-4] for f in os.listdir(SOM_DIR) if f.endswith("Test.som"))

_results: Dict[str, object] = {}


def suite_run(mode: str):
    if mode not in _results:
        _results[mode] = run_som(["-cp", SOM_DIR, "TestHarness"] + TEST_CLASSES, mode)
    return _results[mode]


def test_suite_found() -> None:
    assert len(TEST_CLASSES) >= 9


@pytest.mark.parametrize("test_class", TEST_CLASSES)
@pytest.mark.parametrize("jit_mode", sorted(MODES))
def test_som_class(jit_mode: str, test_class: str) -> None:
    r = suite_run(jit_mode)
    lines = r.stdout.splitlines()
    mine = [ln for ln in lines if ln.startswith(test_class + ":")]
    assert mine, "no report for %s:\nstdout:\n%s\nstderr:\n%s" % (test_class, r.stdout, r.stderr)
    m = re.match(r"\w+: passed (\d+) failed (\d+) asserts (\d+)", mine[0])
    assert m, mine[0]
    failures = [ln for ln in lines if ln.startswith("FAIL " + test_class + ">>")]
    assert int(m.group(2)) == 0, "\n".join(failures)
    assert int(m.group(1)) > 0


def test_modes_agree() -> None:
    runs = [suite_run(mode) for mode in sorted(MODES)]
    assert runs[0].returncode == 0, runs[0].stderr
    for r in runs[1:]:
        assert r.stdout == runs[0].stdout
        assert r.returncode == runs[0].returncode
