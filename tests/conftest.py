import os

# The suite tests the JIT itself: make sure a stray METATRACE=off in the environment does not
# silently turn every JIT test into an interpreter test.
os.environ.pop("METATRACE", None)
os.environ.pop("METATRACE_PARAMS", None)
