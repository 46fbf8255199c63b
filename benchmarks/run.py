"""``metatrace bench``: the benchmark matrix of stacklang, Brainfuck, Io and SOM.

    metatrace bench [--list] [--filter REGEX] [--modes off,tier1,default,pypy] [--quick]
                    [--processes N] [--output DIR] [--write-docs] [--report]

Every benchmark runs as whole interpreter processes (a fresh process per measurement) in each
mode:

  off      CPython, METATRACE=off: the plain interpreter, hints are no-ops
  tier1    CPython, METATRACE_PARAMS=backend=python: the JIT with tier 1 (Python code) only
  default  CPython, the JIT with its default settings (tier 2 -- Numba -- where it pays)
  pypy     pypy3 running the same interpreter source (the hints are no-ops there)

The figure measured is the wall-clock time of the whole process: start-up, JIT warm-up and
compilation included, which is what a user waits for.  SOM benchmarks (and stacklang, through
``--repeat``) also report the time of each inner iteration, giving warm-up curves.

Outputs (in --output, default benchmarks/results/, or benchmarks/results/quick/ with --quick):
one pyperf JSON per benchmark and mode (``som_Queens.default.json``; ``python -m pyperf show``
reads them), ``*.iterations.json`` with the per-iteration times, ``summary.json`` (everything),
``table.md`` (medians and ratios), ``chart.png`` and ``warmup.png`` (if matplotlib is installed:
``pip install -e '.[bench]'``).  ``--write-docs`` also writes docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
DOCS = os.path.join(ROOT, "docs", "benchmarks.md")
DOCS_IMAGES = os.path.join(ROOT, "docs", "images")
LANGS = ["stacklang", "brainfuck", "io", "som"]

MODES: Dict[str, Tuple[Dict[str, str], str]] = {
    "off": ({"METATRACE": "off"}, "CPython, JIT off (METATRACE=off)"),
    "tier1": ({"METATRACE_PARAMS": "backend=python"}, "CPython, JIT tier 1 only (backend=python)"),
    "default": ({}, "CPython, JIT with default settings"),
    "pypy": ({}, "pypy3 running the same interpreter (hints are no-ops)"),
}
ALL_MODES = list(MODES)
QUICK_MODES = ["off", "default", "pypy"]  # tier1 is left out of the smoke run: default runs it too


class Bench:
    """One benchmark: how to run it at a size, and how to read its per-iteration times."""

    def __init__(self, lang: str, name: str, size: int, quick: int, unit: str) -> None:
        self.lang, self.name, self.size, self.quick, self.unit = lang, name, size, quick, unit

    @property
    def key(self) -> str:
        return "%s/%s" % (self.lang, self.name)

    @property
    def slug(self) -> str:
        return "%s_%s" % (self.lang, self.name)

    def argv(self, size: int, quick: bool, workdir: str) -> List[str]:
        if self.lang == "som":
            return ["-m", "interpreters.smalltalk_bc",
                    os.path.join(HERE, "som", self.name + ".som"), str(size), "timings"]
        if self.lang == "io":
            return ["-m", "interpreters.io_msg", os.path.join(HERE, "io", self.name + ".io"),
                    str(size)]
        if self.lang == "brainfuck":
            name = self.name + "_small" if quick else self.name
            return ["-m", "examples.brainfuck",
                    os.path.join(ROOT, "examples", "brainfuck", "programs", name + ".b"),
                    "--repeat", str(size)]
        program = os.path.join(ROOT, "examples", "stacklang", "programs", self.name + ".sl")
        if quick:
            program = scaled_stacklang(program, self.name, workdir)
        return ["-m", "examples.stacklang", program, "--repeat", str(size)]

    def ok(self, rc: int, out: str) -> bool:
        if rc != 0:
            return False
        if self.lang == "som":
            return re.search(r"^%s: ok \(" % self.name, out, re.M) is not None
        if self.lang == "io":
            return re.search(r"^%s ok$" % self.name, out, re.M) is not None
        return True

    def iterations(self, out: str, err: str) -> Optional[List[float]]:
        """Seconds per inner iteration, in order, when the harness prints them."""
        if self.lang == "som":
            times = [int(t) / 1e6 for t in
                     re.findall(r"^%s: iteration \d+: (\d+) us$" % self.name, out, re.M)]
        elif self.lang == "stacklang":
            times = [float(t) for t in re.findall(r"^run \d+: result .* in ([0-9.]+) s", err, re.M)]
        elif self.lang == "brainfuck":
            times = [float(t) for t in re.findall(r"^run \d+: .* in ([0-9.]+) s", err, re.M)]
        else:
            return None
        return times or None


# (name, full size, quick size).  Sizes: SOM inner iterations, Io the program's argument (its
# trip count), stacklang --repeat.  Full sizes are chosen so that METATRACE=off takes a few
# seconds per process on a 2020s server core.
SOM = [("IntegerLoop", 2, 1), ("Sieve", 20, 1), ("Permute", 15, 1), ("Queens", 20, 1),
       ("Towers", 8, 1), ("Collections", 8, 1), ("Bounce", 20, 1), ("Mandelbrot", 1, 1),
       ("NBody", 3, 1), ("Recurse", 12, 1), ("Richards", 1, 1), ("DeltaBlue", 2, 1),
       ("List", 10, 1), ("Storage", 20, 1), ("Json", 4, 1), ("CD", 3, 1), ("Havlak", 3, 1)]
IO = [("fib", 25, 12), ("float_kernel", 150000, 3000), ("list_build", 200000, 3000),
      ("loops", 200000, 5000), ("slots", 60000, 2000), ("string_build", 60000, 2000)]
STACKLANG = [("loops", 6, 1), ("sieve", 6, 1), ("exceptions", 6, 1), ("fib", 6, 1), ("calls", 3, 1)]
# examples/brainfuck/programs/NAME.b, --repeat (quick: NAME_small.b)
BRAINFUCK = [("count", 1, 1)]

BENCHMARKS: List[Bench] = (
    [Bench("stacklang", n, s, q, "--repeat (quick: loop bounds cut)") for n, s, q in STACKLANG]
    + [Bench("brainfuck", n, s, q, "--repeat (quick: NAME_small.b)") for n, s, q in BRAINFUCK]
    + [Bench("io", n, s, q, "trip count") for n, s, q in IO]
    + [Bench("som", n, s, q, "iterations") for n, s, q in SOM])

# --quick runs stacklang programs with their loop bounds cut down (a copy in the output folder)
STACKLANG_QUICK = {
    "loops": [(r"^(\s*)push 300$", r"\g<1>push 40")],
    "sieve": [(r"^(\s*)push 20000$", r"\g<1>push 2000")],
    "exceptions": [(r"^(\s*)push 20000$", r"\g<1>push 2000")],
    "fib": [(r"^(\s*)push 22$", r"\g<1>push 14")],
}


def scaled_stacklang(path: str, name: str, workdir: str) -> str:
    with open(path) as f:
        text = f.read()
    for pattern, repl in STACKLANG_QUICK.get(name, []):
        text = re.sub(pattern, repl, text, count=1, flags=re.M)
    os.makedirs(workdir, exist_ok=True)
    scaled = os.path.join(workdir, "quick_%s.sl" % name)
    with open(scaled, "w") as f:
        f.write(text)
    return scaled


# ---------------------------------------------------------------------------------- machine


def _run_text(cmd: List[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def pypy_version(pypy: Optional[str]) -> Optional[str]:
    if pypy is None:
        return None
    return _run_text([pypy, "-c", "import sys, platform; print('PyPy %d.%d.%d (Python %s)' % "
                      "(sys.pypy_version_info[:3] + (platform.python_version(),)))"]) or None


def machine_info(pypy: Optional[str]) -> Dict[str, object]:
    try:
        from importlib.metadata import version
        numba = version("numba")
    except Exception:
        numba = "not installed"
    commit = _run_text(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    if commit and _run_text(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"]):
        commit += " (with uncommitted changes)"
    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "unknown"
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count() or 0,
        "os": "%s %s" % (platform.system(), platform.release()),
        "python": "%s %s" % (platform.python_implementation(), platform.python_version()),
        "pypy": pypy_version(pypy) or "not installed",
        "numba": numba,
        "metatrace_commit": commit or "unknown",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_at_start": load,
    }


# ---------------------------------------------------------------------------------- running


def find_pypy(option: Optional[str]) -> Optional[str]:
    exe = option or "pypy3"
    if os.sep in exe:
        return exe if os.access(exe, os.X_OK) else None
    return shutil.which(exe)


def run_process(bench: Bench, mode: str, exe: str, size: int, quick: bool, workdir: str,
                timeout: float) -> Dict[str, object]:
    env = dict(os.environ)
    # PYTHONDONTWRITEBYTECODE too: a user's process imports metatrace and the interpreters
    # from cached bytecode (byte_compile wrote it before the matrix); compiling them from
    # source cost a JIT process about 0.15 s more than a JIT-off one (measured on SOM)
    for var in ("METATRACE", "METATRACE_PARAMS", "METATRACE_LOG", "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    # every process starts cold, as a program's first run does: tier 2's kernels are not
    # loaded from the disk cache an earlier process filled (docs/architecture.md, kernel cache)
    env["METATRACE_CACHE"] = "off"
    env.update(MODES[mode][0])
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [exe] + bench.argv(size, quick, workdir)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": "timed out after %g s" % timeout, "command": cmd}
    elapsed = time.perf_counter() - t0
    if not bench.ok(proc.returncode, proc.stdout):
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-3:]
        return {"ok": False, "command": cmd,
                "error": "exit status %d: %s" % (proc.returncode, " | ".join(tail))}
    return {"ok": True, "time": elapsed, "iterations": bench.iterations(proc.stdout, proc.stderr),
            "command": cmd}


def fmt_duration(seconds: float) -> str:
    seconds = int(seconds)
    return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


def byte_compile(exes: Dict[str, str]) -> None:
    """Write the bytecode caches of the measured sources for every interpreter used, so that
    no measured process pays for compiling them (the first one would, and only it)."""
    dirs = [os.path.join(ROOT, d) for d in ("metatrace", "interpreters", "examples")]
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for exe in sorted(set(exes.values())):
        try:
            subprocess.run([exe, "-m", "compileall", "-q"] + dirs, env=env, cwd=ROOT,
                           capture_output=True, timeout=300)
        except (OSError, subprocess.SubprocessError):
            pass  # measured anyway: the first process writes the cache


def run_matrix(benches: List[Bench], modes: List[str], processes: int, quick: bool,
               exes: Dict[str, str], workdir: str, timeout: float,
               jobs: int = 1) -> Dict[str, Dict[str, dict]]:
    """Processes interleave the modes (benchmark by benchmark), so slow drifts of the machine's
    load hit every mode of a benchmark alike.  With jobs > 1 that many processes run at once
    (for smoke runs: the figures then disturb each other)."""
    byte_compile(exes)
    results: Dict[str, Dict[str, dict]] = {}
    tasks = []
    for bench in benches:
        cells = results.setdefault(bench.key, {})
        for p in range(processes):
            for mode in modes:
                tasks.append((bench, p, mode))
                cells.setdefault(mode, {"values": [], "iterations": [], "errors": [],
                                        "size": bench.quick if quick else bench.size})
    total = len(tasks)
    start = time.perf_counter()
    width = len(str(total))

    def label(n: int, task: tuple) -> str:
        bench, p, mode = task
        return "[%*d/%d] %-22s %-8s process %d/%d ... " % (
            width, n, total, bench.key, mode, p + 1, processes)

    def record(task: tuple, r: Dict[str, object]) -> str:
        bench, _p, mode = task
        cell = results[bench.key][mode]
        cell["command"] = r["command"]
        if r["ok"]:
            cell["values"].append(r["time"])
            if r["iterations"]:
                cell["iterations"].append(r["iterations"])
            status = "%.3f s" % r["time"]
        else:
            cell["errors"].append(r["error"])
            status = "FAILED (%s)" % r["error"]
        return "%s   elapsed %s\n" % (status, fmt_duration(time.perf_counter() - start))

    def run(task: tuple) -> Dict[str, object]:
        bench, _p, mode = task
        return run_process(bench, mode, exes[mode], bench.quick if quick else bench.size,
                           quick, workdir, timeout)

    try:
        if jobs <= 1:
            for n, task in enumerate(tasks, 1):
                sys.stderr.write(label(n, task))
                sys.stderr.flush()
                sys.stderr.write(record(task, run(task)))
                sys.stderr.flush()
        else:
            from concurrent.futures import ThreadPoolExecutor, as_completed

            with ThreadPoolExecutor(max_workers=jobs) as pool:
                futures = {pool.submit(run, task): task for task in tasks}
                try:
                    for n, fut in enumerate(as_completed(futures), 1):
                        task = futures[fut]
                        sys.stderr.write(label(n, task) + record(task, fut.result()))
                        sys.stderr.flush()
                except KeyboardInterrupt:
                    for fut in futures:
                        fut.cancel()
                    raise
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted: writing the results measured so far\n")
    return results


# ---------------------------------------------------------------------------------- outputs


def median(values: List[float]) -> Optional[float]:
    return statistics.median(values) if values else None


def geomean(values: List[float]) -> Optional[float]:
    values = [v for v in values if v and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def write_pyperf(path: str, key: str, mode: str, cell: dict, machine: dict) -> bool:
    try:
        import pyperf
    except ImportError:
        return False
    runs = []
    for value in cell["values"]:
        metadata = {"name": "%s-%s" % (key.replace("/", "-"), mode), "loops": 1,
                    "mode": mode, "size": cell["size"], "command": " ".join(cell["command"]),
                    "cpu_model_name": machine["cpu"], "cpu_count": int(machine["cores"])}
        if mode == "pypy":
            metadata["python_implementation"] = "pypy"
            metadata["python_version"] = machine["pypy"]
        else:
            metadata["python_implementation"] = platform.python_implementation().lower()
            metadata["python_version"] = platform.python_version()
        runs.append(pyperf.Run([value], metadata=metadata, collect_metadata=False))
    if not runs:
        return False
    pyperf.Benchmark(runs).dump(path, replace=True)
    return True


def iteration_curve(cell: dict) -> List[float]:
    """Median over processes of each iteration's time (as far as every process got)."""
    series = cell.get("iterations") or []
    if not series:
        return []
    n = min(len(s) for s in series)
    return [statistics.median(s[i] for s in series) for i in range(n)]


def ratio(table: dict, num: str, den: str) -> Optional[float]:
    a, b = table.get(num), table.get(den)
    if a is None or b is None:
        return None
    return a / b


RATIOS = [("off", "default", "off/default"), ("tier1", "default", "tier1/default"),
          ("pypy", "default", "pypy/default")]


def markdown_table(summary: dict) -> str:
    modes = summary["modes"]
    ratios = [r for r in RATIOS if r[0] in modes and r[1] in modes]
    head = ["benchmark", "size"] + ["%s (s)" % m for m in modes] + [r[2] for r in ratios]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    per_lang: Dict[str, Dict[str, List[float]]] = {}
    for entry in summary["benchmarks"]:
        cells = entry["results"]
        med = {m: median(cells[m]["values"]) if m in cells else None for m in modes}
        row = [entry["key"], str(entry["size"])]
        for m in modes:
            if m not in cells:
                row.append("n/a")
            elif med[m] is None:
                row.append("FAILED")
            else:
                vals = cells[m]["values"]
                spread = (max(vals) - min(vals)) / 2 / med[m] * 100 if len(vals) > 1 else None
                row.append("%.3f" % med[m] + (" ±%.0f%%" % spread if spread is not None else ""))
        for num, den, label in ratios:
            r = ratio(med, num, den)
            row.append("%.2f" % r if r is not None else "—")
            if r is not None:
                per_lang.setdefault(entry["lang"], {}).setdefault(label, []).append(r)
        lines.append("| " + " | ".join(row) + " |")
    for lang in LANGS + ["all"]:
        if lang == "all":
            groups = {}
            for d in per_lang.values():
                for label, vals in d.items():
                    groups.setdefault(label, []).extend(vals)
        else:
            groups = per_lang.get(lang, {})
        if not groups:
            continue
        row = ["**geomean %s**" % lang, ""] + [""] * len(modes)
        for _num, _den, label in ratios:
            g = geomean(groups.get(label, []))
            row.append("**%.2f**" % g if g is not None else "—")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


RATIO_NOTE = """\
Times are medians of whole-process wall-clock times in seconds (start-up, JIT warm-up and
compilation included), ± half the spread between the fastest and slowest process.  Every ratio
is **time(other mode) / time(default)**, so **above 1 the metatrace JIT with its default
settings is faster** and below 1 the other mode is faster:

- `off/default`: the JIT's speedup over the same interpreter on plain CPython;
- `tier1/default`: what the default settings (tier 2, Numba, where it pays) gain over tier 1
  alone (about 1 when tier 2 never kicks in; below 1 when its compile time does not pay off);
- `pypy/default`: above 1 the metatrace JIT on CPython beats PyPy running the same
  interpreter, below 1 PyPy is faster (PyPy's own JIT traces the interpreter, hints ignored).

Geomeans are over the benchmarks of a language that have both figures.
"""


def warmup_table(summary: dict) -> str:
    """First iteration against the last (steady state), in ms, per mode."""
    modes = summary["modes"]
    rows = []
    for entry in summary["benchmarks"]:
        curves = {m: iteration_curve(entry["results"][m]) for m in modes if m in entry["results"]}
        if not any(len(c) > 1 for c in curves.values()):
            continue
        row = [entry["key"], str(max(len(c) for c in curves.values()))]
        for m in modes:
            c = curves.get(m) or []
            row.append("%.0f → %.0f" % (c[0] * 1e3, c[-1] * 1e3) if c else "n/a")
        rows.append("| " + " | ".join(row) + " |")
    if not rows:
        return ""
    head = ["benchmark", "iterations"] + ["%s first → last (ms)" % m for m in modes]
    return "\n".join(["| " + " | ".join(head) + " |",
                      "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"] + rows) + "\n"


MODE_COLORS = {"off": "#888888", "tier1": "#4c72b0", "default": "#dd8452", "pypy": "#55a868"}


def write_charts(summary: dict, outdir: str) -> Tuple[List[str], Optional[str]]:
    """chart.png (speedup over off per mode) and warmup.png; ([], reason) without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        return [], ("matplotlib is not installed, so no charts were drawn "
                    "(pip install -e '.[bench]' installs it)")
    written = []
    modes = summary["modes"]
    entries = summary["benchmarks"]
    others = [m for m in modes if m != "off"]
    if "off" in modes and others and entries:
        fig, ax = plt.subplots(figsize=(10, 0.32 * len(entries) * max(1, len(others)) / 2 + 1.5))
        height = 0.8 / len(others)
        labels = [e["key"] for e in entries]
        for j, m in enumerate(others):
            ys, xs = [], []
            for i, e in enumerate(entries):
                cells = e["results"]
                off = median(cells["off"]["values"]) if "off" in cells else None
                t = median(cells[m]["values"]) if m in cells else None
                if off and t:
                    ys.append(i + j * height)
                    xs.append(off / t)
            ax.barh(ys, xs, height=height, label=m, color=MODE_COLORS.get(m))
        ax.set_yticks([i + height * (len(others) - 1) / 2 for i in range(len(entries))])
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xticks([t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
                       if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]])
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: "%gx" % v))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.axvline(1.0, color="black", linewidth=0.8)
        ax.set_xlabel("speedup over CPython with the JIT off (off time / mode time, log scale)")
        ax.set_title("metatrace bench: whole-process speedup over METATRACE=off")
        ax.legend(loc="lower right")
        fig.tight_layout()
        path = os.path.join(outdir, "chart.png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    curved = [e for e in entries
              if any(len(iteration_curve(c)) > 1 for c in e["results"].values())]
    if curved:
        cols = 4
        rows = (len(curved) + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
        for ax, e in zip(axes.flat, curved):
            for m in modes:
                if m in e["results"]:
                    c = iteration_curve(e["results"][m])
                    if c:
                        ax.plot(range(1, len(c) + 1), [t * 1e3 for t in c], marker=".",
                                label=m, color=MODE_COLORS.get(m))
            ax.set_yscale("log")
            ax.set_title(e["key"], fontsize=9)
            ax.set_xlabel("iteration", fontsize=7)
            ax.set_ylabel("ms", fontsize=7)
            ax.tick_params(labelsize=7)
        for ax in list(axes.flat)[len(curved):]:
            ax.axis("off")
        axes.flat[0].legend(fontsize=7)
        fig.suptitle("warm-up: time of each inner iteration (median over processes)")
        fig.tight_layout()
        path = os.path.join(outdir, "warmup.png")
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
    return written, None


def report_text(summary: dict, images: Dict[str, str]) -> str:
    m = summary["machine"]
    parts = ["## Machine\n",
             "- CPU: %s, %s cores (`os.cpu_count()`)" % (m["cpu"], m["cores"]),
             "- OS: %s" % m["os"],
             "- CPython: %s; PyPy: %s; Numba: %s" % (m["python"], m["pypy"], m["numba"]),
             "- metatrace commit: %s" % m["metatrace_commit"],
             "- date: %s; load average at start: %s" % (m["date"], m["load_average_at_start"]),
             "- %d process(es) per benchmark and mode, %d run at a time%s" % (
                 summary["processes"], summary.get("jobs", 1),
                 "; **--quick smoke run: tiny sizes, figures are not meaningful**"
                 if summary["quick"] else ""),
             ""]
    if summary.get("merged_runs"):
        parts[-1:-1] = ["- cells measured in several runs: %s" % ", ".join(summary["merged_runs"])]
    if summary.get("note"):
        parts += [summary["note"] + "\n"]
    if summary.get("pypy_missing"):
        parts += ["**PyPy column missing: pypy3 was not found** (%s).\n" % summary["pypy_missing"]]
    parts += ["## Whole-process times and ratios\n", markdown_table(summary), RATIO_NOTE]
    modes_desc = "\n".join("- `%s`: %s" % (k, MODES[k][1]) for k in summary["modes"])
    parts += ["Modes:\n\n" + modes_desc + "\n",
              "Every CPython process runs with `METATRACE_CACHE=off`: tier 2 compiles its kernels "
              "in each process, as on a program's first run (a second run of the same program "
              "loads them from the disk cache; see docs/architecture.md).  The sources are "
              "byte-compiled before the first process and `PYTHONDONTWRITEBYTECODE` is unset, "
              "so every process imports cached bytecode, as a user's does.\n"]
    if "chart" in images:
        parts += ["![speedup over METATRACE=off](%s)\n" % images["chart"]]
    warm = warmup_table(summary)
    if warm:
        parts += ["## Warm-up\n",
                  "Time of the first inner iteration and of the last (median over processes). "
                  "SOM benchmarks print each iteration's time (the `timings` argument of "
                  "benchmarks/som/Benchmark.som); stacklang reports each `--repeat` run.\n",
                  warm]
        if "warmup" in images:
            parts += ["![warm-up curves](%s)\n" % images["warmup"]]
    failed = [(e["key"], mode, err) for e in summary["benchmarks"]
              for mode, c in e["results"].items() for err in c["errors"]]
    if failed:
        parts += ["## Failures\n"] + ["- %s (%s): %s" % f for f in failed] + [""]
    return "\n".join(parts)


DOCS_HEAD = """\
# Benchmarks

Measured with `metatrace bench` (benchmarks/run.py); `metatrace bench --help` explains the
options, `metatrace bench --list` the benchmarks and their sizes.  Regenerate this page with
`metatrace bench --write-docs` (it takes a while: every benchmark runs in several fresh
processes in each mode).

The question this page answers first: *why not just run my interpreter on PyPy?*  The `pypy`
column is the same interpreter source run by PyPy, where metatrace's hints are no-ops and
PyPy's own meta-tracing JIT traces the interpreter.

"""


def build_summary(results: Dict[str, Dict[str, dict]], benches: List[Bench], modes: List[str],
                  processes: int, quick: bool, machine: dict, pypy_missing: Optional[str]) -> dict:
    entries = []
    for b in benches:
        if b.key not in results:
            continue
        entries.append({"key": b.key, "lang": b.lang, "name": b.name,
                        "size": b.quick if quick else b.size, "size_unit": b.unit,
                        "results": results[b.key]})
    return {"format": 1, "machine": machine, "modes": modes, "processes": processes,
            "quick": quick, "pypy_missing": pypy_missing, "benchmarks": entries}


def merge_summaries(old: dict, new: dict) -> dict:
    """Cells measured now replace the old ones; other cells of the old summary stay."""
    by_key = {e["key"]: e for e in old["benchmarks"]}
    for e in new["benchmarks"]:
        if e["key"] in by_key:
            by_key[e["key"]]["results"].update(e["results"])
            by_key[e["key"]]["size"] = e["size"]
        else:
            by_key[e["key"]] = e
    order = {b.key: i for i, b in enumerate(BENCHMARKS)}
    merged = dict(new)
    merged["benchmarks"] = sorted(by_key.values(), key=lambda e: order.get(e["key"], 1 << 30))
    merged["modes"] = [m for m in ALL_MODES if m in set(old["modes"]) | set(new["modes"])]
    merged["processes"] = max(old["processes"], new["processes"])
    merged["merged_runs"] = old.get("merged_runs", [old["machine"]["date"]]) + [
        new["machine"]["date"]]
    return merged


def write_outputs(summary: dict, outdir: str, docs_path: Optional[str]) -> List[str]:
    os.makedirs(outdir, exist_ok=True)
    written = []
    for e in summary["benchmarks"]:
        for mode, cell in e["results"].items():
            base = os.path.join(outdir, "%s_%s.%s" % (e["lang"], e["name"], mode))
            if write_pyperf(base + ".json", e["key"], mode, cell, summary["machine"]):
                written.append(base + ".json")
            if cell["iterations"]:
                with open(base + ".iterations.json", "w") as f:
                    json.dump({"benchmark": e["key"], "mode": mode, "size": cell["size"],
                               "unit": "seconds per inner iteration",
                               "processes": cell["iterations"]}, f, indent=1)
                written.append(base + ".iterations.json")
    with open(os.path.join(outdir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    written.append(os.path.join(outdir, "summary.json"))
    charts, why_not = write_charts(summary, outdir)
    written += charts
    if why_not:
        sys.stderr.write("metatrace bench: %s\n" % why_not)
    images = {os.path.splitext(os.path.basename(c))[0]: os.path.basename(c) for c in charts}
    with open(os.path.join(outdir, "table.md"), "w") as f:
        f.write("# metatrace bench results\n\n" + report_text(summary, images))
    written.append(os.path.join(outdir, "table.md"))
    if docs_path:
        docs_dir = os.path.dirname(os.path.abspath(docs_path))
        doc_images = {}
        if charts:
            img_dir = os.path.join(docs_dir, "images")
            os.makedirs(img_dir, exist_ok=True)
            for c in charts:
                name = "benchmarks_" + os.path.basename(c)
                shutil.copyfile(c, os.path.join(img_dir, name))
                doc_images[os.path.splitext(os.path.basename(c))[0]] = "images/" + name
                written.append(os.path.join(img_dir, name))
        os.makedirs(docs_dir, exist_ok=True)
        with open(docs_path, "w") as f:
            f.write(DOCS_HEAD + report_text(summary, doc_images))
        written.append(docs_path)
    return written


# ---------------------------------------------------------------------------------- CLI


def list_benchmarks(benches: List[Bench], pypy: Optional[str]) -> None:
    print("%-24s %10s %8s  %s" % ("benchmark", "size", "quick", "size means"))
    for b in benches:
        print("%-24s %10d %8d  %s" % (b.key, b.size, b.quick, b.unit))
    print("\nmodes:")
    for m, (_env, desc) in MODES.items():
        extra = ""
        if m == "pypy":
            extra = " [%s]" % (pypy or "pypy3 NOT FOUND: this mode will be skipped")
        print("  %-8s %s%s" % (m, desc, extra))


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="metatrace bench", formatter_class=argparse.RawDescriptionHelpFormatter,
        description=__doc__.split("\n\n", 1)[1])
    p.add_argument("--list", action="store_true", help="list the benchmarks and sizes, then exit")
    p.add_argument("--filter", metavar="REGEX",
                   help="run only benchmarks whose name (lang/name, e.g. som/Queens) matches "
                        "REGEX (re.search)")
    p.add_argument("--modes",
                   help="comma-separated modes out of %s (default: all; with --quick: %s)"
                        % (",".join(ALL_MODES), ",".join(QUICK_MODES)))
    p.add_argument("--quick", action="store_true",
                   help="CI smoke mode: tiny sizes, one process each, as many at once as there "
                        "are CPUs; every benchmark still checks its result (figures not "
                        "meaningful)")
    p.add_argument("--processes", type=int, metavar="N",
                   help="fresh processes per benchmark and mode (default 3, 1 with --quick)")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="run N processes at once (default 1; with --quick, the number of CPUs): "
                        "quicker, but the processes then slow each other down")
    p.add_argument("--output", metavar="DIR",
                   help="where results go (default benchmarks/results/, or "
                        "benchmarks/results/quick/ with --quick)")
    p.add_argument("--pypy", metavar="EXE", help="the PyPy executable (default: pypy3 on PATH)")
    p.add_argument("--timeout", type=float, default=1800, metavar="SECONDS",
                   help="give up on a process after this long (default 1800)")
    p.add_argument("--merge", action="store_true",
                   help="keep the cells of an existing summary.json in DIR that this run does "
                        "not measure (to build the matrix up in several runs)")
    p.add_argument("--report", action="store_true",
                   help="measure nothing: rewrite the outputs from DIR/summary.json")
    p.add_argument("--write-docs", action="store_true",
                   help="also write the report to docs/benchmarks.md (with the machine named)")
    p.add_argument("--note", metavar="TEXT",
                   help="a remark printed under the machine's description (e.g. how loaded it was)")
    p.add_argument("--docs-path", metavar="FILE", default=DOCS, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    pypy = find_pypy(args.pypy)
    try:
        pattern = re.compile(args.filter) if args.filter else None
    except re.error as e:
        sys.stderr.write("metatrace bench: bad --filter %r: %s\n" % (args.filter, e))
        return 2
    benches = [b for b in BENCHMARKS if pattern is None or pattern.search(b.key)]
    if args.list:
        list_benchmarks(benches, pypy)
        return 0
    outdir = args.output or (os.path.join(RESULTS, "quick") if args.quick else RESULTS)
    docs_path = args.docs_path if args.write_docs else None
    if args.report:
        try:
            with open(os.path.join(outdir, "summary.json")) as f:
                summary = json.load(f)
        except (OSError, ValueError) as e:
            sys.stderr.write("metatrace bench --report: cannot read %s: %s\n"
                             % (os.path.join(outdir, "summary.json"), e))
            return 2
        if args.note:
            summary["note"] = args.note
        for path in write_outputs(summary, outdir, docs_path):
            print(path)
        return 0
    if not benches:
        sys.stderr.write("metatrace bench: no benchmark matches --filter %r (see --list)\n"
                         % args.filter)
        return 2
    if args.modes is None:
        args.modes = ",".join(QUICK_MODES if args.quick else ALL_MODES)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        sys.stderr.write("metatrace bench: unknown mode(s) %s; modes are %s\n"
                         % (", ".join(unknown) or "(none given)", ", ".join(ALL_MODES)))
        return 2
    modes = [m for m in ALL_MODES if m in modes]
    pypy_missing = None
    if "pypy" in modes and pypy is None:
        pypy_missing = ("%s is not an executable" % args.pypy if args.pypy else
                        "no pypy3 on PATH; install PyPy 3 (Debian/Ubuntu: apt-get install pypy3) "
                        "or pass --pypy EXE")
        sys.stderr.write("metatrace bench: PyPy column skipped: %s\n" % pypy_missing)
        modes.remove("pypy")
        if not modes:
            return 2
    processes = args.processes or (1 if args.quick else 3)
    if processes < 1:
        sys.stderr.write("metatrace bench: --processes must be at least 1\n")
        return 2
    exes = {m: sys.executable for m in modes}
    if "pypy" in modes:
        exes["pypy"] = pypy
    machine = machine_info(pypy)
    jobs = args.jobs or ((os.cpu_count() or 1) if args.quick else 1)
    sys.stderr.write("metatrace bench: %d benchmark(s) x %d mode(s) (%s) x %d process(es)%s%s\n"
                     % (len(benches), len(modes), ",".join(modes), processes,
                        ", quick sizes" if args.quick else "",
                        ", %d at a time" % jobs if jobs > 1 else ""))
    results = run_matrix(benches, modes, processes, args.quick, exes, outdir, args.timeout, jobs)
    summary = build_summary(results, benches, modes, processes, args.quick, machine,
                            pypy_missing)
    summary["jobs"] = jobs
    if args.note:
        summary["note"] = args.note
    summary_path = os.path.join(outdir, "summary.json")
    if args.merge and os.path.exists(summary_path):
        with open(summary_path) as f:
            old = json.load(f)
        if old.get("quick") != args.quick:
            sys.stderr.write("metatrace bench --merge: %s is from a %s run; not merged\n"
                             % (summary_path, "--quick" if old.get("quick") else "full"))
        else:
            summary = merge_summaries(old, summary)
    for path in write_outputs(summary, outdir, docs_path):
        print(path)
    print()
    print(markdown_table(summary), end="")
    failed = any(c["errors"] or not c["values"] for e in summary["benchmarks"]
                 for c in e["results"].values())
    if failed:
        sys.stderr.write("metatrace bench: some processes failed (see the table's Failures)\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
