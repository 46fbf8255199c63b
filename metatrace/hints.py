"""The hints an interpreter writer puts into a plain Python interpreter.

Every hint here is a no-op (or the identity) when the program runs normally: with
``METATRACE=off``, on PyPy, on Python 3.9/3.10, or in any code the JIT is not tracing.  Their
meaning exists only for the tracer, which recognises these very function objects by identity
while it meta-interprets the interpreter (see ``metatrace/tracer``).  That is why this module
must stay importable on Python 3.9 and must never grow behaviour of its own.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# Attribute names the decorators set on functions; the codewriter and tracer read them.
ELIDABLE = "_metatrace_elidable_"
DONT_LOOK_INSIDE = "_metatrace_dont_look_inside_"
UNROLL_SAFE = "_metatrace_unroll_safe_"
LOOK_INSIDE_IFF = "_metatrace_look_inside_iff_"
LOOP_INVARIANT = "_metatrace_loop_invariant_"


def jit_merge_point(**greens_and_reds: Any) -> None:
    """Marks the top of the interpreter's dispatch loop (first statement of the loop body).

    Rewritten away by ``@metatrace.jit`` when the JIT is on; a no-op call otherwise.
    """


def can_enter_jit(**greens_and_reds: Any) -> None:
    """Marks a place where an interpreted loop closes (a backward jump).

    Must be followed directly by the next iteration of the merge-point loop.
    """


def promote(x: Any) -> Any:
    """While tracing: guard that ``x`` has the value seen now, and treat it as a constant."""
    return x


def promote_string(s: Any) -> Any:
    """Like :func:`promote`, comparing by string equality instead of identity."""
    return s


def elidable(func: F) -> F:
    """The function's result depends only on its arguments and it has no side effects.

    Called with constant arguments while tracing, it is run at trace time and its result becomes
    a constant; otherwise it is a pure call that the optimizer may remove or share.
    """
    setattr(func, ELIDABLE, True)
    return func


def dont_look_inside(func: F) -> F:
    """Never trace into this function: it is always a residual call."""
    setattr(func, DONT_LOOK_INSIDE, True)
    return func


def unroll_safe(func: F) -> F:
    """This function contains a loop but may be traced into (the loop gets unrolled)."""
    setattr(func, UNROLL_SAFE, True)
    return func


def look_inside_iff(predicate: Callable[..., bool]) -> Callable[[F], F]:
    """Trace into the function only when ``predicate(*args)`` is true on constant arguments.

    With any argument not constant at trace time the call stays residual.  The predicate is
    called with the same arguments as the function.
    """

    def decorate(func: F) -> F:
        setattr(func, LOOK_INSIDE_IFF, predicate)
        return func

    return decorate


def loop_invariant(func: F) -> F:
    """The function (of no arguments or constant ones) returns the same value on every iteration
    of a compiled loop; it is called once per loop entry instead of once per iteration."""
    setattr(func, LOOP_INVARIANT, True)
    return func


def we_are_jitted() -> bool:
    """True in code the JIT traced (and in the blackhole interpreter), False when interpreted."""
    return False


def isconstant(x: Any) -> bool:
    """True while tracing if ``x`` is a constant of the trace; always False when interpreted."""
    return False


def isvirtual(x: Any) -> bool:
    """True while tracing if ``x`` was allocated in the trace and has not escaped."""
    return False


def record_exact_class(x: Any, cls: type) -> None:
    """Tell the JIT that ``type(x) is cls`` holds here, without a guard.

    Outside the JIT this checks the claim, so a wrong hint fails loudly instead of silently.
    """
    if type(x) is not cls:
        raise AssertionError(
            "record_exact_class: expected an instance of %s, got %s"
            % (getattr(cls, "__name__", cls), type(x).__name__)
        )


def hint_attributes(func: Any) -> dict:
    """The hint decorators applied to ``func`` (for tools and error messages)."""
    names = {
        ELIDABLE: "elidable",
        DONT_LOOK_INSIDE: "dont_look_inside",
        UNROLL_SAFE: "unroll_safe",
        LOOK_INSIDE_IFF: "look_inside_iff",
        LOOP_INVARIANT: "loop_invariant",
    }
    out = {}
    for attr, label in names.items():
        value = getattr(func, attr, None)
        if value is not None:
            out[label] = value
    return out


ALL_HINTS = (
    jit_merge_point,
    can_enter_jit,
    promote,
    promote_string,
    we_are_jitted,
    isconstant,
    isvirtual,
    record_exact_class,
)
