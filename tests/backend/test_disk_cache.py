"""Tier 2's disk cache of compiled kernels (metatrace/backend/kernel_cache.py).

The whole-program tests run the same tier-2 program in fresh processes, as a user's second run
would, and read the driver's counters: the second run must load its kernels (cache hits) and
run no Numba compile (``tier2_compiles`` counts Numba's own ``numba:compile`` events).
"""

import json
import os
import subprocess
import sys
import time

import pytest

from metatrace import cachecli
from metatrace.backend import kernel_cache, numba_tier
from metatrace.summary import format_counters, short_summary

pytestmark = pytest.mark.skipif(numba_tier.available() is not None, reason="needs Numba")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# two loops, so a warm process loads two entries into one JIT engine: an int loop (overflow
# checks) and a float loop (division, a float constant)
PROGRAM = r"""
import json, sys
from tests.backend.numinterp import Frame, run
run.jitdriver.set_param("backend", "numba")
squares = (("addk", 1, 1, 1), ("mul", 2, 1, 1), ("add", 3, 3, 2), ("loop", 0, 0, 0),
           ("ret", 3, 0, 0))
harmonic = (("addk", 5, 5, -1), ("tofloat", 2, 5, 0), ("fdiv", 3, 1, 2), ("add", 4, 4, 3),
            ("loop", 0, 0, 0), ("ret", 4, 0, 0))
answers = [run(squares, Frame([20000, 0, 0, 0])),
           run(harmonic, Frame([20000, 1.0, 0.0, 0.0, 0.0, 20001]))]
st = run.jitdriver.stats()
print(json.dumps({"answers": answers, "stats": st}))
"""

KEYS = ("tier2", "tier2_compiles", "kernel_cache_hits", "kernel_cache_misses",
        "kernel_cache_corrupt", "kernel_cache_write_failures")


def run_program(cache, extra_env=None):
    env = dict(os.environ)
    env["METATRACE_CACHE"] = str(cache)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("METATRACE_VERBOSE", None)
    env.update(extra_env or {})
    proc = subprocess.run([sys.executable, "-c", PROGRAM], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    out["counts"] = {k: out["stats"].get(k, 0) for k in KEYS}
    out["stderr"] = proc.stderr
    return out


def entries(cache):
    return kernel_cache.list_entries(kernel_cache.entries_dir(str(cache)))


SQUARES = sum(i * i for i in range(1, 20001))


def test_second_process_loads_kernels_and_compiles_nothing(tmp_path):
    cold = run_program(tmp_path)
    assert cold["counts"]["tier2"] == 2
    assert cold["counts"]["tier2_compiles"] == 2
    assert cold["counts"]["kernel_cache_misses"] == 2
    assert cold["counts"]["kernel_cache_hits"] == 0
    assert len(entries(tmp_path)) == 2
    assert cold["answers"][0] == SQUARES

    warm = run_program(tmp_path)
    assert warm["answers"] == cold["answers"]  # floats too, to the last bit
    assert warm["counts"] == dict(cold["counts"], tier2_compiles=0, kernel_cache_hits=2,
                                  kernel_cache_misses=0)
    assert warm["stats"]["tier2_iterations"] == cold["stats"]["tier2_iterations"]
    # the kernels ran (not tier 1 pretending): most of the 40,000 iterations ran in them
    assert warm["stats"]["tier2_iterations"] > 30000
    assert len(entries(tmp_path)) == 2  # nothing new written


def test_corrupt_or_truncated_entries_are_recompiled(tmp_path):
    cold = run_program(tmp_path)
    (a, size_a, _), (b, _, _) = entries(tmp_path)
    with open(a, "r+b") as f:
        f.truncate(size_a // 2)  # a crash mid-write on a file system without atomic rename
    with open(b, "wb") as f:
        f.write(b"not a kernel")
    again = run_program(tmp_path)
    assert again["answers"] == cold["answers"]
    assert again["counts"]["kernel_cache_corrupt"] == 2
    assert again["counts"]["tier2_compiles"] == 2
    assert again["counts"]["kernel_cache_hits"] == 0
    # rewritten: the next run loads both
    third = run_program(tmp_path)
    assert third["counts"]["kernel_cache_hits"] == 2
    assert third["counts"]["tier2_compiles"] == 0
    assert third["answers"] == cold["answers"]


def test_an_entry_with_a_flipped_byte_is_not_loaded(tmp_path):
    run_program(tmp_path)
    for path, size, _ in entries(tmp_path):
        with open(path, "r+b") as f:
            f.seek(size - 100)
            byte = f.read(1)
            f.seek(size - 100)
            f.write(bytes([byte[0] ^ 0xFF]))
    again = run_program(tmp_path)
    assert again["counts"]["kernel_cache_corrupt"] == 2
    assert again["counts"]["tier2_compiles"] == 2


def test_a_directory_that_cannot_be_created_turns_the_cache_off(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cold = run_program(blocker / "cache", {"METATRACE_VERBOSE": "1"})
    assert cold["counts"]["tier2"] == 2
    assert cold["counts"]["tier2_compiles"] == 2
    assert cold["counts"]["kernel_cache_hits"] == cold["counts"]["kernel_cache_misses"] == 0
    assert "kernel cache off: cannot create" in cold["stderr"]
    assert cold["stderr"].count("kernel cache") == 1  # one note, not one per kernel
    assert cold["answers"][0] == SQUARES


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only directories")
def test_a_read_only_directory_is_still_read(tmp_path):
    cold = run_program(tmp_path)
    d = kernel_cache.entries_dir(str(tmp_path))
    os.chmod(d, 0o555)
    try:
        warm = run_program(tmp_path)
        assert warm["counts"]["kernel_cache_hits"] == 2
        assert warm["answers"] == cold["answers"]
        for path, _, _ in entries(tmp_path):
            os.remove(path)  # not allowed: the entries stay
    except PermissionError:
        pass
    finally:
        os.chmod(d, 0o755)


def test_unwritable_directory_stops_writes_and_counts_once(tmp_path, monkeypatch):
    # as root a read-only directory is writable, so make the write itself fail
    monkeypatch.setenv("METATRACE_CACHE", str(tmp_path))
    kernel_cache.reset()
    monkeypatch.setattr(kernel_cache, "_write_atomic", lambda path, blob: False)
    try:
        _, first = numba_tier._compile("def kernel(p0):\n    return (p0 + 101,)\n", {}, [int])
        _, second = numba_tier._compile("def kernel(p0):\n    return (p0 + 102,)\n", {}, [int])
    finally:
        kernel_cache.reset()
    assert first["kernel_cache_write_failures"] == 1 and first["tier2_compiles"] == 1
    assert second["kernel_cache_write_failures"] == 0  # the cache stopped trying
    assert second["tier2_compiles"] == 1
    assert entries(tmp_path) == []


def test_off_writes_nothing(tmp_path):
    home = tmp_path / "home"
    out = run_program("off", {"HOME": str(home), "XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert out["counts"]["tier2_compiles"] == 2
    assert out["counts"]["kernel_cache_hits"] == out["counts"]["kernel_cache_misses"] == 0
    assert not home.exists() and not (tmp_path / "xdg").exists()


def test_default_directory_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("METATRACE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert kernel_cache.configured_dir()[0] == str(tmp_path / "metatrace")
    monkeypatch.setenv("METATRACE_CACHE", "")  # empty: the default, as unset
    assert kernel_cache.configured_dir()[0] == str(tmp_path / "metatrace")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert kernel_cache.configured_dir()[0] == str(tmp_path / "h" / ".cache" / "metatrace")
    for off in ("off", "OFF", "0", "none"):
        monkeypatch.setenv("METATRACE_CACHE", off)
        assert kernel_cache.configured_dir()[0] is None


def test_concurrent_writers_of_the_same_entry(tmp_path):
    env = dict(os.environ, METATRACE_CACHE=str(tmp_path),
               PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [subprocess.Popen([sys.executable, "-c", PROGRAM], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    answers = {json.dumps(json.loads(o[0])["answers"]) for o in outs}
    assert len(answers) == 1
    names = os.listdir(kernel_cache.entries_dir(str(tmp_path)))
    assert len(names) == 2 and all(n.endswith(".nbk") for n in names)  # no temporary files left
    warm = run_program(tmp_path)
    assert warm["counts"]["kernel_cache_hits"] == 2 and warm["counts"]["tier2_compiles"] == 0
    assert json.dumps(warm["answers"]) in answers


def test_key_covers_source_signature_versions_and_cpu():
    import llvmlite
    import numba

    import metatrace

    src = "def kernel(p0):\n    return (p0 + 1,)\n"
    text = kernel_cache.key_text(src, ("int",), ())
    for part in (numba.__version__, llvmlite.__version__, sys.version, metatrace.__version__,
                 src):
        assert part in text
    from numba.core.registry import cpu_target

    triple, cpu, features = cpu_target.target_context.codegen().magic_tuple()
    assert triple in text and cpu in text and features in text
    digests = {kernel_cache.key_digest(t) for t in (
        text, kernel_cache.key_text(src, ("float",), ()),
        kernel_cache.key_text(src.replace("1", "2"), ("int",), ()),
        kernel_cache.key_text(src, ("int",), (("_F0", "nan"),)))}
    assert len(digests) == 4


def test_an_entry_for_another_key_is_refused(tmp_path):
    blob = kernel_cache._encode(b"payload", "key one")
    with pytest.raises(ValueError, match="another kernel"):
        kernel_cache._decode(blob, "key two")
    with pytest.raises(ValueError, match="truncated"):
        kernel_cache._decode(blob[:-3], "key one")


def test_reloading_in_the_same_process_compiles_afresh(tmp_path, monkeypatch):
    # an entry already in this process's JIT engine is not loaded twice (its symbols would
    # clash): after the in-memory cache dropped it, it is compiled again
    monkeypatch.setenv("METATRACE_CACHE", str(tmp_path))
    kernel_cache.reset()
    monkeypatch.setattr(numba_tier, "_cache", numba_tier.OrderedDict())
    src = "def kernel(p0):\n    return (p0 + 103,)\n"
    try:
        fn, first = numba_tier._compile(src, {}, [int])
        numba_tier._cache.clear()
        fn2, second = numba_tier._compile(src, {}, [int])
    finally:
        kernel_cache.reset()
    assert first["kernel_cache_misses"] == 1
    assert second["tier2_compiles"] == 1 and second["kernel_cache_hits"] == 0
    assert fn(1) == fn2(1) == (104,)


def test_size_is_bounded_least_recently_used_first(tmp_path):
    d = tmp_path / kernel_cache.SUBDIR
    d.mkdir()
    now = time.time()
    for k in range(10):
        p = d / ("%02d%s" % (k, kernel_cache.SUFFIX))
        p.write_bytes(b"x" * 1000)
        os.utime(p, (now - 100 + k, now - 100 + k))  # 00 is the least recently used
    stale = d / ("ab%s.123.cafe.tmp" % kernel_cache.SUFFIX)
    stale.write_bytes(b"half")
    os.utime(stale, (now - 7200, now - 7200))
    keep = str(d / ("00%s" % kernel_cache.SUFFIX))
    removed = kernel_cache.evict(str(d), 5000, keep=keep)
    left = sorted(os.listdir(d))
    assert removed == 6 and sum(os.path.getsize(d / n) for n in left) <= 4000
    assert left == ["00.nbk", "07.nbk", "08.nbk", "09.nbk"]  # the newest, and the one just written
    assert kernel_cache.evict(str(d), 5000) == 0


def test_cli_info_path_clear(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("METATRACE_CACHE", str(tmp_path))
    assert cachecli.main(["info"]) == 0
    assert "no entries yet" in capsys.readouterr().out
    d = tmp_path / kernel_cache.SUBDIR
    d.mkdir()
    (d / ("aa" + kernel_cache.SUFFIX)).write_bytes(b"x" * 2048)
    (d / "unrelated.txt").write_text("mine")
    assert cachecli.main(["path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)
    assert cachecli.main(["info", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["entries"] == 1 and data["bytes"] == 2048 and data["path"] == str(tmp_path)
    assert cachecli.main(["clear"]) == 0
    assert "removed 1 cached kernel (2.0 KB)" in capsys.readouterr().out
    assert sorted(os.listdir(d)) == ["unrelated.txt"]  # only our files are removed
    monkeypatch.setenv("METATRACE_CACHE", "off")
    assert cachecli.main(["path"]) == 1
    assert "off" in capsys.readouterr().err
    assert cachecli.main(["clear"]) == 0
    assert "nothing to clear" in capsys.readouterr().out
    assert cachecli.main(["info", "--dir", str(tmp_path)]) == 0
    assert str(tmp_path) in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cachecli.main(["bogus"])


def test_cli_dispatch_and_help():
    proc = subprocess.run([sys.executable, "-m", "metatrace", "cache", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "METATRACE_CACHE" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "metatrace", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert "cache info|path|clear" in proc.stdout


def test_summaries_show_the_cache():
    stats = {"loops": 2, "tier2": 2, "tier2_compiles": 0, "kernel_cache_hits": 2,
             "kernel_cache_corrupt": 0, "tier2_compiling_s": 0.3}
    table = format_counters(stats)
    assert "kernel_cache_hits" in table and "tier2_compiles" in table
    assert "kernel_cache_corrupt" not in table  # shown only when it happened
    assert "kernel_cache" not in format_counters({"loops": 1})  # no tier 2: no kernel rows
    assert "Numba 0.300 for 0 kernels compiled and 2 loaded from the kernel cache" in \
        short_summary(stats)[2]
