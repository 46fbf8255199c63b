"""The Io corpus: each program under corpus/ runs with the JIT off and with the JIT at tiny
thresholds; both outputs must equal the expected output in corpus/NAME.out (and the exit code
in corpus/NAME.code when present, else 0)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PROGRAMS = sorted(f for f in os.listdir(CORPUS) if f.endswith(".io"))

MODES = {
    "nojit": {"METATRACE": "off"},
    "jit": {"METATRACE": "on",
            "METATRACE_PARAMS": "threshold=3,function_threshold=3,trace_eagerness=2"},
}

_cache = {}


def run_mode(mode):
    if mode not in _cache:
        env = dict(os.environ)
        env.pop("METATRACE", None)
        env.update(MODES[mode])
        if env.get("METATRACE") == "on":
            del env["METATRACE"]
        tmp = tempfile.mkdtemp(prefix="io_corpus_")
        env["IO_TEST_TMP"] = tmp
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
        proc = subprocess.run(
            [sys.executable, os.path.join(HERE, "run_corpus.py")]
            + [os.path.join(CORPUS, p) for p in PROGRAMS],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0 or not proc.stdout.strip():
            pytest.fail("corpus runner failed in mode %s:\n%s" % (mode, proc.stderr[-4000:]))
        _cache[mode] = json.loads(proc.stdout)
    return _cache[mode]


def expected(prog):
    base = os.path.join(CORPUS, prog[:-3])
    with open(base + ".out", encoding="utf-8") as f:
        out = f.read()
    code = 0
    if os.path.exists(base + ".code"):
        with open(base + ".code") as f:
            code = int(f.read().strip())
    return out, code


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("prog", PROGRAMS)
def test_program(prog, mode):
    results = run_mode(mode)
    want_out, want_code = expected(prog)
    got = results[prog]
    assert got["output"] == want_out
    assert got["code"] == want_code
