"""``metatrace bench`` (benchmarks/run.py) as a tool: --help, --list, a --quick run of one small
benchmark in two modes (pyperf JSON, per-iteration times, summary, a Markdown table whose
numbers agree with each other, the chart when matplotlib is there), the degraded paths (no
matplotlib, no PyPy, a process that fails) and the docs writer.  Nothing here asserts on how
fast anything ran."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from typing import Dict, List

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, "benchmarks")
ENTRY = "import sys; from metatrace.cli import main; sys.exit(main())"


def bench(*args: str, env: Dict[str, str] = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", ENTRY, "bench"] + list(args), cwd=REPO,
                          capture_output=True, text=True, env=env, timeout=timeout)


def table_rows(markdown: str) -> List[Dict[str, str]]:
    """The rows of the first Markdown table in the text, as header -> cell."""
    lines = [ln for ln in markdown.splitlines() if ln.startswith("|")]
    assert len(lines) >= 3, markdown
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert re.fullmatch(r"\|(-+:?\|)+", lines[1].replace("---:", "---").replace(" ", "")), lines[1]
    rows = []
    for ln in lines[2:]:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        if len(cells) != len(header):
            break  # the next table
        rows.append(dict(zip(header, cells)))
    return rows


def seconds(cell: str) -> float:
    m = re.fullmatch(r"(\d+\.\d+)( ±\d+%)?", cell)
    assert m, cell
    return float(m.group(1))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("bench"))
    proc = bench("--quick", "--filter", "^som/Queens$", "--modes", "off,default", "--output", out)
    return proc, out


def test_help_names_every_option():
    proc = bench("--help")
    assert proc.returncode == 0, proc.stderr
    for option in ("--list", "--filter", "--modes", "--quick", "--processes", "--write-docs",
                   "--output", "--report"):
        assert option in proc.stdout
    for mode in ("off", "tier1", "default", "pypy"):
        assert re.search(r"^\s+%s\s" % mode, proc.stdout, re.M), mode


def test_list_covers_every_benchmark_on_disk():
    proc = bench("--list")
    assert proc.returncode == 0, proc.stderr
    listed = set(re.findall(r"^(\w+/\w+)\s+\d+\s+\d+\s", proc.stdout, re.M))
    som = set()
    for f in os.listdir(os.path.join(BENCH, "som")):
        with open(os.path.join(BENCH, "som", f)) as fh:
            if re.search(r"^\w+ = Benchmark \(", fh.read(), re.M):
                som.add("som/" + f[:-4])
    io = {"io/" + f[:-3] for f in os.listdir(os.path.join(BENCH, "io")) if f.endswith(".io")}
    programs = os.path.join(REPO, "examples", "stacklang", "programs")
    sl = {"stacklang/" + f[:-3] for f in os.listdir(programs) if f.endswith(".sl")}
    assert som and io and sl
    # Brainfuck: one benchmark program (the other bundled programs are examples and tests)
    bf = {"brainfuck/count"}
    assert os.path.exists(os.path.join(REPO, "examples", "brainfuck", "programs", "count.b"))
    assert listed == som | io | sl | bf
    # --filter narrows the list too
    narrow = bench("--list", "--filter", "^io/")
    assert set(re.findall(r"^(\w+/\w+)\s+\d+", narrow.stdout, re.M)) == io


def test_quick_run_writes_pyperf_json_table_and_progress(quick_run):
    proc, out = quick_run
    assert proc.returncode == 0, proc.stderr
    # progress on stderr: which benchmark and mode, n of N, elapsed
    # (--quick runs as many processes at once as there are CPUs: either may finish first)
    lines = re.findall(r"^\[([12])/2\] som/Queens\s+(\w+)\s+process 1/1 \.\.\. [\d.]+ s\s+"
                       r"elapsed \d+:\d\d:\d\d$", proc.stderr, re.M)
    assert sorted(lines) == sorted([("1", lines[0][1]), ("2", lines[1][1])])
    assert sorted(mode for _n, mode in lines) == ["default", "off"]
    import pyperf

    values = {}
    for mode in ("off", "default"):
        b = pyperf.Benchmark.load(os.path.join(out, "som_Queens.%s.json" % mode))
        assert b.get_nvalue() == 1
        assert b.get_metadata()["mode"] == mode
        values[mode] = b.median()
        with open(os.path.join(out, "som_Queens.%s.iterations.json" % mode)) as f:
            iters = json.load(f)
        assert len(iters["processes"]) == 1 and len(iters["processes"][0]) == 1
        assert 0 < iters["processes"][0][0] < values[mode]  # one iteration within the process
    assert not os.path.exists(os.path.join(out, "som_Queens.tier1.json"))
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    assert summary["quick"] and summary["modes"] == ["off", "default"]
    assert [e["key"] for e in summary["benchmarks"]] == ["som/Queens"]
    with open(os.path.join(out, "table.md")) as f:
        md = f.read()
    rows = {r["benchmark"]: r for r in table_rows(md)}
    row = rows["som/Queens"]
    off, default = seconds(row["off (s)"]), seconds(row["default (s)"])
    assert off == pytest.approx(values["off"], abs=6e-4)
    assert default == pytest.approx(values["default"], abs=6e-4)
    assert float(row["off/default"]) == pytest.approx(off / default, abs=0.011)
    assert rows["**geomean som**"]["off/default"] == "**%s**" % row["off/default"]
    assert "time(other mode) / time(default)" in md
    # the same table is printed on stdout
    assert "| som/Queens | 1 |" in proc.stdout
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in proc.stderr
        assert not os.path.exists(os.path.join(out, "chart.png"))
    else:
        with open(os.path.join(out, "chart.png"), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_report_without_matplotlib_and_write_docs(quick_run, tmp_path):
    _proc, out = quick_run
    shutil.copy(os.path.join(out, "summary.json"), str(tmp_path))
    shim = tmp_path / "shim" / "matplotlib"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError('hidden by the test')\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tmp_path / "shim") + os.pathsep + env.get("PYTHONPATH", "")
    docs = tmp_path / "docs" / "benchmarks.md"
    proc = bench("--report", "--output", str(tmp_path), "--write-docs", "--docs-path", str(docs),
                 env=env)
    assert proc.returncode == 0, proc.stderr
    assert "matplotlib is not installed" in proc.stderr
    assert not (tmp_path / "chart.png").exists()
    assert (tmp_path / "som_Queens.off.json").exists()
    text = docs.read_text()
    with open(os.path.join(out, "summary.json")) as f:
        machine = json.load(f)["machine"]
    assert "CPU: %s, %s cores" % (machine["cpu"], machine["cores"]) in text
    for key in ("python", "pypy", "numba", "date"):
        assert str(machine[key]) in text
    assert "--quick smoke run" in text
    assert "som/Queens" in text


def test_missing_pypy_is_said_and_the_rest_runs(tmp_path):
    proc = bench("--quick", "--filter", "^io/fib$", "--modes", "off,pypy", "--output",
                 str(tmp_path), "--pypy", str(tmp_path / "no-such-pypy3"))
    assert proc.returncode == 0, proc.stderr
    assert "PyPy column skipped" in proc.stderr
    assert (tmp_path / "io_fib.off.json").exists()
    assert not (tmp_path / "io_fib.pypy.json").exists()
    md = (tmp_path / "table.md").read_text()
    assert "PyPy column missing" in md
    assert [r["benchmark"] for r in table_rows(md)][0] == "io/fib"


def test_failed_process_is_reported(tmp_path):
    proc = bench("--quick", "--filter", "^io/fib$", "--modes", "off", "--output", str(tmp_path),
                 "--timeout", "0.001")
    assert proc.returncode == 1
    assert "FAILED (timed out" in proc.stderr
    md = (tmp_path / "table.md").read_text()
    assert table_rows(md)[0]["off (s)"] == "FAILED"
    assert "## Failures" in md


@pytest.mark.parametrize("args", [["--filter", "^no-such-benchmark$"], ["--modes", "off,bogus"],
                                  ["--filter", "("]])
def test_bad_arguments_exit_2(args, tmp_path):
    proc = bench("--quick", "--output", str(tmp_path), *args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("metatrace bench")
