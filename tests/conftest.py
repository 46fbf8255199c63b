import atexit
import os
import shutil
import tempfile

# The suite tests the JIT itself: make sure a stray METATRACE=off in the environment does not
# silently turn every JIT test into an interpreter test.
os.environ.pop("METATRACE", None)
os.environ.pop("METATRACE_PARAMS", None)

# Tier 2's compiled kernels go to a temporary disk cache, never the user's ~/.cache/metatrace;
# the subprocesses tests start inherit it.  METATRACE_TEST_CACHE=DIR keeps one across sessions
# (run the suite twice to test every kernel loaded from disk).
_kernel_cache = os.environ.get("METATRACE_TEST_CACHE", "")
if not _kernel_cache:
    _kernel_cache = tempfile.mkdtemp(prefix="metatrace-test-cache-")
    atexit.register(shutil.rmtree, _kernel_cache, True)
os.environ["METATRACE_CACHE"] = _kernel_cache
