"""The blackhole interpreter: runs jitcode on concrete values, recording nothing.

It finishes an interpreter iteration after a guard failed or a trace was aborted: the frames
come from resume data (or from the tracer's frames), and it runs until the portal frame reaches
its merge point again, returns, or lets an exception escape the loop.  Calls it makes go to the
real Python functions at CPython speed; only the frames it was given are interpreted.
"""

from __future__ import annotations

from time import perf_counter as _clock
from typing import Any, List, Optional, Tuple

from .. import hints
from ..annotate.jitcode import UNBOUND
from . import semantics as sem


class BHFrame:
    __slots__ = ("jitcode", "func", "pc", "regs", "override")

    def __init__(self, jitcode: Any, func: Any, pc: int, regs: List[Any], override: Any = None,
                 has_override: bool = False) -> None:
        self.jitcode = jitcode
        self.func = func
        self.pc = pc
        self.regs = regs
        self.override = (override,) if has_override else None


class Outcome:
    """How blackholing (or tracing) ended: ``kind`` is ``continue`` (``values`` = greens + reds
    at the merge point), ``return`` (``value``) or ``raise`` (``value`` = the exception)."""

    __slots__ = ("kind", "value", "values")

    def __init__(self, kind: str, value: Any = None, values: Tuple[Any, ...] = ()) -> None:
        self.kind = kind
        self.value = value
        self.values = values

    def __repr__(self) -> str:
        return "Outcome(%s, %r, %r)" % (self.kind, self.value, self.values)


class _Escape(Exception):
    pass


def run(frames: List[BHFrame], mode: str = "redo", result: Any = None,
        exc: Optional[BaseException] = None, resumed: Optional[List[float]] = None) -> Outcome:
    """Run ``frames`` (outermost = the portal frame first) to the next merge point.  The
    seconds spent in the calls it makes (functions it does not interpret, inner portal calls
    run by the portal's second entry) are added to ``resumed[0]``: that is the program
    running, not the blackhole interpreter."""
    bh = Blackhole(frames, resumed)
    if mode == "done":
        top = frames[-1]
        if exc is not None:
            out = bh.raise_in(exc)
            if out is not None:
                return out
        else:
            bh.store_result(top, result)
            top.pc += 1
    elif len(frames) == 1 and frames[0].pc == frames[0].jitcode.merge_point_pc:
        # a guard hoisted in front of the loop failed: run this iteration here rather than
        # stop at once at the same merge point, which would enter the same code again
        frames[0].pc += 1
    return bh.loop()


class Blackhole:
    def __init__(self, frames: List[BHFrame], resumed: Optional[List[float]] = None) -> None:
        self.frames = frames
        self.resumed = resumed if resumed is not None else [0.0]

    def store_result(self, frame: BHFrame, value: Any) -> None:
        ins = frame.jitcode.code[frame.pc]
        op = ins[0]
        if op == "unpack":
            for r, v in zip(ins[1], value):
                frame.regs[r] = v
        elif op in ("call", "callmeth", "getattr", "getitem", "binop", "inplace", "unop",
                    "compare", "getglobal", "getderef", "getiter", "build_dict", "build_set",
                    "build_slice", "exc_match", "move", "build_tuple", "build_list"):
            frame.regs[ins[1]] = value
        elif op == "for_iter":
            if sem.is_exhausted(value):
                frame.pc = ins[3] - 1
            else:
                frame.regs[ins[1]] = value
        elif op == "range_check":
            frame.regs[ins[1]], frame.regs[ins[2]] = value
        # setattr/setitem/delitem have no result

    def raise_in(self, exc: BaseException) -> Optional[Outcome]:
        """Propagate ``exc`` from the top frame's current pc; an Outcome if it leaves the loop."""
        frames = self.frames
        while True:
            frame = frames[-1]
            jc = frame.jitcode
            h = jc.handler_for(frame.pc)
            if len(frames) == 1 and jc.merge_point_pc >= 0 and h == jc.handler_for(jc.merge_point_pc):
                return Outcome("raise", exc)
            if h is not None:
                frame.regs[h[1]] = exc
                frame.pc = h[0]
                return None
            frames.pop()
            if not frames:
                return Outcome("raise", exc)

    def do_return(self, value: Any) -> Optional[Outcome]:
        frames = self.frames
        frame = frames.pop()
        if frame.override is not None:
            value = frame.override[0]
        if not frames:
            return Outcome("return", value)
        parent = frames[-1]
        self.store_result(parent, value)
        parent.pc += 1
        return None

    def loop(self) -> Outcome:
        while True:
            frame = self.frames[-1]
            try:
                out = self.run_frame(frame)
            except _Escape:
                raise
            except BaseException as e:  # noqa: B036 - interpreted code may raise anything
                out = self.raise_in(e)
            if out is not None:
                return out

    def run_frame(self, frame: BHFrame) -> Optional[Outcome]:
        """Run ``frame`` until it calls into an interpreted frame, returns or hits the merge
        point; exceptions propagate to :meth:`loop` with ``frame.pc`` at the raising instruction."""
        code = frame.jitcode.code
        regs = frame.regs
        func = frame.func
        depth0 = len(self.frames) == 1
        while True:
            ins = code[frame.pc]
            op = ins[0]
            if op == "move":
                regs[ins[1]] = regs[ins[2]]
            elif op == "binop":
                regs[ins[1]] = sem.BINOP[ins[2]](regs[ins[3]], regs[ins[4]])
            elif op == "compare":
                regs[ins[1]] = sem.COMPARE[ins[2]](regs[ins[3]], regs[ins[4]])
            elif op == "goto":
                frame.pc = ins[1]
                continue
            elif op == "goto_if_not":
                if not regs[ins[1]]:
                    frame.pc = ins[2]
                    continue
            elif op == "goto_if":
                if regs[ins[1]]:
                    frame.pc = ins[2]
                    continue
            elif op == "getattr":
                regs[ins[1]] = getattr(regs[ins[2]], ins[3])
            elif op == "setattr":
                setattr(regs[ins[1]], ins[2], regs[ins[3]])
            elif op == "getitem":
                regs[ins[1]] = regs[ins[2]][regs[ins[3]]]
            elif op == "setitem":
                regs[ins[1]][regs[ins[2]]] = regs[ins[3]]
            elif op == "call":
                f = regs[ins[2]]
                if f is hints.we_are_jitted:
                    regs[ins[1]] = True
                else:
                    t0 = _clock()
                    try:
                        regs[ins[1]] = sem.call(f, tuple(regs[r] for r in ins[3]), ins[4])
                    finally:
                        self.resumed[0] += _clock() - t0
            elif op == "callmeth":
                t0 = _clock()
                try:
                    regs[ins[1]] = sem.call_method(regs[ins[2]], ins[3], tuple(regs[r] for r in ins[4]), ins[5])
                finally:
                    self.resumed[0] += _clock() - t0
            elif op == "inplace":
                regs[ins[1]] = sem.INPLACE[ins[2]](regs[ins[3]], regs[ins[4]])
            elif op == "unop":
                regs[ins[1]] = sem.UNOP[ins[2]](regs[ins[3]])
            elif op == "getglobal":
                regs[ins[1]] = sem.load_global(func, ins[2])
            elif op == "getderef":
                regs[ins[1]] = sem.load_deref(func, ins[2])
            elif op == "return":
                return self.do_return(regs[ins[1]])
            elif op == "raise":
                raise sem.make_exception(regs[ins[1]])
            elif op == "merge_point":
                jc = frame.jitcode
                state = tuple(regs[r] for r in jc.green_regs + jc.red_regs)
                if depth0:
                    return Outcome("continue", values=state)
                # an inlined portal call: hand the rest of it to the portal's second entry, which
                # runs at CPython speed (with the JIT), then continue the caller with its result
                self.frames.pop()
                t0 = _clock()
                try:
                    value = jc.portal_runtime.resume_entry(*state)
                finally:
                    self.resumed[0] += _clock() - t0
                parent = self.frames[-1]
                self.store_result(parent, value)
                parent.pc += 1
                return None
            elif op == "build_tuple":
                regs[ins[1]] = tuple([regs[r] for r in ins[2]])
            elif op == "build_list":
                regs[ins[1]] = [regs[r] for r in ins[2]]
            elif op == "build_dict":
                regs[ins[1]] = sem.build_dict(*[regs[r] for r in ins[2]])
            elif op == "build_set":
                regs[ins[1]] = {regs[r] for r in ins[2]}
            elif op == "build_slice":
                regs[ins[1]] = slice(regs[ins[2]], regs[ins[3]], regs[ins[4]])
            elif op == "unpack":
                for r, v in zip(ins[1], sem.unpack(regs[ins[2]], len(ins[1]))):
                    regs[r] = v
            elif op == "delitem":
                del regs[ins[1]][regs[ins[2]]]
            elif op == "exc_match":
                regs[ins[1]] = sem.exc_match(regs[ins[2]], regs[ins[3]])
            elif op == "getiter":
                regs[ins[1]] = iter(regs[ins[2]])
            elif op == "for_iter":
                v = sem.for_next(regs[ins[2]])
                if sem.is_exhausted(v):
                    frame.pc = ins[3]
                    continue
                regs[ins[1]] = v
            elif op == "range_check":
                regs[ins[1]], regs[ins[2]] = sem.range_check(regs[ins[1]], regs[ins[2]], regs[ins[3]])
            elif op == "check_bound":
                if regs[ins[1]] is UNBOUND:
                    raise sem.unbound_local(ins[2])
            elif op in ("can_enter_jit", "nop"):
                pass
            else:
                raise AssertionError("blackhole: unknown jitcode op %r" % op)
            frame.pc += 1
