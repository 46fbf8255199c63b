"""Mismatches the fuzzer found (reduced), kept as tests.  A case whose bug is still there is marked
``xfail(strict=True)``: when someone fixes it the test passes, strict xfail turns that into a
failure, and the mark should then be removed (the case stays as a regression test).

Each case: a name, the reduced program, the config (as in tests/fuzz/harness.py), and why it is
believed to fail.  The standalone scripts are in /work/repro_found/ (outside the repo).
"""

import pytest

from . import harness as H

# (name, program, config overrides, xfail reason or None)
CASES = []


def _params():
    out = []
    for name, program, overrides, reason in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(program, overrides, id=name, marks=marks))
    return out


@pytest.mark.parametrize("program,overrides", _params())
def test_found_case(program, overrides):
    cfg = H.make_config(overrides)
    ch = H.check(program, cfg)
    assert not ch.skipped
    bad = ch.first_bad()
    assert bad is None, "JIT on/off differ (%s) under %s:\n  expected %r\n  got      %r" % (
        bad[1], H.config_text(cfg), ch.expected[:2], bad[2][:2])
