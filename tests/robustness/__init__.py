"""Robustness tests: threads, many loops, method redefinition, deep recursion.

``ON`` is the test interpreter with the JIT, ``OFF`` the same file loaded again with the JIT off
(so recursive portal calls stay uncompiled too): every answer is compared between the two.
"""

import os

from metatrace.testing import load_module

from . import interp as ON

OFF = load_module(os.path.join(os.path.dirname(__file__), "interp.py"), "tests.robustness._interp_off",
                  jit=False)

__all__ = ["ON", "OFF"]
