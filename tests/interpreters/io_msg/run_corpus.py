"""Run many Io corpus programs in one process and print their outputs as JSON.

Used by test_corpus.py once per JIT mode: the mode is fixed when the interpreter's portals are
decorated (at import), so each mode needs its own process, and batching keeps the suite fast.

    python tests/interpreters/io_msg/run_corpus.py PROG.io [PROG.io ...]
"""

from __future__ import annotations

import io
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))


def main(paths):
    sys.path.insert(0, ROOT)
    from interpreters.io_msg import __main__ as cli
    from interpreters.io_msg.runtime import Runtime

    results = {}

    def run_all():
        sys.setrecursionlimit(cli.RECURSION_LIMIT)
        for path in paths:
            out = io.StringIO()
            old_err = sys.stderr
            sys.stderr = out
            try:
                rt = Runtime([path], out=out)
                with open(path, encoding="utf-8") as f:
                    src = f.read()
                code = cli.run_source(rt, src, path)
            except BaseException as e:  # report, never lose the other programs' results
                import traceback

                code = -1
                out.write("\nPYTHON ERROR: %s: %s\n%s" % (type(e).__name__, e,
                                                          traceback.format_exc()))
            finally:
                sys.stderr = old_err
            results[os.path.basename(path)] = {"output": out.getvalue(), "code": code}
        return 0

    cli._run_in_thread(run_all, 1024)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
