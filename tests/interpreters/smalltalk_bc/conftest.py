"""Helpers for the SOM VM tests: run the VM in a subprocess in a given JIT mode.

The JIT mode is fixed when the portal is decorated (at import), so each mode gets its own
process; many SOM test classes are batched into one process to keep the suite fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Dict, List, Optional

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SOM_DIR = os.path.join(HERE, "som")
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

MODES: Dict[str, Dict[str, str]] = {
    "nojit": {"METATRACE": "off"},
    "jit": {"METATRACE_PARAMS": "threshold=3,function_threshold=3,trace_eagerness=2"},
}


def run_som(args: List[str], mode: str = "nojit", timeout: float = 300,
            cwd: Optional[str] = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("METATRACE", None)
    env.pop("METATRACE_PARAMS", None)
    env.update(MODES[mode])
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "interpreters.smalltalk_bc"] + args,
                          capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=cwd or REPO)


@pytest.fixture(params=sorted(MODES))
def mode(request: pytest.FixtureRequest) -> str:
    return request.param
