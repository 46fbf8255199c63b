"""Run fuzzvm programs with the JIT off and on, under many JIT configurations, and compare.

What must agree (ARCHITECTURE.md, invariant 1): the printed lines, the return value (its
canonical text), the uncaught exception (class and message) and the final heap -- a canonical
dump of everything the program can reach (``vm.globals``, the main frame's registers, the
quasi-immutable ``vm.cfg.mode``), with objects numbered in the order they are first reached, so
aliasing and cycles are compared too.
"""

import io
import os
import signal
import sys
import time

from metatrace.testing import load_module, reset

HERE = os.path.dirname(os.path.abspath(__file__))
VM_PATH = os.path.join(HERE, "vm.py")

sys.setrecursionlimit(max(sys.getrecursionlimit(), 8000))

plain = load_module(VM_PATH, "tests.fuzz.vm_plain", jit=False)
jitted = load_module(VM_PATH, "tests.fuzz.vm_jit", jit=True)


def _flat_vm():
    """The same VM without ``can_enter_jit`` (every merge point may start a loop: config cej=0),
    written to a temporary file because the JIT reads the portal's source."""
    import tempfile

    with open(VM_PATH) as f:
        src = f.read()
    marker = "can_enter_jit(pc=pc, func=func, frame=frame, vm=vm)"
    assert marker in src
    src = src.replace(marker, "pass")
    path = os.path.join(tempfile.mkdtemp(prefix="fuzzvm_"), "vm_flat.py")
    with open(path, "w") as f:
        f.write(src)
    return load_module(path, "tests.fuzz.vm_flat_jit", jit=True)


jitted_flat = _flat_vm()

# -- configurations ------------------------------------------------------------------------------

ALL_OPTS = "virtualize:sink:heap:pure:dce:licm:unroll"


def without(*names):
    return ":".join(p for p in ALL_OPTS.split(":") if p not in names)


BASE = dict(backend="python", threshold=2, trace_eagerness=1, function_threshold=3, trace_limit=6000,
            inlining=0, enable_opts="all", numba_threshold=1, twice=0, cej=1)

# name -> overrides of BASE; together they cover every axis (see docs in tests/fuzz/run.py)
PRESETS = {
    "py": {},
    "py-inl": dict(inlining=1),
    "numba": dict(backend="numba"),
    "numba-inl": dict(backend="numba", inlining=1),
    "auto": dict(backend="auto"),
    "auto-inl": dict(backend="auto", inlining=1, threshold=3),
    "noopts": dict(enable_opts=""),
    "nopure": dict(enable_opts=without("pure")),
    "nodce": dict(enable_opts=without("dce")),
    "noloop": dict(enable_opts=without("licm", "unroll")),
    "nounroll": dict(enable_opts=without("unroll"), inlining=1),
    "novirt": dict(enable_opts=without("virtualize")),
    "noheap": dict(enable_opts=without("heap")),
    "nosink": dict(enable_opts=without("sink")),
    "looponly": dict(enable_opts="licm:unroll"),
    "puredce": dict(enable_opts="pure:dce", inlining=1),
    "numba-nopure": dict(backend="numba", enable_opts=without("pure")),
    "numba-noloop": dict(backend="numba", enable_opts=without("licm", "unroll")),
    "limit50": dict(trace_limit=50),
    "limit120-inl": dict(trace_limit=120, inlining=1),
    "limit200-numba": dict(trace_limit=200, backend="numba"),
    "t1e1": dict(threshold=1, trace_eagerness=1, function_threshold=1),
    "t3e2": dict(threshold=3, trace_eagerness=2),
    "t5e3": dict(threshold=5, trace_eagerness=3, function_threshold=5),
    "t4f1-inl": dict(threshold=4, function_threshold=1, inlining=1),
    "twice": dict(twice=1),
    "twice-numba-inl": dict(twice=1, backend="numba", inlining=1),
    "twice-auto-t1": dict(twice=1, backend="auto", threshold=1),
    # the VM without can_enter_jit: loops may start at any merge point
    "flat": dict(cej=0),
    "flat-t1": dict(cej=0, threshold=1, trace_eagerness=1, function_threshold=7),
    "flat-inl": dict(cej=0, inlining=1, threshold=3),
    "flat-numba": dict(cej=0, backend="numba"),
    "flat-twice": dict(cej=0, twice=1, threshold=1),
    "flat-limit80": dict(cej=0, trace_limit=80),
}

AXES = dict(
    backend=["python", "numba", "auto"],
    threshold=[1, 2, 3, 4, 5],
    trace_eagerness=[1, 2, 3],
    function_threshold=[1, 2, 3, 5],
    trace_limit=[50, 80, 120, 200, 6000, 6000],
    inlining=[0, 1],
    enable_opts=["all", "all", "", without("pure"), without("dce"), without("licm", "unroll"),
                 without("unroll"), without("licm"), without("virtualize"), without("heap"),
                 without("sink"), "licm:unroll", "pure:dce", "virtualize:heap", without("pure", "dce")],
    twice=[0, 0, 1],
    cej=[1, 0],
)


def make_config(overrides):
    cfg = dict(BASE)
    cfg.update(overrides)
    return cfg


def random_config(rng):
    return make_config({k: rng.choice(v) for k, v in AXES.items()})


def parse_config(text):
    """A preset name or ``k=v,k=v`` over BASE (``enable_opts`` subsets use ``:``)."""
    if text in PRESETS:
        return make_config(PRESETS[text])
    over = {}
    for item in text.split(","):
        if not item.strip():
            continue
        k, _, v = item.partition("=")
        k = k.strip()
        if k not in BASE:
            raise ValueError("unknown config key %r (known: %s)" % (k, ", ".join(BASE)))
        over[k] = int(v) if isinstance(BASE[k], int) else v.strip()
    return make_config(over)


def config_text(cfg):
    return ",".join("%s=%s" % (k, cfg[k]) for k in BASE if cfg[k] != BASE[k]) or "(base)"


# -- running --------------------------------------------------------------------------------------


class Timeout(BaseException):
    """Raised by the alarm; a BaseException so neither the VM nor the JIT catches it."""


def _alarm(signum, frame):
    raise Timeout()


def dump_heap(roots):
    """Canonical text of the object graph under ``roots``."""
    seen = {}
    out = []

    def walk(v):
        t = type(v)
        if t is list or t.__name__ in ("Obj", "Vec"):
            if id(v) in seen:
                out.append("#%d" % seen[id(v)])
                return
            seen[id(v)] = len(seen)
            if t is list:
                out.append("[")
                for x in v:
                    walk(x)
                    out.append(",")
                out.append("]")
            else:
                out.append(t.__name__ + "{")
                for k in sorted(vars(v)):
                    out.append(k + "=")
                    walk(vars(v)[k])
                    out.append(",")
                out.append("}")
        elif t is float:
            out.append("f" + repr(v))
        else:
            out.append(t.__name__ + ":" + repr(v))

    for r in roots:
        walk(r)
        out.append(";")
    return "".join(out)


def run_once(mod, prog, timeout_s=None):
    """Outcome of one run of ``prog`` (a Prog of ``mod``): (lines, result, heap).  The timeout
    counts this process's CPU time (ITIMER_PROF), so a loaded or paused machine does not make a
    slow run look like a hang."""
    vm = mod.VM()
    main = prog.funcs[0]
    frame = mod.Frame(main, [], 0)
    old = None
    if timeout_s:
        old = signal.signal(signal.SIGPROF, _alarm)
        signal.setitimer(signal.ITIMER_PROF, timeout_s)
    try:
        try:
            result = ("ret", mod.show(mod.run(main, frame, vm)))
        except Timeout:
            raise
        except RecursionError as e:
            result = ("exc", "RecursionError", str(e)[:40])
        except Exception as e:
            result = ("exc", type(e).__name__, str(e))
    finally:
        if timeout_s:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, old)
    heap = dump_heap([vm.globals, frame.regs, [vm.cfg.mode]])
    return (tuple(vm.out), result, heap)


_expected_cache = {}


def expected_outcome(spec, timeout_s=5.0):
    """The plain interpreter's outcome (None when it runs longer than ``timeout_s``)."""
    key = repr(spec)
    if key not in _expected_cache:
        if len(_expected_cache) > 64:
            _expected_cache.clear()
        try:
            _expected_cache[key] = run_once(plain, plain.assemble(spec), timeout_s)
        except Timeout:
            _expected_cache[key] = None
    return _expected_cache[key]


def jit_module(cfg):
    return jitted if cfg.get("cej", 1) else jitted_flat


def apply_config(cfg):
    mod = jit_module(cfg)
    drv = mod.run.jitdriver
    reset(mod.run)
    for k, v in cfg.items():
        if k not in ("twice", "cej"):
            drv.set_param(k, v)
    return mod


def jit_outcomes(spec, cfg, timeout_s=60.0):
    """The JIT's outcomes (one, or two for ``twice``: the same Prog run again in warm state),
    the driver's stats, and what the JIT wrote to stderr (internal errors)."""
    mod = apply_config(cfg)
    prog = mod.assemble(spec)
    err = io.StringIO()
    saved = sys.stderr
    sys.stderr = err
    try:
        outs = []
        for _ in range(2 if cfg.get("twice") else 1):
            try:
                outs.append(run_once(mod, prog, timeout_s))
            except Timeout:
                outs.append(("timeout",))
    finally:
        sys.stderr = saved
    return outs, mod.run.jitdriver.stats(), err.getvalue()


FIELDS = ("output", "result", "heap")


def diff(expected, got):
    """The names of the parts that differ."""
    if got == ("timeout",):
        return ["timeout"]
    return [FIELDS[i] for i in range(3) if expected[i] != got[i]]


class Check:
    """The result of one program under one config."""

    def __init__(self, spec, cfg, expected, outs, stats, stderr):
        self.spec, self.cfg, self.expected, self.outs, self.stats, self.stderr = spec, cfg, expected, outs, stats, stderr
        self.skipped = expected is None
        self.diffs = [] if self.skipped else [diff(expected, o) for o in outs]
        self.mismatch = any(self.diffs)

    def first_bad(self):
        for i, d in enumerate(self.diffs):
            if d:
                return i, d, self.outs[i]
        return None


def check(spec, cfg, plain_timeout=5.0, jit_timeout=60.0):
    expected = expected_outcome(spec, plain_timeout)
    if expected is None:
        return Check(spec, cfg, None, [], {}, "")
    outs, stats, err = jit_outcomes(spec, cfg, jit_timeout)
    return Check(spec, cfg, expected, outs, stats, err)


# -- reduction ------------------------------------------------------------------------------------


def _strip_labels(code):
    used = set()
    for ins in code:
        if ins[0] in ("JMP", "TRY"):
            used.add(ins[1])
        elif ins[0] in ("JT", "JF", "JLTK", "JLT"):
            used.add(ins[2])
    return [ins for ins in code if ins[0] != "LABEL" or ins[1] in used]


def reduce(spec, cfg, log=None, budget_s=240.0, still=None):
    """Delta debugging: the smallest program and simplest config found within ``budget_s``
    that still mismatch (or for which ``still(check)`` holds: e.g. an internal error).
    Returns (spec, cfg, Check)."""
    still = still or (lambda ch: ch.mismatch)
    start = time.time()
    tries = [0]

    def bad(s, c):
        tries[0] += 1
        if time.time() - start > budget_s:
            return False
        ch = check(s, c, plain_timeout=2.0, jit_timeout=20.0)
        return not ch.skipped and still(ch)

    def say(msg):
        if log:
            log("  reduce: %s (%d tries, %.0fs)" % (msg, tries[0], time.time() - start))

    def simplify_config(c):
        for k in ("cej", "twice", "backend", "inlining", "enable_opts", "trace_limit", "function_threshold",
                  "trace_eagerness", "threshold"):
            if c[k] != BASE[k]:
                c2 = dict(c)
                c2[k] = BASE[k]
                if bad(spec, c2):
                    c = c2
        return c

    cfg = simplify_config(dict(cfg))
    say("config %s" % config_text(cfg))
    spec = [list(f) for f in spec]
    # whole functions: empty the callees (they then return their first argument)
    for i in range(len(spec) - 1, 0, -1):
        if spec[i][2]:
            s2 = [list(f) for f in spec]
            s2[i][2] = []
            if bad(s2, cfg):
                spec = s2
    # ddmin over each function's instructions (labels stay: jumps keep their targets)
    changed = True
    while changed and time.time() - start < budget_s:
        changed = False
        for fi in range(len(spec)):
            code = spec[fi][2]
            n = max(1, len(code) // 2)
            while n >= 1 and time.time() - start < budget_s:
                i = 0
                while i < len(code):
                    chunk = [ins for ins in code[i:i + n] if ins[0] != "LABEL"]
                    if not chunk:
                        i += n
                        continue
                    cand = code[:i] + [ins for ins in code[i:i + n] if ins[0] == "LABEL"] + code[i + n:]
                    s2 = [list(f) for f in spec]
                    s2[fi][2] = cand
                    if bad(s2, cfg):
                        spec, code, changed = s2, cand, True
                    else:
                        i += n
                n //= 2
        say("%d instructions" % sum(len(f[2]) for f in spec))
    for f in spec:
        f[2] = _strip_labels(f[2])
    cfg = simplify_config(cfg)
    spec = [tuple(f) for f in spec]
    final = check(spec, cfg, plain_timeout=2.0, jit_timeout=20.0)
    say("done, config %s" % config_text(cfg))
    return spec, cfg, final


# -- reproductions --------------------------------------------------------------------------------

REPRO_TEMPLATE = '''"""fuzzvm mismatch {name}: JIT on vs off differ ({what}).

Found by tests/fuzz (seed {seed}, config {cfgtext}).  Run: python {fname}
(needs the metatrace repo: METATRACE_REPO, default {repo}).  Exit status 1 while the bug is there.
"""
import os
import sys

REPO = os.environ.get("METATRACE_REPO", {repo!r})
sys.path.insert(0, REPO)
from tests.fuzz.harness import check, config_text  # noqa: E402

PROGRAM = {spec}
CONFIG = {cfg!r}
EXPECTED = {expected}
GOT = {got}

if __name__ == "__main__":
    ch = check(PROGRAM, CONFIG)
    print("config:", config_text(CONFIG))
    print("expected (JIT off):", ch.expected[1], len(ch.expected[0]), "lines")
    for i, o in enumerate(ch.outs):
        print("jit run %d:" % (i + 1), o[1] if len(o) > 1 else o, len(o[0]) if len(o) > 1 else "",
              "lines; differs in:", ch.diffs[i] or "nothing")
    sys.exit(1 if ch.mismatch else 0)
'''


def _short(outcome):
    if outcome is None or len(outcome) < 3:
        return repr(outcome)
    return "(%r, %r, %r)" % (outcome[0], outcome[1], outcome[2])


def write_repro(path, name, seed, spec, cfg, ch):
    bad = ch.first_bad()
    what = ", ".join(bad[1]) + (" (second run)" if bad[0] == 1 else "") if bad else "no longer differs"
    spec_text = "[\n" + "".join("    (%r, %r, [\n%s    ], %r),\n" % (
        f[0], f[1], "".join("        %r,\n" % (ins,) for ins in f[2]), f[3]) for f in spec) + "]"
    text = REPRO_TEMPLATE.format(name=name, what=what, seed=seed, cfgtext=config_text(cfg),
                                 fname=os.path.basename(path), repo=os.path.dirname(os.path.dirname(HERE)),
                                 spec=spec_text, cfg=cfg, expected=_short(ch.expected),
                                 got=_short(bad[2]) if bad else "None")
    with open(path, "w") as f:
        f.write(text)
    return text
