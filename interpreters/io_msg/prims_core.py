"""Object primitives: cloning, slots, protos, control flow, printing, evaluation."""

from __future__ import annotations

import copy
import os
from typing import Any, List, Optional

import metatrace

from . import evaluator as ev
from .evaluator import S, eval_arg, eval_arg_at, eval_chain, is_true
from .objects import (BreakSignal, ContinueSignal, IoBlock, IoCall, IoCFunction, IoCoroutine,
                      IoError, IoList, IoLocals, IoMap, IoMessage, IoNumber, IoObject, IoSeq,
                      ReturnSignal, get_own_slot, lookup, lookup_after, mark_proto,
                      OBJECT_ACTIVATION, protos_of, remove_slot, root_map, set_map,
                      set_protos, set_slot)
from .runtime import format_number, prim

# ---------------------------------------------------------------------------- cloning


def raw_clone(target: Any) -> Any:
    """A new object whose only proto is ``target``, carrying over the primitive payload."""
    mark_proto(target)
    newmap = root_map((target,))
    t = type(target)
    if t is IoObject or t is IoLocals:
        if target.map.activatable:
            newmap = root_map((target,), True)  # as C Io, a clone is activatable too
        return IoObject(newmap, [])
    if t is IoNumber:
        n = IoNumber(target.value)
        n.map = newmap
        return n
    if t is IoSeq:
        s = IoSeq(target.value, target.mutable)
        s.map = newmap
        return s
    if t is IoList:
        return IoList(list(target.items), newmap)
    if t is IoMap:
        return IoMap(dict(target.items), newmap)
    if t is IoBlock:
        b = IoBlock(target.body, list(target.argnames), target.scope, target.is_method, newmap)
        b.activatable = target.activatable
        b.pass_stops = target.pass_stops
        return b
    if t is IoMessage:
        from .prims_misc import copy_message

        c = copy_message(target, True)
        return c
    obj = t.__new__(t)
    for cls in t.__mro__:
        for name in getattr(cls, "__slots__", ()):
            if name == "__weakref__":
                continue
            if hasattr(target, name):
                setattr(obj, name, copy.copy(getattr(target, name)))
    obj.map = newmap
    obj.slots = []
    return obj


INIT_MSG = IoMessage("init", [], 0, "[internal]")


@prim("Object", "clone")
def obj_clone(target: Any, loc: Any, m: IoMessage) -> Any:
    new = raw_clone(target)
    ev.send(new, new, INIT_MSG)
    return new


@prim("Object", "cloneWithoutInit")
def obj_clone_without_init(target: Any, loc: Any, m: IoMessage) -> Any:
    return raw_clone(target)


@prim("Object", "init", "thisContext", "self")
def obj_self(target: Any, loc: Any, m: IoMessage) -> Any:
    return target


@prim("Object", "shallowCopy")
def obj_shallow_copy(target: Any, loc: Any, m: IoMessage) -> Any:
    new = raw_clone(target)
    for name in target.map.names:
        set_slot(new, name, get_own_slot(target, name))
    return new


# ---------------------------------------------------------------------------- slots


def _name_arg(target: Any, loc: Any, m: IoMessage, i: int) -> str:
    return S.runtime.str_arg(target, loc, m, i)


@prim("Object", "setSlot")
def obj_set_slot(target: Any, loc: Any, m: IoMessage) -> Any:
    name = _name_arg(target, loc, m, 0)
    v = eval_arg_at(m, loc, 1)
    set_slot(target, name, v)
    return v


@prim("Object", "setSlotWithType")
def obj_set_slot_with_type(target: Any, loc: Any, m: IoMessage) -> Any:
    name = _name_arg(target, loc, m, 0)
    v = eval_arg_at(m, loc, 1)
    set_slot(target, name, v)
    if type(v) in (IoObject, IoList, IoMap) and v.map.index_of("type") < 0:
        set_slot(v, "type", IoSeq(name))
    return v


@prim("Object", "updateSlot")
@metatrace.unroll_safe  # the walk up the Locals chain is short and fixed at a call site
def obj_update_slot(target: Any, loc: Any, m: IoMessage) -> Any:
    name = _name_arg(target, loc, m, 0)
    v = eval_arg_at(m, loc, 1)
    obj = target
    while True:
        # maps are shared hidden classes: promoted, the lookup folds to a constant index
        if metatrace.promote(obj.map).index_of(name) >= 0:
            set_slot(obj, name, v)
            return v
        if type(obj) is IoLocals:
            obj = obj.scope
            continue
        break
    if lookup(obj, name) is None:
        raise S.runtime.error("Slot %s not found. Must define slot using := operator before "
                              "updating." % name, target, m)
    set_slot(obj, name, v)
    return v


@prim("Object", "newSlot")
def obj_new_slot(target: Any, loc: Any, m: IoMessage) -> Any:
    name = _name_arg(target, loc, m, 0)
    v = eval_arg_at(m, loc, 1)
    set_slot(target, name, v)
    setter = "set" + name[:1].upper() + name[1:]
    # method(v, self setSlot("name", v); self)
    body = IoMessage("self", [], m.line, m.label)
    body.next = IoMessage("setSlot", [IoMessage('"%s"' % name, [], m.line, m.label,
                                                IoSeq(name)),
                                      IoMessage(name, [], m.line, m.label)], m.line, m.label)
    body.next.next = IoMessage(";", [], m.line, m.label)
    body.next.next.next = IoMessage("self", [], m.line, m.label)
    set_slot(target, setter, IoBlock(body, [name], None, True))
    return v


@prim("Object", "getSlot")
def obj_get_slot(target: Any, loc: Any, m: IoMessage) -> Any:
    v = lookup(target, _name_arg(target, loc, m, 0))
    return S.nil if v is None else v


@prim("Object", "getLocalSlot")
def obj_get_local_slot(target: Any, loc: Any, m: IoMessage) -> Any:
    v = get_own_slot(target, _name_arg(target, loc, m, 0))
    return S.nil if v is None else v


@prim("Object", "hasSlot")
def obj_has_slot(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(lookup(target, _name_arg(target, loc, m, 0)) is not None)


@prim("Object", "hasLocalSlot")
def obj_has_local_slot(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(target.map.index_of(_name_arg(target, loc, m, 0)) >= 0)


@prim("Object", "respondsTo")
def obj_responds_to(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(lookup(target, _name_arg(target, loc, m, 0)) is not None)


@prim("Object", "removeSlot")
def obj_remove_slot(target: Any, loc: Any, m: IoMessage) -> Any:
    remove_slot(target, _name_arg(target, loc, m, 0))
    return target


@prim("Object", "slotNames")
def obj_slot_names(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList([IoSeq(n) for n in target.map.names])


@prim("Object", "slotValues")
def obj_slot_values(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList([get_own_slot(target, n) for n in target.map.names])


@prim("Object", "protos")
def obj_protos(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList(protos_of(target))


@prim("Object", "proto")
def obj_proto(target: Any, loc: Any, m: IoMessage) -> Any:
    ps = protos_of(target)
    return ps[0] if ps else S.nil


@prim("Object", "setProto")
def obj_set_proto(target: Any, loc: Any, m: IoMessage) -> Any:
    set_protos(target, [eval_arg_at(m, loc, 0)])
    return target


@prim("Object", "appendProto")
def obj_append_proto(target: Any, loc: Any, m: IoMessage) -> Any:
    set_protos(target, protos_of(target) + [eval_arg_at(m, loc, 0)])
    return target


@prim("Object", "prependProto")
def obj_prepend_proto(target: Any, loc: Any, m: IoMessage) -> Any:
    set_protos(target, [eval_arg_at(m, loc, 0)] + protos_of(target))
    return target


@prim("Object", "removeProto")
def obj_remove_proto(target: Any, loc: Any, m: IoMessage) -> Any:
    p = eval_arg_at(m, loc, 0)
    set_protos(target, [x for x in protos_of(target) if x is not p])
    return target


@prim("Object", "removeAllProtos")
def obj_remove_all_protos(target: Any, loc: Any, m: IoMessage) -> Any:
    set_protos(target, [])
    return target


@prim("Object", "setProtos")
def obj_set_protos(target: Any, loc: Any, m: IoMessage) -> Any:
    lst = S.runtime.list_arg(target, loc, m, 0)
    set_protos(target, list(lst.items))
    return target


def is_kind_of(obj: Any, proto: Any) -> bool:
    seen = set()
    stack = [obj]
    while stack:
        o = stack.pop()
        if o is proto:
            return True
        if id(o) in seen:
            continue
        seen.add(id(o))
        stack.extend(reversed(protos_of(o)))
    return False


@prim("Object", "isKindOf")
def obj_is_kind_of(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(is_kind_of(target, eval_arg_at(m, loc, 0)))


# ---------------------------------------------------------------------------- comparison


def compare(a: Any, b: Any) -> int:
    ta = type(a)
    if ta is IoNumber and type(b) is IoNumber:
        x, y = a.value, b.value
        return 0 if x == y else (-1 if x < y else 1)
    if ta is IoSeq and type(b) is IoSeq:
        x, y = a.value, b.value
        return 0 if x == y else (-1 if x < y else 1)
    if ta is IoList and type(b) is IoList:
        # as C Io's IoList_compare: the shorter list first, then item by item
        n, k = len(a.items), len(b.items)
        if n != k:
            return -1 if n < k else 1
        for x, y in zip(a.items, b.items):
            c = compare(x, y)
            if c:
                return c
        return 0
    if a is b:
        return 0
    if ta is IoNumber or ta is IoSeq:
        # values of different kinds: order by kind name then identity (C Io: by pointer)
        return -1
    if type(b) is IoNumber or type(b) is IoSeq:
        return 1
    return -1 if id(a) < id(b) else 1


def io_compare(a: Any, b: Any) -> int:
    """compare, honouring an Io-level ``compare`` method on plain objects (used by sort)."""
    ta = type(a)
    if ta is IoNumber or ta is IoSeq or ta is IoList:
        return compare(a, b)
    c = lookup(a, "compare")
    if type(c) is IoBlock:
        r = S.runtime.send_name(a, "compare", b)
        if type(r) is IoNumber:
            return int(r.value)
    return compare(a, b)


def equals(a: Any, b: Any) -> bool:
    if a is b:
        return True
    ta = type(a)
    if ta is IoNumber:
        return type(b) is IoNumber and a.value == b.value
    if ta is IoSeq:
        return type(b) is IoSeq and a.value == b.value
    if ta is IoList and type(b) is IoList:
        if len(a.items) != len(b.items):
            return False
        for x, y in zip(a.items, b.items):
            if not io_equals(x, y):
                return False
        return True
    return False


def io_equals(a: Any, b: Any) -> bool:
    """``==`` as Io sees it: honours user-defined ``==`` on plain objects."""
    if type(a) is IoObject:
        eq = lookup(a, "==")
        if type(eq) is IoBlock:
            return is_true(S.runtime.send_name(a, "==", b))
    return equals(a, b)


@prim("Object", "==")
def obj_eq(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.true if equals(target, eval_arg_at(m, loc, 0)) else S.false


@prim("Object", "!=")
def obj_ne(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.false if equals(target, eval_arg_at(m, loc, 0)) else S.true


@prim("Object", "isIdenticalTo")
def obj_identical(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(target is eval_arg_at(m, loc, 0))


@prim("Object", "compare")
def obj_compare(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(compare(target, eval_arg_at(m, loc, 0))))


@prim("Object", "<")
def obj_lt(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(io_compare(target, eval_arg_at(m, loc, 0)) < 0)


@prim("Object", ">")
def obj_gt(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(io_compare(target, eval_arg_at(m, loc, 0)) > 0)


@prim("Object", "<=")
def obj_le(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(io_compare(target, eval_arg_at(m, loc, 0)) <= 0)


@prim("Object", ">=")
def obj_ge(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(io_compare(target, eval_arg_at(m, loc, 0)) >= 0)


@prim("Object", "-")
def obj_negative(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(-S.runtime.num_arg(target, loc, m, 0))


@prim("Object", "uniqueId")
def obj_unique_id(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(id(target)))


# ---------------------------------------------------------------------------- evaluation


@prim("Object", "", "evalArg")
def obj_paren(target: Any, loc: Any, m: IoMessage) -> Any:
    return eval_arg_at(m, loc, 0)


@prim("Object", "evalArgAndReturnSelf")
def obj_eval_arg_return_self(target: Any, loc: Any, m: IoMessage) -> Any:
    eval_arg_at(m, loc, 0)
    return target


@prim("Object", "evalArgAndReturnNil")
def obj_eval_arg_return_nil(target: Any, loc: Any, m: IoMessage) -> Any:
    eval_arg_at(m, loc, 0)
    return S.nil


@prim("Object", "do")
def obj_do(target: Any, loc: Any, m: IoMessage) -> Any:
    if m.args:
        eval_chain(m.args[0], target, target)
    return target


@prim("Object", "lexicalDo")
def obj_lexical_do(target: Any, loc: Any, m: IoMessage) -> Any:
    set_protos(target, protos_of(target) + [loc])
    try:
        if m.args:
            eval_chain(m.args[0], target, target)
    finally:
        set_protos(target, [p for p in protos_of(target) if p is not loc])
    return target


@prim("Object", "doMessage")
def obj_do_message(target: Any, loc: Any, m: IoMessage) -> Any:
    msg = eval_arg_at(m, loc, 0)
    if type(msg) is not IoMessage:
        raise S.runtime.arg_type_error(target, m, 0, "Message", msg)
    ctx = eval_arg_at(m, loc, 1) if len(m.args) > 1 else target
    return eval_chain(msg, target, ctx)


@prim("Object", "doString")
def obj_do_string(target: Any, loc: Any, m: IoMessage) -> Any:
    src = S.runtime.str_arg(target, loc, m, 0)
    label = S.runtime.str_arg(target, loc, m, 1) if len(m.args) > 1 else "doString"
    return S.runtime.do_string(src, target, label)


@prim("Object", "doFile")
def obj_do_file(target: Any, loc: Any, m: IoMessage) -> Any:
    path = S.runtime.str_arg(target, loc, m, 0)
    return S.runtime.do_file(path, target)


@prim("Object", "doRelativeFile")
def obj_do_relative_file(target: Any, loc: Any, m: IoMessage) -> Any:
    path = S.runtime.str_arg(target, loc, m, 0)
    base = os.path.dirname(m.label) if m.label else ""
    return S.runtime.do_file(os.path.join(base, path), target)


def _args_as_messages(values: List[Any], m: IoMessage) -> List[IoMessage]:
    return [IoMessage("<arg>", [], m.line, m.label, v) for v in values]


@prim("Object", "perform")
def obj_perform(target: Any, loc: Any, m: IoMessage) -> Any:
    first = eval_arg_at(m, loc, 0)
    if type(first) is IoMessage:
        return ev.send(target, loc, first)
    if type(first) is not IoSeq:
        raise S.runtime.arg_type_error(target, m, 0, "Sequence", first)
    vals = [eval_arg(a, loc) for a in m.args[1:]]
    msg = IoMessage(first.value, _args_as_messages(vals, m), m.line, m.label)
    return ev.send(target, loc, msg)


@prim("Object", "performWithArgList")
def obj_perform_with_arg_list(target: Any, loc: Any, m: IoMessage) -> Any:
    name = S.runtime.str_arg(target, loc, m, 0)
    lst = S.runtime.list_arg(target, loc, m, 1)
    msg = IoMessage(name, _args_as_messages(list(lst.items), m), m.line, m.label)
    return ev.send(target, loc, msg)


@prim("Object", "?")
def obj_if_responds(target: Any, loc: Any, m: IoMessage) -> Any:
    if not m.args:
        return S.nil
    msg = m.args[0]
    if lookup(target, msg.name) is None:
        return S.nil
    return eval_chain(msg, target, loc)


@prim("Object", "method")
def obj_method(target: Any, loc: Any, m: IoMessage) -> Any:
    return _make_block(m, None, True)


@prim("Object", "block")
def obj_block(target: Any, loc: Any, m: IoMessage) -> Any:
    return _make_block(m, loc, False)


def _make_block(m: IoMessage, scope: Any, is_method: bool) -> IoBlock:
    args = m.args
    names = []
    for a in args[:-1]:
        if a.args or a.next is not None or a.cached is not None:
            raise S.runtime.error("argument names of %s must be simple names, got '%s'"
                                  % ("method" if is_method else "block", a.name), None, m)
        names.append(a.name)
    body = args[-1] if args else None
    return IoBlock(body, names, scope, is_method)


@prim("Object", "message")
def obj_message(target: Any, loc: Any, m: IoMessage) -> Any:
    if not m.args:
        return S.nil
    return m.args[0]


# ---------------------------------------------------------------------------- control flow


@prim("Object", "if")
def obj_if(target: Any, loc: Any, m: IoMessage) -> Any:
    c = is_true(eval_arg_at(m, loc, 0))
    idx = 1 if c else 2
    if idx < len(m.args):
        return eval_arg(m.args[idx], loc)
    return S.true if c else S.false


@prim("Object", "while")
def obj_while(target: Any, loc: Any, m: IoMessage) -> Any:
    args = m.args
    if not args:
        return S.nil
    return ev.while_loop(args[0], args[1] if len(args) > 1 else None, loc)


@prim("Object", "loop")
def obj_loop(target: Any, loc: Any, m: IoMessage) -> Any:
    if not m.args:
        return S.nil
    return ev.loop_forever(m.args[0], loc)


@prim("Object", "for")
def obj_for(target: Any, loc: Any, m: IoMessage) -> Any:
    args = m.args
    rt = S.runtime
    if len(args) < 4:
        raise rt.error("for() requires at least 4 arguments: for(name, start, end, [step,] "
                       "body)", target, m)
    name = args[0].name
    start = rt.num_arg(target, loc, m, 1)
    end = rt.num_arg(target, loc, m, 2)
    step = 1.0
    body = args[3]
    if len(args) > 4:
        step = rt.num_arg(target, loc, m, 3)
        body = args[4]
    if step == 0.0:
        raise rt.error("for() step must not be 0", target, m)
    if start != start or end != end or step != step:
        return S.nil  # a NaN bound or step: no iterations, as C's "i <= end" gives
    return ev.for_loop(name, body, loc, start, end, step)


@prim("Object", "break")
def obj_break(target: Any, loc: Any, m: IoMessage) -> Any:
    raise BreakSignal(eval_arg_at(m, loc, 0))


@prim("Object", "continue")
def obj_continue(target: Any, loc: Any, m: IoMessage) -> Any:
    raise ContinueSignal()


@prim("Object", "return")
def obj_return(target: Any, loc: Any, m: IoMessage) -> Any:
    raise ReturnSignal(eval_arg_at(m, loc, 0))


@prim("Object", "and")
def obj_and(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.true if is_true(eval_arg_at(m, loc, 0)) else S.false


@prim("Object", "or")
def obj_or(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.true


@prim("Object", "not")
def obj_not(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.false


@prim("Object", "isTrue")
def obj_is_true(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.true


@prim("Object", "isNil")
def obj_is_nil(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.false


@prim("Object", "ifNil")
def obj_if_nil(target: Any, loc: Any, m: IoMessage) -> Any:
    return target


@prim("Object", "ifNonNil")
def obj_if_non_nil(target: Any, loc: Any, m: IoMessage) -> Any:
    eval_arg_at(m, loc, 0)
    return target


@prim("Object", "ifNilEval")
def obj_if_nil_eval(target: Any, loc: Any, m: IoMessage) -> Any:
    return target


@prim("Object", "ifNonNilEval")
def obj_if_non_nil_eval(target: Any, loc: Any, m: IoMessage) -> Any:
    return eval_arg_at(m, loc, 0)


@prim("Object", "try")
def obj_try(target: Any, loc: Any, m: IoMessage) -> Any:
    try:
        if m.args:
            eval_chain(m.args[0], loc, loc)
    except IoError as e:
        return S.runtime.exception_of(e)
    except RecursionError:
        return S.runtime.make_exception("Stack overflow: Io recursion too deep (Python "
                                        "recursion limit reached)")
    return S.nil


@prim("Object", "rawRaise")
def obj_raw_raise(target: Any, loc: Any, m: IoMessage) -> Any:
    e = eval_arg_at(m, loc, 0)
    err = IoError(e)
    raise err


def _current_holder(loc: IoLocals) -> Any:
    """The object whose slot holds the running method (for resend/super/slotContext)."""
    block = loc.block
    name = loc.message.name
    seen = set()
    stack = [loc.target]
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        if get_own_slot(o, name) is block:
            return o
        stack.extend(reversed(protos_of(o)))
    return None


def _method_locals(loc: Any) -> Optional[IoLocals]:
    while type(loc) is IoLocals:
        if loc.block is not None and loc.block.is_method:
            return loc
        loc = loc.scope
    return None


@prim("Object", "resend")
def obj_resend(target: Any, loc: Any, m: IoMessage) -> Any:
    mloc = _method_locals(target)
    if mloc is None:
        raise S.runtime.error("resend called outside of a method", target, m)
    holder = _current_holder(mloc)
    name = mloc.message.name
    v, h = lookup_after(holder if holder is not None else mloc.target, name)
    if v is None:
        raise S.runtime.error("resend: no '%s' found in the protos" % name, target, m)
    if type(v) is IoBlock and v.activatable:
        return ev.activate(v, mloc.target, mloc.sender, mloc.message, None)
    if type(v) is IoCFunction:
        return ev.call_prim(v, mloc.target, mloc.sender, mloc.message)
    return v


@prim("Object", "super")
def obj_super(target: Any, loc: Any, m: IoMessage) -> Any:
    if not m.args:
        return S.nil
    msg = m.args[0]
    mloc = _method_locals(target)
    self_obj = mloc.target if mloc is not None else target
    holder = _current_holder(mloc) if mloc is not None else None
    v, h = lookup_after(holder if holder is not None else self_obj, msg.name)
    if v is None:
        raise S.runtime.error("super: no '%s' found in the protos" % msg.name, target, m)
    if type(v) is IoBlock and v.activatable:
        r = ev.activate(v, self_obj, loc, msg, None)
    elif type(v) is IoCFunction:
        r = ev.call_prim(v, self_obj, loc, msg)
    else:
        r = v
    if msg.next is not None:
        return eval_chain(msg.next, r, loc)
    return r


# ---------------------------------------------------------------------------- printing


def short_description(v: Any) -> str:
    rt = S.runtime
    t = type(v)
    if t is IoSeq:
        return '"%s"' % v.value
    if t is IoNumber:
        return format_number(v.value)
    if t is IoBlock:
        return "method(...)" if v.scope is None else "block(...)"
    if t is IoCFunction:
        return "%s_%s()" % (v.owner, v.name)
    if v is S.nil or v is S.true or v is S.false:
        return rt.as_string(v)
    return simple_string(v)


def simple_string(v: Any) -> str:
    return "%s_0x%x" % (S.runtime.type_name(v), id(v))


@prim("Object", "asSimpleString")
def obj_as_simple_string(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq(simple_string(target))


@prim("Object", "asString")
def obj_as_string(target: Any, loc: Any, m: IoMessage) -> Any:
    lines = [" %s:" % simple_string(target)]
    if type(target) is not IoLocals:
        for name in sorted(target.map.names):
            lines.append("  %-16s = %s" % (name, short_description(get_own_slot(target, name))))
    return IoSeq("\n".join(lines) + "\n")


@prim("Object", "print")
def obj_print(target: Any, loc: Any, m: IoMessage) -> Any:
    S.runtime.write(S.runtime.as_string(target))
    return target


@prim("Object", "println")
def obj_println(target: Any, loc: Any, m: IoMessage) -> Any:
    S.runtime.write(S.runtime.as_string(target) + "\n")
    return target


@prim("Object", "write")
def obj_write(target: Any, loc: Any, m: IoMessage) -> Any:
    rt = S.runtime
    for a in m.args:
        rt.write(rt.as_string(eval_arg(a, loc)))
    return S.nil


@prim("Object", "writeln")
def obj_writeln(target: Any, loc: Any, m: IoMessage) -> Any:
    rt = S.runtime
    parts = []
    for a in m.args:
        parts.append(rt.as_string(eval_arg(a, loc)))
    rt.write("".join(parts) + "\n")
    return S.nil


@prim("Object", "list")
def obj_list(target: Any, loc: Any, m: IoMessage) -> Any:
    items = []
    for a in m.args:
        items.append(eval_arg(a, loc))
    return IoList(items)


@prim("Object", "isActivatable")
def obj_is_activatable(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(type(target) is IoCFunction or
                          (type(target) is IoBlock and target.activatable) or
                          (type(target) is IoObject and target.map.activatable))


@prim("Object", "setIsActivatable")
def obj_set_is_activatable(target: Any, loc: Any, m: IoMessage) -> Any:
    """A block: whether it runs when read from a slot.  A plain object: whether, read from a
    slot, it runs its ``activate`` slot instead (with the reader as ``self``)."""
    v = is_true(eval_arg_at(m, loc, 0))
    if type(target) is IoBlock:
        target.activatable = v
    elif type(target) is IoObject and target.map.activatable != v:
        if v:
            OBJECT_ACTIVATION.enabled = True
        set_map(target, target.map.with_activatable(v))
    return target


@prim("Object", "contextWithSlot")
def obj_context_with_slot(target: Any, loc: Any, m: IoMessage) -> Any:
    from .objects import lookup_holder

    h = lookup_holder(target, _name_arg(target, loc, m, 0))
    return S.nil if h is None else h


@prim("Object", "coroutine")
def obj_coroutine(target: Any, loc: Any, m: IoMessage) -> Any:
    c = S.runtime.current_coro
    return c if isinstance(c, IoCoroutine) else S.nil


# nil / true / false specifics ----------------------------------------------------------


@prim("nil", "isNil", "not")
@prim("false", "not")
def nil_true(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.true


@prim("nil", "isTrue", "and")
@prim("false", "isTrue", "and")
def nil_false(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.false


@prim("nil", "or")
@prim("false", "or")
def nil_or(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.true if is_true(eval_arg_at(m, loc, 0)) else S.false


@prim("nil", "ifNil", "ifNonNilEval")
def nil_if_nil(target: Any, loc: Any, m: IoMessage) -> Any:
    if m.name == "ifNil":
        eval_arg_at(m, loc, 0)
    return target


@prim("nil", "ifNonNil")
def nil_if_non_nil(target: Any, loc: Any, m: IoMessage) -> Any:
    return target


@prim("nil", "ifNilEval")
def nil_if_nil_eval(target: Any, loc: Any, m: IoMessage) -> Any:
    return eval_arg_at(m, loc, 0)


@prim("nil", "then", "else", "elseif", "clone")
def nil_nil(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.nil


@prim("true", "then")
@prim("false", "else")
def eval_return_nil(target: Any, loc: Any, m: IoMessage) -> Any:
    eval_arg_at(m, loc, 0)
    return S.nil


@prim("true", "ifTrue")
@prim("false", "ifFalse")
def eval_return_self(target: Any, loc: Any, m: IoMessage) -> Any:
    eval_arg_at(m, loc, 0)
    return target


@prim("true", "else", "elseif", "ifFalse", "clone", "or")
@prim("false", "then", "ifTrue", "clone")
def return_self(target: Any, loc: Any, m: IoMessage) -> Any:
    return target


@prim("false", "elseif")
def false_elseif(target: Any, loc: Any, m: IoMessage) -> Any:
    return obj_if(target, loc, m)


@prim("true", "asString", "asSimpleString")
def true_as_string(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq("true")


@prim("false", "asString", "asSimpleString")
def false_as_string(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq("false")


@prim("nil", "asString", "asSimpleString")
def nil_as_string(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq("nil")


__all__ = ["raw_clone", "compare", "equals", "io_compare", "io_equals", "is_kind_of",
           "short_description", "IoCall"]
