"""The trace log, the summary, stats() and hooks."""

import json
import os
import subprocess
import sys

import jsonschema
import pytest

import metatrace
from metatrace.testing import reset

from .tracer import interps
from .tracer.interps import tiny

SCHEMA = os.path.join(os.path.dirname(metatrace.__file__), "trace_format.schema.json")


@pytest.fixture(autouse=True)
def fresh():
    reset(tiny)
    tiny.jitdriver.set_param("threshold", 5)
    tiny.jitdriver.set_param("trace_eagerness", 3)
    yield
    reset(tiny)
    metatrace.hooks.on_abort = metatrace.hooks.on_compile = metatrace.hooks.on_compile_bridge = None
    tiny.jitdriver.set_param("trace_limit", 6000)


def test_log_to_writes_a_valid_log(tmp_path):
    path = tmp_path / "trace.json"
    with metatrace.log_to(str(path)):
        interps.run_jit(interps.FLIP, 1000)
    doc = json.loads(path.read_text())
    with open(SCHEMA) as f:
        jsonschema.validate(doc, json.load(f))
    kinds = [t["kind"] for t in doc["traces"]]
    assert "loop" in kinds and "bridge" in kinds
    bridge = [t for t in doc["traces"] if t["kind"] == "bridge"][0]
    parent = [t for t in doc["traces"] if t["id"] == bridge["parent_trace"]][0]
    guard = [op for op in parent["ops"] if op.get("guard", {}).get("id") == bridge["parent_guard"]][0]
    assert guard["guard"]["bridge"] == bridge["id"]
    assert guard["guard"]["failures"] >= 3
    assert any(op["op"] == "debug_merge_point" for op in parent["ops"])
    assert all("source" in op for op in parent["ops"] if op["op"] not in ("jump", "label"))
    assert doc["stats"]["bridges"] >= 1


def test_aborts_are_logged_with_reason_and_location(tmp_path):
    path = tmp_path / "trace.json"
    tiny.jitdriver.set_param("trace_limit", 10)
    with metatrace.log_to(str(path)):
        interps.run_jit(interps.LOOP, 500)
    doc = json.loads(path.read_text())
    assert doc["aborts"]
    ab = doc["aborts"][0]
    assert ab["reason"] == "too_long" and ab["location"] and ab["source"]["file"].endswith("interps.py")


def test_hooks_fire():
    seen = []
    metatrace.hooks.on_compile = lambda info: seen.append(("loop", info["location"]))
    metatrace.hooks.on_compile_bridge = lambda info: seen.append(("bridge", info["location"]))
    interps.run_jit(interps.FLIP, 1000)
    assert ("loop", "0: flip") in seen or any(k == "loop" for k, _ in seen)
    assert any(k == "bridge" for k, _ in seen)


def test_a_failing_hook_does_not_break_the_program():
    def bad(info):
        raise RuntimeError("oops")

    metatrace.hooks.on_compile = bad
    assert interps.run_jit(interps.LOOP, 500) == interps.run_plain(interps.LOOP, 500)


def test_env_log_and_summary_in_a_subprocess(tmp_path):
    path = tmp_path / "t.json"
    env = dict(os.environ, METATRACE_LOG=str(path), METATRACE_SUMMARY="1")
    proc = subprocess.run([sys.executable, "-m", "examples.stacklang", "loops"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2011522500"
    assert "metatrace JIT summary" in proc.stderr and "loops" in proc.stderr
    doc = json.loads(path.read_text())
    assert doc["format"] == "metatrace-trace" and doc["version"] == 1
    assert doc["stats"]["loops"] >= 1


def test_jit_off_runs_the_plain_interpreter():
    env = dict(os.environ, METATRACE="off", METATRACE_SUMMARY="1")
    proc = subprocess.run([sys.executable, "-m", "examples.stacklang", "loops"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert proc.stdout.strip() == "2011522500"
    assert "JIT off" in proc.stderr


def test_cli_help_and_unknown_command():
    out = subprocess.run([sys.executable, "-m", "metatrace", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "view" in out.stdout and "summary" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "metatrace", "frobnicate"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown command" in bad.stderr
