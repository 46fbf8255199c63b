"""``metatrace cache``: where tier 2's compiled kernels are kept on disk, and clearing them."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

DESCRIPTION = """\
Tier 2 keeps the Numba kernels it compiles on disk, so a second run of the same program loads
them instead of compiling them.  METATRACE_CACHE=DIR selects the directory (default
$XDG_CACHE_HOME/metatrace, else ~/.cache/metatrace); METATRACE_CACHE=off turns the cache off;
METATRACE_CACHE_MAX_MB bounds its size (default 64; least recently used entries go first).

commands:
  info    the directory, whether it is on, its entries and their size (--json for a dict)
  path    print the directory (nothing, exit status 1, when the cache is off)
  clear   remove every cached kernel (only the files metatrace wrote)
"""


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return ("%d %s" % (n, unit)) if unit == "bytes" else ("%.1f %s" % (n, unit))
        n /= 1024.0  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def main(argv: Optional[List[str]] = None) -> int:
    from .backend import kernel_cache

    parser = argparse.ArgumentParser(prog="metatrace cache", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("info", "path", "clear"), metavar="COMMAND",
                        help="info | path | clear")
    parser.add_argument("--dir", metavar="DIR",
                        help="act on this cache directory instead of the one METATRACE_CACHE selects")
    parser.add_argument("--json", action="store_true", help="info: print a JSON object")
    args = parser.parse_args(argv)

    root: Optional[str]
    if args.dir:
        root, why = os.path.abspath(os.path.expanduser(args.dir)), "--dir"
    else:
        root, why = kernel_cache.configured_dir()

    if args.command == "path":
        if root is None:
            sys.stderr.write("metatrace cache: the kernel cache is off (%s)\n" % why)
            return 1
        print(root)
        return 0

    if args.command == "info":
        data = kernel_cache.info(root)
        data["source"] = why
        if args.json:
            print(json.dumps(data, indent=2, sort_keys=True))
            return 0
        if root is None:
            print("kernel cache: off (%s)" % why)
            return 0
        print("kernel cache: %s (%s)" % (root, why))
        if not data.get("exists"):
            print("  no entries yet (the directory is created when the first kernel is compiled)")
        else:
            print("  entries:  %d (%s) in %s" % (data["entries"], _size(data["bytes"]),
                                              data["entries_dir"]))
            if data.get("writable") is False:
                print("  not writable: kernels are loaded from it but new ones are not saved")
        print("  bound:    %s (METATRACE_CACHE_MAX_MB; least recently used entries are removed)"
              % _size(data["max_bytes"]))
        return 0

    # clear
    if root is None:
        print("metatrace cache: the kernel cache is off (%s); nothing to clear" % why)
        return 0
    try:
        n, freed = kernel_cache.clear(root)
    except OSError as e:
        sys.stderr.write("metatrace cache clear: cannot remove %s: %s (check the directory's "
                         "permissions, or pass --dir)\n" % (e.filename or root, e.strerror or e))
        return 1
    print("removed %d cached kernel%s (%s) from %s" % (n, "" if n == 1 else "s", _size(freed),
                                                     kernel_cache.entries_dir(root)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
