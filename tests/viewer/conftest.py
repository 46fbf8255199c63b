"""Real trace logs recorded at test time from the tutorial interpreter (and a tiny interpreter with
a quasi-immutable field for invalidations), in subprocesses run in parallel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Dict

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
SMALL = os.path.join(HERE, "fixtures", "small.json")

STACKLANG = [sys.executable, "-m", "examples.stacklang"]
RECIPES = {
    # one loop and a bridge that jumps back to it
    "loops": STACKLANG + ["loops"],
    # three loops, jumps between loops, two bridges (loops have a hoisted preamble)
    "sieve": STACKLANG + ["sieve"],
    # the same without loop-invariant code motion: traces without labels
    "sieve_flat": STACKLANG + ["sieve", "--jit-param", "enable_opts=sink:heap:pure:dce"],
    # a loop whose bridge ends in finish
    "fib": STACKLANG + ["fib"],
    # chains of bridges (bridges off bridges)
    "bridges": STACKLANG + ["sieve", "--jit-param", "threshold=50",
                            "--jit-param", "trace_eagerness=5"],
    # nothing compiles: every trace is too long
    "aborts": STACKLANG + ["loops", "--jit-param", "trace_limit=30"],
    # bridges that end by raising out of the portal (finish_raise)
    "raising": [sys.executable, "-c",
                "import sys, metatrace; from tests.tracer import test_raise_out as t\n"
                "d = t.search.jitdriver\n"
                "d.set_param('threshold', 3); d.set_param('trace_eagerness', 3)\n"
                "with metatrace.log_to(sys.argv[1]):\n"
                "    t.find_all(t.search, list(range(0, 300, 3)), [(k * 7) % 320 for k in range(60)])"],
    # compiled loops thrown away by writes to a quasi-immutable field
    "invalidations": [sys.executable, "-c",
                      "import sys, metatrace; from tests.viewer import qi_interp\n"
                      "with metatrace.log_to(sys.argv[1]): qi_interp.run()"],
}


@pytest.fixture(scope="session")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, str]:
    """name -> path of a freshly recorded trace log (see RECIPES), plus "small" (checked in)."""
    d = tmp_path_factory.mktemp("logs")
    env = dict(os.environ)
    env.pop("METATRACE", None)
    env.pop("METATRACE_PARAMS", None)
    env.pop("METATRACE_LOG", None)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    procs = {}
    paths = {}
    for name, cmd in RECIPES.items():
        path = str(d / ("%s.json" % name))
        paths[name] = path
        full = cmd + [path] if cmd[1] == "-c" else cmd + ["--jit-log", path]
        procs[name] = subprocess.Popen(full, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
    for name, p in procs.items():
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, "recording %s failed:\n%s" % (name, err.decode())
        assert os.path.exists(paths[name]), name
    paths["small"] = SMALL
    return paths


@pytest.fixture(scope="session")
def docs(logs: Dict[str, str]) -> Dict[str, dict]:
    out = {}
    for name, path in logs.items():
        with open(path) as f:
            out[name] = json.load(f)
    return out
