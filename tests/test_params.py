"""Parameters: validation, METATRACE_PARAMS, set_param/get_params."""

import os
import subprocess
import sys

import pytest

import metatrace
from metatrace import ParamError
from metatrace.params import PARAMS, parse_params


def test_every_api_parameter_is_accepted():
    for name in ("threshold", "function_threshold", "trace_eagerness", "trace_limit", "decay",
                 "loop_longevity", "inlining", "max_unroll_recursion", "retrace_limit",
                 "enable_opts", "backend", "numba_threshold"):
        assert name in PARAMS
    assert parse_params("backend=python,threshold=7") == {"backend": "python", "threshold": 7}


def test_unknown_parameter_lists_valid_ones():
    with pytest.raises(ParamError) as info:
        parse_params("treshold=5")
    msg = str(info.value)
    assert "unknown JIT parameter 'treshold'" in msg and "threshold" in msg and "trace_limit" in msg


@pytest.mark.parametrize("text, fragment", [
    ("threshold=abc", "expected an integer"),
    ("threshold=0", "at least 1"),
    ("backend=llvm", "must be one of auto, python, numba"),
    ("enable_opts=pure:magic", "unknown optimization(s) magic"),
    ("threshold", "expected name=value"),
])
def test_bad_values(text, fragment):
    with pytest.raises(ParamError, match=None) as info:
        parse_params(text)
    assert fragment in str(info.value)


def test_set_param_validates_and_get_params_reports():
    drv = metatrace.JitDriver(greens=["pc"])
    drv.set_param("threshold", "17")
    assert drv.get_params()["threshold"] == 17
    with pytest.raises(ParamError):
        metatrace.set_param("nope", 1)


def test_bad_environment_is_a_clear_error_not_a_traceback():
    env = dict(os.environ, METATRACE_PARAMS="threshold=-3")
    proc = subprocess.run([sys.executable, "-m", "examples.stacklang", "loops"], env=env,
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "METATRACE_PARAMS" in proc.stderr and "at least 1" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_jit_param_option_error():
    proc = subprocess.run([sys.executable, "-m", "examples.stacklang", "loops", "--jit-param", "bogus=1"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "unknown JIT parameter 'bogus'" in proc.stderr and "Traceback" not in proc.stderr


def test_a_portal_s_own_defaults_yield_to_the_user(monkeypatch):
    # jit(params=...): the interpreter's defaults for its portal; set_param and
    # METATRACE_PARAMS still decide
    monkeypatch.delenv("METATRACE_PARAMS", raising=False)
    drv = metatrace.JitDriver(greens=["pc"], params={"inlining": 1, "threshold": "50"})
    assert drv.get_params()["inlining"] == 1 and drv.get_params()["threshold"] == 50
    assert metatrace.JitDriver(greens=["pc"]).get_params()["inlining"] == 0
    drv.set_param("inlining", 0)
    assert drv.get_params()["inlining"] == 0
    monkeypatch.setenv("METATRACE_PARAMS", "inlining=0")
    assert metatrace.JitDriver(greens=["pc"], params={"inlining": 1}).get_params()["inlining"] == 0
    with pytest.raises(ParamError, match="unknown JIT parameter 'inlinig'; valid parameters: .*inlining"):
        metatrace.JitDriver(greens=["pc"], params={"inlinig": 1})


def test_demo_interpreters_trace_into_calls_by_default():
    code = ("import interpreters.io_msg.evaluator as e, examples.stacklang.interp as s\n"
            "print(e.run_body.jitdriver.params['inlining'], e.for_loop.jitdriver.params['inlining'],"
            " s.run.jitdriver.params['inlining'])\n")
    env = dict(os.environ)
    env.pop("METATRACE_PARAMS", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["1", "1", "1"], out.stderr
    env["METATRACE_PARAMS"] = "inlining=0"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["0", "0", "0"], out.stderr
