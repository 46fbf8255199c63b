"""Differential fuzzing of the whole JIT on fuzzvm programs (tests/fuzz/vm.py): JIT off vs on must
agree on output, result, uncaught exception and final heap under every configuration preset, and
the JIT must really have compiled loops and bridges (and run tier-2 kernels where it can) while
doing so.  CI runs a bounded slice; ``-m slow`` or ``python -m tests.fuzz.run`` run more.
"""

import os
import time

import pytest

from metatrace.backend import numba_tier
from metatrace.ir import ops as irops

from . import harness as H
from .gen import generate

SEEDS_PER_PRESET = int(os.environ.get("METATRACE_FUZZ_PER_PRESET", "0") or 0) or 5
NEEDS_NUMBA = numba_tier.available() is not None


def fuzz(cfg, seeds, budget_s, min_done=3):
    totals = {k: 0 for k in ("loops", "bridges", "guard_failures", "tier2_runs")}
    failures = []
    done = 0
    start = time.time()
    for seed in seeds:
        ch = H.check(generate(seed), cfg)
        if ch.skipped:
            continue
        done += 1
        for k in totals:
            totals[k] += ch.stats.get(k, 0)
        if ch.mismatch:
            i, what, got = ch.first_bad()
            failures.append("seed %d (run %d) differs in %s:\n  expected %r\n  got      %r"
                            % (seed, i + 1, what, ch.expected[:2], got[:2]))
        if done >= min_done and time.time() - start > budget_s:
            break
    return done, totals, failures


@pytest.mark.parametrize("preset", sorted(H.PRESETS))
def test_fuzz_preset(preset):
    cfg = H.make_config(H.PRESETS[preset])
    if cfg["backend"] != "python" and NEEDS_NUMBA:
        pytest.skip("needs Numba")
    # each preset gets its own seeds, so the slice covers more programs
    base = 1000 + 100 * sorted(H.PRESETS).index(preset)
    done, totals, failures = fuzz(cfg, range(base, base + SEEDS_PER_PRESET), budget_s=1.2)
    assert not failures, "JIT on/off differ under %s:\n%s" % (H.config_text(cfg), "\n".join(failures))
    assert done >= 3
    # the JIT did its job: not a run of the plain interpreter under another name
    assert totals["loops"] >= done // 2 and totals["guard_failures"] > 0, totals
    if cfg["trace_limit"] >= 100:  # tiny trace limits abort most bridges
        assert totals["bridges"] > 0, totals
    # tier 2 is checked over a larger sample below (a slice of 6 programs may have no numeric loop)


@pytest.mark.skipif(NEEDS_NUMBA, reason="needs Numba")
def test_tier2_kernels_really_run():
    """Under backend=numba the fuzzer's numeric loops do reach Numba kernels (and agree)."""
    done, totals, failures = fuzz(H.parse_config("numba"), range(1000, 1030), budget_s=25.0, min_done=30)
    assert not failures, "\n".join(failures)
    assert totals["tier2_runs"] > 0, totals


def test_random_configs():
    """A few programs under random points of every axis at once."""
    import random

    failures = []
    runs = 0
    for seed in range(500, 508):
        cfg = H.random_config(random.Random(seed))
        if NEEDS_NUMBA:
            cfg["backend"] = "python"
        done, totals, bad = fuzz(cfg, [seed], budget_s=5.0, min_done=1)
        runs += done
        failures += ["%s: %s" % (H.config_text(cfg), b) for b in bad]
    assert not failures, "\n".join(failures)
    assert runs >= 6


# -- the comparison can fail --------------------------------------------------------------------


def test_heap_dump_sees_values_aliasing_and_cycles():
    a, b = [1, 2], [1, 2]
    assert H.dump_heap([[a, a]]) != H.dump_heap([[a, b]])  # shared vs equal lists
    c = [1]
    c.append(c)
    assert "#" in H.dump_heap([c])  # a cycle is numbered, not walked forever
    assert H.dump_heap([[1]]) != H.dump_heap([[1.0]]) != H.dump_heap([[True]])
    o1, o2 = H.plain.Obj(1), H.plain.Obj(1)
    o2.z = 0
    assert H.dump_heap([[o1]]) != H.dump_heap([[o2]])


@pytest.fixture
def broken_int_add(monkeypatch):
    """Tier 1 computes ``a + b`` one too high when ``a`` is 5 (a loop counter passing 5): a JIT bug
    that only shows in compiled code -- the interpreter and constant folding are untouched."""
    spec = irops.OPS["int_add"]
    monkeypatch.setitem(irops.OPS, "int_add", spec.replace(py="({0} + {1} + ({0} == 5))"))
    yield


def test_the_fuzzer_catches_a_deliberately_broken_jit(broken_int_add):
    cfg = H.make_config({})
    found = None
    for seed in range(3, 60):
        ch = H.check(generate(seed), cfg)
        if ch.mismatch:
            found = (seed, ch)
            break
    assert found is not None, "a broken int_add went unnoticed for 60 programs"
    seed, ch = found
    spec, rcfg, rch = H.reduce(generate(seed), cfg, budget_s=8.0)
    assert rch.mismatch
    assert sum(len(f[2]) for f in spec) < sum(len(f[2]) for f in generate(seed))


def test_cli_help_and_presets(capsys):
    from .run import main

    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    assert "--count" in capsys.readouterr().out
    assert main(["--list-configs"]) == 0
    assert "numba" in capsys.readouterr().out


def test_cli_reports_and_writes_a_reproduction(broken_int_add, tmp_path, capsys):
    from .run import main

    status = main(["--count", "8", "--config", "py", "--out-dir", str(tmp_path), "--reduce-budget", "5",
                   "--max-reduce", "1"])
    out = capsys.readouterr().out
    assert status == 1
    assert "MISMATCH" in out
    files = list(tmp_path.glob("mismatch_*.py"))
    assert files
    text = files[0].read_text()
    assert "PROGRAM = " in text and "CONFIG = " in text and "EXPECTED = " in text


@pytest.mark.slow
@pytest.mark.parametrize("preset", sorted(H.PRESETS))
def test_fuzz_preset_many(preset):
    cfg = H.make_config(H.PRESETS[preset])
    if cfg["backend"] != "python" and NEEDS_NUMBA:
        pytest.skip("needs Numba")
    done, totals, failures = fuzz(cfg, range(20000, 20300), budget_s=900.0)
    assert not failures, "JIT on/off differ under %s:\n%s" % (H.config_text(cfg), "\n".join(failures))
    assert totals["loops"] >= done
