"""A SOM (Simple Object Machine) Smalltalk bytecode VM, JIT-compiled by metatrace.

Run programs with ``python -m interpreters.smalltalk_bc [-cp PATH] FILE.som|ClassName [args]``
(or ``metatrace st ...``); see docs/smalltalk.md.  The VM core (``interpreter``) is imported
lazily by ``__main__.main`` so that ``--no-jit`` takes effect before the portal is decorated.
"""
