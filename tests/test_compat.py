"""The hint module and the demo interpreters must run on Python 3.9 / PyPy 3.9."""

import ast
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PY39_FILES = [
    "metatrace/__init__.py", "metatrace/hints.py", "metatrace/jitdriver.py", "metatrace/params.py",
    "metatrace/errors.py", "metatrace/counters.py", "metatrace/hooks.py", "metatrace/log.py",
    "metatrace/cliopts.py", "metatrace/summary.py",
]
PY39_DIRS = ["interpreters/io_msg", "interpreters/smalltalk_bc", "examples/stacklang"]


def py39_sources():
    files = list(PY39_FILES)
    for d in PY39_DIRS:
        for base, _dirs, names in os.walk(os.path.join(ROOT, d)):
            files += [os.path.relpath(os.path.join(base, n), ROOT) for n in names if n.endswith(".py")]
    return files


@pytest.mark.parametrize("rel", py39_sources())
def test_parses_as_python39(rel):
    with open(os.path.join(ROOT, rel)) as f:
        src = f.read()
    ast.parse(src, rel, feature_version=(3, 9))
    tree = ast.parse(src)
    for node in ast.walk(tree):
        assert type(node).__name__ not in ("Match", "TryStar"), rel


@pytest.mark.skipif(shutil.which("pypy3") is None, reason="pypy3 is not installed")
def test_hints_and_stacklang_run_on_pypy():
    proc = subprocess.run(["pypy3", "-c", "import sys; sys.path.insert(0, %r); "
                           "import metatrace; assert not metatrace.jit_enabled(); "
                           "from examples.stacklang.__main__ import main; sys.exit(main(['loops']))" % ROOT],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2011522500"
