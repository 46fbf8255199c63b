"""Compiled tier-2 kernels on disk, so a second run of the same program does no Numba compile.

Numba's own ``cache=True`` keys a cache on a source *file* and writes next to it; tier-2
kernels are generated text with no file.  This module plugs into the same place Numba's file
cache does -- a dispatcher's ``_cache`` object (``numba.core.caching._Cache``: the dispatcher
asks it ``load_overload`` before compiling and hands it ``save_overload`` after) -- and stores
what ``FunctionCache`` stores (``CompileResult._reduce()``: the object code and the type
information), one file per kernel, under a key of our own:

    the kernel's generated source, its signature and float constants, the entry format, the
    metatrace, Numba, llvmlite and Python versions, and Numba's codegen "magic tuple" (target
    triple, CPU name, CPU features) plus the Numba settings that change code generation.

A change to any of them is a different file name, i.e. a miss.  An entry is
``MAGIC + sha256(payload) + payload``; the payload also holds the key text, so a truncated,
corrupt or colliding file is detected, ignored (counted in ``kernel_cache_corrupt``), removed
and the kernel recompiled.  Writes go to a temporary file in the same directory and are
``os.replace``-d into place, so concurrent processes writing the same entry each write a whole
file and the last rename wins.  A directory that cannot be created turns the cache off for the
process; one that cannot be written keeps reads (a read-only shared cache still gives hits) and
stops writes (``kernel_cache_write_failures``, and one line under ``METATRACE_VERBOSE``).  The
directory is bounded (``METATRACE_CACHE_MAX_MB``, default 64 MB): after each write, the least
recently used entries (hits touch the file's time) are removed until it is under 80% of that.

``METATRACE_CACHE``: unset or empty -- ``$XDG_CACHE_HOME/metatrace`` (else
``~/.cache/metatrace``); ``off`` (also ``0``, ``no``, ``false``, ``none``) -- no disk cache;
anything else -- that directory.  Entries live in its ``kernels-v1/`` subdirectory.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

ENV = "METATRACE_CACHE"
ENV_MAX = "METATRACE_CACHE_MAX_MB"
OFF_VALUES = ("off", "0", "no", "false", "none")
SUBDIR = "kernels-v1"
SUFFIX = ".nbk"
MAGIC = b"metatrace-kernel-cache 1\n"
DEFAULT_MAX_MB = 64
EVICT_TO = 0.8  # after a write that passes the bound, evict down to this fraction of it
STALE_TMP_S = 3600.0  # a temporary file older than this was left by a process that died

COUNTER_KEYS = ("tier2_compiles", "kernel_cache_hits", "kernel_cache_misses",
                "kernel_cache_corrupt", "kernel_cache_write_failures")

_lock = threading.Lock()


# ---------------------------------------------------------------------------------------------
# where

def default_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not base or not os.path.isabs(base):  # the XDG spec: a relative value is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "metatrace")


def configured_dir() -> Tuple[Optional[str], str]:
    """The cache directory ``METATRACE_CACHE`` selects (absolute), or None and why not."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in OFF_VALUES:
        return None, "%s=%s" % (ENV, value)
    if not value:
        return default_dir(), "the default (%s unset)" % ENV
    return os.path.abspath(os.path.expanduser(value)), "%s" % ENV


def max_bytes() -> int:
    raw = os.environ.get(ENV_MAX, "").strip()
    try:
        mb = float(raw) if raw else float(DEFAULT_MAX_MB)
    except ValueError:
        mb = float(DEFAULT_MAX_MB)
    return max(0, int(mb * (1 << 20)))


def entries_dir(root: str) -> str:
    return os.path.join(root, SUBDIR)


class _State:
    """What this process knows about its cache directory (decided at the first kernel)."""

    def __init__(self) -> None:
        self.root: Optional[str] = None
        self.dir: Optional[str] = None
        self.off_reason = ""
        self.writable = True
        self.ready = False
        self.loaded: set = set()  # digests of the entries this process put in its JIT engine

    def setup(self) -> Optional[str]:
        """The entries directory, or None (the cache is off for this process)."""
        if self.ready:
            return self.dir
        self.ready = True
        root, why = configured_dir()
        if root is None:
            self.off_reason = "turned off by " + why
            return None
        path = entries_dir(root)
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)  # entries are code: the user's own
        except OSError as e:
            self.off_reason = "cannot create %s: %s" % (path, e.strerror or e)
            _note("kernel cache off: " + self.off_reason)
            return None
        self.root, self.dir = root, path
        if not os.access(path, os.W_OK):
            self._unwritable("not writable")
        return path

    def _unwritable(self, why: str) -> None:
        if self.writable:
            self.writable = False
            _note("kernel cache: %s is %s; compiled kernels are not saved (reading still works)"
                  % (self.dir, why))


_state = _State()


def reset() -> None:
    """Forget what this process decided about the cache (for tests that change the env)."""
    global _state
    with _lock:
        _state = _State()


def _note(text: str) -> None:
    try:
        from .. import events

        if events.verbose_enabled():
            sys.stderr.write(events.PREFIX + text + "\n")
    except Exception:  # pragma: no cover - never let a note break a compile
        pass


# ---------------------------------------------------------------------------------------------
# the key

def _environment_parts() -> List[str]:
    import llvmlite
    import numba
    from numba.core import config
    from numba.core.registry import cpu_target

    from .. import __version__

    magic = cpu_target.target_context.codegen().magic_tuple()
    return ["format=%s" % MAGIC.decode().strip(), "metatrace=%s" % __version__,
            "numba=%s" % numba.__version__, "llvmlite=%s" % llvmlite.__version__,
            "python=%s %s" % (sys.version, getattr(sys, "abiflags", "")),
            "codegen=%r" % (magic,),
            "numba-config=%r" % ((config.OPT, config.DEBUGINFO_DEFAULT, config.BOUNDSCHECK,
                                  config.FASTMATH if hasattr(config, "FASTMATH") else None),)]


_env_parts: List[str] = []


def key_text(src: str, signature: Sequence[str], consts: Sequence[Tuple[str, str]]) -> str:
    """Everything the compiled code depends on, as text (numba must be importable)."""
    if not _env_parts:
        _env_parts.extend(_environment_parts())
    return "\n".join(_env_parts + ["signature=%s" % ",".join(signature),
                                   "consts=%r" % (tuple(consts),), "source:", src])


def key_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# one entry as Numba's dispatcher sees it

def _entry_class() -> Any:
    from numba.core import caching

    class Entry(caching._Cache):
        """The disk entry of one kernel: what the dispatcher loads before and saves after
        compiling.  Never raises: a bad entry is a miss."""

        def __init__(self, path: str, key: str, counts: Dict[str, int]) -> None:
            self.path = path
            self.key = key
            self.counts = counts

        @property
        def cache_path(self) -> str:
            return os.path.dirname(self.path)

        def load_overload(self, sig: Any, target_context: Any) -> Any:
            try:
                with open(self.path, "rb") as f:
                    blob = f.read()
            except FileNotFoundError:
                self.counts["kernel_cache_misses"] += 1
                return None
            except OSError:
                self.counts["kernel_cache_misses"] += 1
                return None
            try:
                payload = _decode(blob, self.key)
                # Numba's FunctionCache calls target_context.refresh() here; it loads every
                # typing and lowering registry (0.4 s, most of a warm run's Numba time) and a
                # rebuild needs none of them: the object code is linked as it is.  A later
                # compile refreshes the contexts itself (numba.core.compiler.CompilerBase).
                from numba.core.compiler import CompileResult
                from numba.core.runtime import rtsys

                # Numba's runtime (NRT) is set up by a compile or a refresh, and neither has
                # happened in a warm process: a kernel that takes a bytearray adapts its buffer
                # through NRT calls at entry and would crash on an uninitialized NRT.  Idempotent.
                rtsys.initialize(target_context)
                cres = CompileResult._rebuild(target_context, *payload)
            except Exception:
                self.counts["kernel_cache_corrupt"] += 1
                self.counts["kernel_cache_misses"] += 1
                _remove(self.path)
                return None
            self.counts["kernel_cache_hits"] += 1
            try:
                os.utime(self.path)  # recently used: evicted last
            except OSError:
                pass
            return cres

        def save_overload(self, sig: Any, cres: Any) -> None:
            if not _state.writable:
                return
            if any(not x.can_cache for x in cres.lifted) or cres.library.has_dynamic_globals:
                return
            try:
                from numba.core.serialize import dumps

                blob = _encode(dumps(cres._reduce()), self.key)
            except Exception:
                return  # not picklable: this kernel just is not cached
            if not _write_atomic(self.path, blob):
                self.counts["kernel_cache_write_failures"] += 1
                _state._unwritable("not writable")
                return
            evict(os.path.dirname(self.path), max_bytes(), keep=self.path)

        def enable(self) -> None:
            pass

        def disable(self) -> None:
            pass

        def flush(self) -> None:
            pass

    return Entry


_Entry: Any = None


def _encode(payload: bytes, key: str) -> bytes:
    body = pickle.dumps((key, payload), protocol=pickle.HIGHEST_PROTOCOL)
    return MAGIC + hashlib.sha256(body).digest() + body


def _decode(blob: bytes, key: str) -> Any:
    if not blob.startswith(MAGIC):
        raise ValueError("not a metatrace kernel cache entry")
    digest, body = blob[len(MAGIC):len(MAGIC) + 32], blob[len(MAGIC) + 32:]
    if hashlib.sha256(body).digest() != digest:
        raise ValueError("checksum mismatch (truncated or corrupt)")
    stored_key, payload = pickle.loads(body)
    if stored_key != key:
        raise ValueError("entry is for another kernel")
    return pickle.loads(payload)


def _write_atomic(path: str, blob: bytes) -> bool:
    tmp = "%s.%d.%s.tmp" % (path, os.getpid(), os.urandom(4).hex())
    try:
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
        return True
    except OSError:
        _remove(tmp)
        return False


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


# ---------------------------------------------------------------------------------------------
# compiling through the cache

def compile_dispatcher(disp: Any, sig: Tuple[Any, ...], src: str, signature: Sequence[str],
                       consts: Sequence[Tuple[str, str]]) -> Tuple[Callable[..., Any], Dict[str, int]]:
    """``disp.compile(sig)``, with the disk entry for this kernel in front of Numba's compiler.
    Returns the compiled entry point and what happened (counter name -> increment); the
    Numba compiles are counted from Numba's own ``numba:compile`` events."""
    from numba.core import event

    counts = dict.fromkeys(COUNTER_KEYS, 0)
    with _lock:
        path = None
        d = _state.setup()
        if d is not None:
            try:
                key = key_text(src, signature, consts)
            except Exception:
                key = ""
            # an entry already put into this process's JIT engine is compiled afresh instead
            # (its symbols would clash with the live copy's)
            digest = key_digest(key) if key else ""
            if digest and digest not in _state.loaded:
                global _Entry
                try:  # Numba internals this relies on; if they moved, compile without the cache
                    if _Entry is None:
                        _Entry = _entry_class()
                    path = os.path.join(d, digest + SUFFIX)
                    disp._cache = _Entry(path, key, counts)
                except Exception:
                    path = None
    listener = _CompileCounter()
    with event.install_listener("numba:compile", listener):
        entry = disp.compile(sig)  # the compiled entry, without argument dispatch
    counts["tier2_compiles"] = listener.started
    if path is not None:
        with _lock:
            _state.loaded.add(digest)
        from numba.core.caching import NullCache

        disp._cache = NullCache()  # later compiles of this dispatcher (none expected) skip disk
    return entry, counts


def _compile_counter_class() -> Any:
    from numba.core import event

    class CompileCounter(event.Listener):
        def __init__(self) -> None:
            self.started = 0

        def on_start(self, ev: Any) -> None:
            self.started += 1

        def on_end(self, ev: Any) -> None:
            pass

    return CompileCounter


def _CompileCounter() -> Any:
    global _counter_cls
    if _counter_cls is None:
        _counter_cls = _compile_counter_class()
    return _counter_cls()


_counter_cls: Any = None


# ---------------------------------------------------------------------------------------------
# the directory: listing, bounding, clearing

def list_entries(d: str) -> List[Tuple[str, int, float]]:
    """(path, size, mtime) of the entries in an entries directory, oldest first."""
    out = []
    try:
        names = os.listdir(d)
    except OSError:
        return []
    for name in names:
        if not name.endswith(SUFFIX):
            continue
        p = os.path.join(d, name)
        try:
            st = os.stat(p)
        except OSError:
            continue
        out.append((p, st.st_size, st.st_mtime))
    out.sort(key=lambda e: e[2])
    return out


def _stale_tmp(d: str, older_than: float) -> List[str]:
    out = []
    now = time.time()
    try:
        names = os.listdir(d)
    except OSError:
        return []
    for name in names:
        if name.endswith(".tmp") and SUFFIX in name:
            p = os.path.join(d, name)
            try:
                if now - os.stat(p).st_mtime >= older_than:
                    out.append(p)
            except OSError:
                pass
    return out


def evict(d: str, limit: int, keep: Optional[str] = None) -> int:
    """Remove least recently used entries while the directory holds more than ``limit`` bytes,
    down to ``EVICT_TO`` of it (never ``keep``, the entry just written); returns how many."""
    for p in _stale_tmp(d, STALE_TMP_S):
        _remove(p)
    entries = list_entries(d)
    total = sum(e[1] for e in entries)
    if total <= limit:
        return 0
    target = int(limit * EVICT_TO)
    removed = 0
    for path, size, _ in entries:
        if total <= target:
            break
        if path == keep:
            continue
        _remove(path)
        total -= size
        removed += 1
    return removed


def info(root: Optional[str] = None) -> Dict[str, Any]:
    """Where the cache is and what it holds (for ``metatrace cache info``)."""
    why = ""
    if root is None:
        root, why = configured_dir()
    out: Dict[str, Any] = {"enabled": root is not None, "source": why, "path": root,
                           "entries_dir": entries_dir(root) if root else None,
                           "entries": 0, "bytes": 0, "max_bytes": max_bytes()}
    if root is not None:
        entries = list_entries(entries_dir(root))
        out["entries"] = len(entries)
        out["bytes"] = sum(e[1] for e in entries)
        out["exists"] = os.path.isdir(entries_dir(root))
        where = entries_dir(root) if out["exists"] else root
        out["writable"] = os.access(where, os.W_OK) if os.path.exists(where) else None
    return out


def clear(root: str) -> Tuple[int, int]:
    """Remove every entry (and leftover temporary file) under ``root``; only files this module
    writes are touched.  Returns (entries removed, bytes freed); raises OSError when an entry
    cannot be removed."""
    d = entries_dir(root)
    n = freed = 0
    for path, size, _ in list_entries(d):
        os.remove(path)
        n += 1
        freed += size
    for p in _stale_tmp(d, 0.0):
        _remove(p)
    try:
        os.rmdir(d)  # only if now empty
    except OSError:
        pass
    return n, freed
