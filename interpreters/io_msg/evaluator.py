"""Evaluation of message trees: the hot path of the interpreter.

Everything in this module is written in the Python subset the metatrace JIT can trace (no
comprehensions, closures, generators, f-strings ...).  The portals (functions decorated with
``@metatrace.jit``) are:

* ``run_body``: a method/block body; greens = the body message, so recursion can be compiled
  as a function portal.
* one portal per looping primitive (``while``, ``loop``, ``for``, ``repeat``, ``foreach`` ...):
  greens = the message trees of the loop (condition, body) and the slot names the loop writes;
  reds = the runtime values (the locals object, the counter, the collection, the result).

Message objects are the JIT's constants: their fields are quasi-immutable, so a program that
rewrites its code mid-loop invalidates the compiled loop instead of running stale code.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import metatrace
from metatrace import jit_merge_point, promote

from .objects import (OBJECT_ACTIVATION, BreakSignal, ContinueSignal, IoBlock, IoCFunction,
                      IoError, IoList, IoLocals, IoMessage, IoNumber, IoObject, ReturnSignal,
                      lookup, lookup_holder, set_slot)


class Singletons:
    """nil/true/false and the runtime; filled in by runtime.boot()."""

    # set once at boot, before anything runs: constants for the JIT (``depth`` is not)
    _immutable_fields_ = ("nil", "true", "false", "runtime", "max_depth")

    nil: Any = None
    true: Any = None
    false: Any = None
    runtime: Any = None
    depth = 0
    max_depth = 10000


S = Singletons

# the portals' JIT defaults: a method or block a traced loop calls is traced into, one level
# deep (docs/io.md); METATRACE_PARAMS=inlining=0 turns it off
JIT_PARAMS = {"inlining": 1}


def loc_of(m: Optional[IoMessage]) -> str:
    if m is None:
        return "<none>"
    return "%s:%d %s" % (m.label, m.line, m.name)


def _loc2(a: Any, b: Any) -> str:
    return loc_of(a if a is not None else b)


def _loc3(a: Any, b: Any, c: Any) -> str:
    return loc_of(c if c is not None else a)


@metatrace.unroll_safe
def eval_chain(m: Optional[IoMessage], target: Any, locals: Any) -> Any:
    """Evaluate a message chain sent to ``target`` with ``locals`` as the calling context."""
    result = target
    cur = target
    while m is not None:
        if m.is_eol:
            cur = target
        else:
            c = m.cached
            if c is not None:
                result = c
            else:
                result = send(cur, locals, m)
            cur = result
        m = m.next
    return result


def eval_arg(m: Optional[IoMessage], locals: Any) -> Any:
    """Evaluate an argument message in the sender's context (target = locals)."""
    if m is None:
        return S.nil
    c = m.cached
    if c is not None and m.next is None:
        return c
    return eval_chain(m, locals, locals)


def eval_arg_at(m: IoMessage, locals: Any, i: int) -> Any:
    args = m.args
    if i < len(args):
        return eval_arg(args[i], locals)
    return S.nil


def send(target: Any, locals: Any, m: IoMessage) -> Any:
    if type(target) is IoLocals:
        return send_to_locals(target, locals, m)
    v = lookup(target, m.name)
    if v is None:
        return S.runtime.send_missing(target, locals, m)
    return perform_value(v, target, locals, m)


# Python exceptions that mean "a primitive was given something it cannot handle" (a receiver
# of the wrong kind, a missing argument, an index out of range ...).  They become Io exceptions
# at the primitive call, so Io's try/catch sees them; anything else (the control-flow signals,
# RecursionError, the JIT's own exceptions) passes through untouched.
PRIM_FAULTS = (TypeError, AttributeError, LookupError, ValueError, ArithmeticError)


def call_prim(f: IoCFunction, target: Any, locals: Any, m: IoMessage) -> Any:
    """Run primitive ``f``; a Python fault inside it is raised as an Io exception naming it."""
    try:
        return f.fn(target, locals, m)
    except PRIM_FAULTS as e:
        raise S.runtime.primitive_fault(f, target, m, e)


def perform_value(v: Any, target: Any, locals: Any, m: IoMessage) -> Any:
    """What a message does once its slot's value ``v`` is found: a primitive or an activatable
    block runs (promoted, so its body is a constant in a trace), anything else is the answer."""
    t = type(v)
    if t is IoCFunction:
        v = promote(v)
        try:
            return v.fn(target, locals, m)
        except PRIM_FAULTS as e:
            raise S.runtime.primitive_fault(v, target, m, e)
    if t is IoBlock:
        if v.activatable:
            v = promote(v)
            return activate(v, target, locals, m, None)
    elif t is IoObject and OBJECT_ACTIVATION.enabled and v.map.activatable:
        return activate_object(v, target, locals, m)
    return v


def activate_object(v: Any, target: Any, locals: Any, m: IoMessage) -> Any:
    """A plain object made activatable, read from a slot: as C Io, its ``activate`` slot runs
    with the original receiver and message (the object itself when it has none)."""
    act = lookup(v, "activate")
    if act is None:
        return v
    holder = lookup_holder(v, "activate")
    t = type(act)
    if t is IoBlock and act.activatable:
        return activate(act, target, locals, m, holder)
    if t is IoCFunction:
        return call_prim(act, target, locals, m)
    return act


# Object's primitives by name, for messages a Locals object does not have itself.  A runtime
# fills a new table when it boots and never changes it after: a lookup in it is elidable (in a
# trace, the name and the table are constants, and the lookup is folded away).
LOCALS_PRIMS: Dict[str, Any] = {}


@metatrace.elidable
def locals_prim(table: Dict[str, Any], name: str) -> Any:
    return table.get(name)


@metatrace.unroll_safe
def send_to_locals(target: IoLocals, locals: Any, m: IoMessage) -> Any:
    """A message sent to a Locals object (a message with no explicit receiver inside a block):
    its own slots (arguments, local variables, self, call), then Object's primitives with the
    Locals as receiver (as C Io's Locals proto has them), else forwarded to ``self``."""
    name = m.name
    idx = promote(target.map).index_of(name)
    if idx >= 0:
        return perform_value(target.slots[idx], target, locals, m)
    if name == "call":
        return target.get_call()
    prim = locals_prim(LOCALS_PRIMS, name)
    if prim is not None:
        prim = promote(prim)
        try:
            return prim.fn(target, locals, m)
        except PRIM_FAULTS as e:
            raise S.runtime.primitive_fault(prim, target, m, e)
    return send(target.scope, locals, m)


@metatrace.unroll_safe
def activate(block: IoBlock, target: Any, sender: Any, m: IoMessage, slot_context: Any) -> Any:
    """Activate a method/block: bind arguments (evaluated eagerly, in the sender's context) in a
    fresh Locals object and run the body."""
    scope = block.scope
    if scope is None:
        scope = target
    slots = [scope]
    argnames = block.argnames
    args = m.args
    n = len(argnames)
    nargs = len(args)
    i = 0
    while i < n:
        if i < nargs:
            slots.append(eval_arg(args[i], sender))
        else:
            slots.append(S.nil)
        i += 1
    loc = IoLocals(block.locals_map, slots, scope, target, m, sender, block)
    loc.slot_context = slot_context
    body = block.body
    if body is None:
        return S.nil
    depth = S.depth + 1
    if depth > S.max_depth:
        raise IoError(None, "Stack overflow: Io recursion deeper than %d calls" % S.max_depth)
    S.depth = depth
    stopped = None
    try:
        result = run_body(body, loc)
        call = loc.call
        if call is None or call.stop is None:
            return result
        stopped = call
    except ReturnSignal as r:
        if block.pass_stops:
            raise
        return r.value
    except BreakSignal as b:
        if block.pass_stops:
            raise
        return b.value
    except ContinueSignal:
        if block.pass_stops:
            raise
        return S.nil
    except IoError as e:
        if len(e.frames) < 2000:
            e.frames.append((target, m))
        raise
    except RecursionError:
        e2 = IoError(None, "Stack overflow: Io recursion too deep (Python recursion limit "
                           "reached)")
        e2.frames.append((target, m))
        raise e2
    finally:
        S.depth = depth - 1
    # ``call setStopStatus(...)`` was used: the activation ends as the status says, which
    # acts on this method's caller (so the signal is raised outside the handlers above)
    stop_status_hook(stopped)
    return result


def stop_status_hook(call: Any) -> None:
    """Raise the break/continue/return that ``call setStopStatus(...)`` asked for."""
    from .prims_compat import raise_stop_status

    raise_stop_status(call)


def _body_location(body: IoMessage) -> str:
    return "method body at %s" % loc_of(body)


@metatrace.jit(greens=["body"], reds=["loc"], get_printable_location=_body_location,
               name="io_body", is_recursive=True, params=JIT_PARAMS)
def run_body(body: IoMessage, loc: IoLocals) -> Any:
    while True:
        jit_merge_point(body=body, loc=loc)
        return eval_chain(body, loc, loc)


def is_true(v: Any) -> bool:
    return v is not S.nil and v is not S.false


# ------------------------------------------------------------------------ loop portals


@metatrace.jit(greens=["cond", "body"], reds=["loc", "result"], get_printable_location=_loc2,
               name="io_while", params=JIT_PARAMS)
def while_loop(cond: IoMessage, body: Optional[IoMessage], loc: Any) -> Any:
    result = S.nil
    while True:
        jit_merge_point(cond=cond, body=body, loc=loc, result=result)
        c = eval_arg(cond, loc)
        if c is S.nil or c is S.false:
            break
        try:
            result = eval_arg(body, loc)
        except BreakSignal as b:
            result = b.value
            break
        except ContinueSignal:
            pass
    return result


@metatrace.jit(greens=["body"], reds=["loc", "result"], get_printable_location=loc_of,
               name="io_loop", params=JIT_PARAMS)
def loop_forever(body: IoMessage, loc: Any) -> Any:
    result = S.nil
    while True:
        jit_merge_point(body=body, loc=loc, result=result)
        try:
            result = eval_arg(body, loc)
        except BreakSignal as b:
            result = b.value
            break
        except ContinueSignal:
            pass
    return result


def _for_location(name: str, body: IoMessage) -> str:
    return "for(%s) %s" % (name, loc_of(body))


@metatrace.jit(greens=["name", "body"], reds=["loc", "i", "end", "step", "result"],
               get_printable_location=_for_location, name="io_for", params=JIT_PARAMS)
def for_loop(name: str, body: Optional[IoMessage], loc: Any, i: float, end: float,
             step: float) -> Any:
    result = S.nil
    while True:
        jit_merge_point(name=name, body=body, loc=loc, i=i, end=end, step=step, result=result)
        if step > 0.0:
            if i > end:
                break
        elif i < end:
            break
        set_slot(loc, name, IoNumber(i))
        try:
            result = eval_arg(body, loc)
        except BreakSignal as b:
            result = b.value
            break
        except ContinueSignal:
            pass
        i = i + step
    return result


def _repeat_location(name: Optional[str], body: IoMessage) -> str:
    return "repeat %s" % loc_of(body)


@metatrace.jit(greens=["name", "body"], reds=["loc", "i", "n", "result"],
               get_printable_location=_repeat_location, name="io_repeat", params=JIT_PARAMS)
def repeat_loop(name: Optional[str], body: Optional[IoMessage], loc: Any, n: float) -> Any:
    result = S.nil
    i = 0.0
    while True:
        jit_merge_point(name=name, body=body, loc=loc, i=i, n=n, result=result)
        if i >= n:
            break
        if name is not None:
            set_slot(loc, name, IoNumber(i))
        try:
            result = eval_arg(body, loc)
        except BreakSignal as b:
            result = b.value
            break
        except ContinueSignal:
            pass
        i = i + 1.0
    return result


def _foreach_location(iname: Optional[str], vname: str, body: IoMessage) -> str:
    return "foreach(%s) %s" % (vname, loc_of(body))


@metatrace.jit(greens=["iname", "vname", "body"], reds=["loc", "lst", "i", "result"],
               get_printable_location=_foreach_location, name="io_foreach", params=JIT_PARAMS)
def list_foreach(iname: Optional[str], vname: str, body: Optional[IoMessage], loc: Any,
                 lst: IoList) -> Any:
    result = S.nil
    i = 0
    while True:
        jit_merge_point(iname=iname, vname=vname, body=body, loc=loc, lst=lst, i=i,
                        result=result)
        if i >= len(lst.items):
            break
        if iname is not None:
            set_slot(loc, iname, IoNumber(float(i)))
        set_slot(loc, vname, lst.items[i])
        try:
            result = eval_arg(body, loc)
        except BreakSignal as b:
            result = b.value
            break
        except ContinueSignal:
            pass
        i += 1
    return result


def _send_each_location(body: IoMessage) -> str:
    return "foreach %s" % loc_of(body)


@metatrace.jit(greens=["body"], reds=["loc", "lst", "i", "result"],
               get_printable_location=_send_each_location, name="io_foreach_send", params=JIT_PARAMS)
def list_send_each(body: IoMessage, loc: Any, lst: IoList) -> Any:
    """``list foreach(message)``: send the message to every element."""
    result = S.nil
    i = 0
    while True:
        jit_merge_point(body=body, loc=loc, lst=lst, i=i, result=result)
        if i >= len(lst.items):
            break
        try:
            result = eval_chain(body, lst.items[i], loc)
        except BreakSignal as b:
            result = b.value
            break
        except ContinueSignal:
            pass
        i += 1
    return result
