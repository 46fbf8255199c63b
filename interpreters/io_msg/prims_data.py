"""Number, Sequence, List and Map primitives."""

from __future__ import annotations

import math
from typing import Any, List

import metatrace

from . import evaluator as ev
from .evaluator import S, eval_arg, eval_arg_at, eval_chain, is_true
from .objects import (BreakSignal, ContinueSignal, IoBlock, IoList, IoLocals, IoMap,
                      IoMessage, IoNumber, IoSeq, root_locals_map, set_slot)
from .prims_core import compare, equals, io_compare, io_equals
from .runtime import format_number, prim

# =============================================================================== Number


def _num_error(target: Any, m: IoMessage, got: Any) -> Exception:
    return S.runtime.arg_type_error(target, m, 0, "Number", got)


@prim("Number", "+")
def num_add(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        return IoNumber(target.value + a.value)
    raise _num_error(target, m, a)


@prim("Number", "-")
def num_sub(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        return IoNumber(target.value - a.value)
    raise _num_error(target, m, a)


@prim("Number", "*")
def num_mul(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        return IoNumber(target.value * a.value)
    raise _num_error(target, m, a)


def _fdiv(x: float, y: float) -> float:
    if y == 0.0:
        if x == 0.0 or x != x:
            return float("nan")
        neg = (x < 0) != (math.copysign(1.0, y) < 0)
        return float("-inf") if neg else float("inf")
    return x / y


@prim("Number", "/")
def num_div(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        y = a.value
        if y != 0.0:
            return IoNumber(target.value / y)
        return IoNumber(_fdiv(target.value, y))
    raise _num_error(target, m, a)


def _fmod(x: float, y: float) -> float:
    if y == 0.0 or math.isinf(x):
        return float("nan")
    return math.fmod(x, y)


@prim("Number", "%", "mod")
def num_mod(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        return IoNumber(_fmod(target.value, a.value))
    raise _num_error(target, m, a)


@prim("Number", "**", "pow")
def num_pow(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is not IoNumber:
        raise _num_error(target, m, a)
    try:
        return IoNumber(math.pow(target.value, a.value))
    except OverflowError:
        return IoNumber(float("inf"))
    except ValueError:
        return IoNumber(float("nan"))


@prim("Number", "<")
def num_lt(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        return S.true if target.value < a.value else S.false
    return S.true if compare(target, a) < 0 else S.false


@prim("Number", ">")
def num_gt(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        return S.true if target.value > a.value else S.false
    return S.true if compare(target, a) > 0 else S.false


@prim("Number", "<=")
def num_le(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        return S.true if target.value <= a.value else S.false
    return S.true if compare(target, a) <= 0 else S.false


@prim("Number", ">=")
def num_ge(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        return S.true if target.value >= a.value else S.false
    return S.true if compare(target, a) >= 0 else S.false


@prim("Number", "==")
def num_eq(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        return S.true if target.value == a.value else S.false
    return S.false


@prim("Number", "!=")
def num_ne(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is IoNumber:
        return S.false if target.value == a.value else S.true
    return S.true


def _unary(name: str, fn: Any) -> None:
    def p(target: Any, loc: Any, m: IoMessage) -> Any:
        try:
            return IoNumber(float(fn(target.value)))
        except (ValueError, OverflowError):
            return IoNumber(float("nan"))

    p.__name__ = "num_" + name
    prim("Number", name)(p)


def _round(x: float) -> float:
    # C's round(): halves away from zero
    if x != x or math.isinf(x):
        return x
    return float(math.floor(x + 0.5)) if x >= 0 else -float(math.floor(-x + 0.5))


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else float("nan")


def _log(x: float) -> float:
    if x == 0:
        return float("-inf")
    return math.log(x) if x > 0 else float("nan")


def _floor(x: float) -> float:
    return float(math.floor(x)) if not (x != x or math.isinf(x)) else x


def _ceil(x: float) -> float:
    return float(math.ceil(x)) if not (x != x or math.isinf(x)) else x


for _name, _fn in (("negate", lambda x: -x), ("abs", abs), ("sqrt", _sqrt),
                   ("squareRoot", _sqrt), ("floor", _floor), ("ceil", _ceil),
                   ("round", _round), ("exp", math.exp), ("log", _log),
                   ("log10", lambda x: math.log10(x) if x > 0 else _log(x)),
                   ("log2", lambda x: math.log2(x) if x > 0 else _log(x)),
                   ("sin", math.sin), ("cos", math.cos), ("tan", math.tan), ("asin", math.asin),
                   ("acos", math.acos), ("atan", math.atan), ("squared", lambda x: x * x),
                   ("cubed", lambda x: x * x * x), ("asNumber", lambda x: x),
                   ("roundDown", lambda x: float(math.floor(x + 0.5))),
                   ("factorial", lambda x: float(math.factorial(int(x)))),
                   ("sign", lambda x: (x > 0) - (x < 0)),
                   ("bitwiseComplement", lambda x: ~int(x))):
    _unary(_name, _fn)


def _int_binop(name: str, fn: Any) -> None:
    shift = name in ("<<", ">>", "shiftLeft", "shiftRight")

    def p(target: Any, loc: Any, m: IoMessage) -> Any:
        b = S.runtime.int_arg(target, loc, m, 0)
        a = target.value
        if a - a != 0.0:
            raise S.runtime.error("%s needs a finite receiver, not %s" % (m.name,
                                                                          format_number(a)),
                                  target, m)
        if shift and b < 0:
            raise S.runtime.error("%s: negative shift count %d" % (m.name, b), target, m)
        return IoNumber(float(fn(int(a), b)))

    p.__name__ = "num_" + name
    prim("Number", name)(p)


for _name, _fn in (("&", lambda a, b: a & b), ("bitwiseAnd", lambda a, b: a & b),
                   ("|", lambda a, b: a | b), ("bitwiseOr", lambda a, b: a | b),
                   ("^", lambda a, b: a ^ b), ("bitwiseXor", lambda a, b: a ^ b),
                   ("<<", lambda a, b: a << b), ("shiftLeft", lambda a, b: a << b),
                   (">>", lambda a, b: a >> b), ("shiftRight", lambda a, b: a >> b)):
    _int_binop(_name, _fn)


@prim("Number", "atan2")
def num_atan2(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(math.atan2(target.value, S.runtime.num_arg(target, loc, m, 0)))


@prim("Number", "max")
def num_max(target: Any, loc: Any, m: IoMessage) -> Any:
    b = S.runtime.num_arg(target, loc, m, 0)
    return target if target.value >= b else IoNumber(b)


@prim("Number", "min")
def num_min(target: Any, loc: Any, m: IoMessage) -> Any:
    b = S.runtime.num_arg(target, loc, m, 0)
    return target if target.value <= b else IoNumber(b)


@prim("Number", "between")
def num_between(target: Any, loc: Any, m: IoMessage) -> Any:
    a = S.runtime.num_arg(target, loc, m, 0)
    b = S.runtime.num_arg(target, loc, m, 1)
    return S.runtime.bool(a <= target.value <= b)


@prim("Number", "clip")
def num_clip(target: Any, loc: Any, m: IoMessage) -> Any:
    a = S.runtime.num_arg(target, loc, m, 0)
    b = S.runtime.num_arg(target, loc, m, 1)
    return IoNumber(min(max(target.value, a), b))


@prim("Number", "isEven")
def num_is_even(target: Any, loc: Any, m: IoMessage) -> Any:
    x = target.value
    return S.runtime.bool(x - x == 0.0 and int(x) % 2 == 0)


@prim("Number", "isOdd")
def num_is_odd(target: Any, loc: Any, m: IoMessage) -> Any:
    x = target.value
    return S.runtime.bool(x - x == 0.0 and int(x) % 2 != 0)


@prim("Number", "isNan")
def num_is_nan(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(target.value != target.value)


@prim("Number", "isInfinite")
def num_is_inf(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(math.isinf(target.value))


@prim("Number", "asString", "asSimpleString", "justSerialized")
def num_as_string(target: Any, loc: Any, m: IoMessage) -> Any:
    if m.args:
        w = S.runtime.int_arg(target, loc, m, 0)
        p = S.runtime.int_arg(target, loc, m, 1) if len(m.args) > 1 else 6
        return IoSeq("%*.*f" % (w, p, target.value))
    return IoSeq(format_number(target.value))


@prim("Number", "asCharacter")
def num_as_character(target: Any, loc: Any, m: IoMessage) -> Any:
    try:
        return IoSeq(chr(int(target.value)))
    except (ValueError, OverflowError):
        raise S.runtime.error("asCharacter: %s is not a character code"
                              % format_number(target.value), target, m)


@prim("Number", "toBase")
def num_to_base(target: Any, loc: Any, m: IoMessage) -> Any:
    base = S.runtime.int_arg(target, loc, m, 0)
    if base < 2 or base > 36:
        raise S.runtime.error("toBase: base must be between 2 and 36", target, m)
    n = int(target.value)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return IoSeq("0")
    neg = n < 0
    n = abs(n)
    out = []
    while n:
        out.append(digits[n % base])
        n //= base
    return IoSeq(("-" if neg else "") + "".join(reversed(out)))


@prim("Number", "repeat")
def num_repeat(target: Any, loc: Any, m: IoMessage) -> Any:
    args = m.args
    if not args:
        return S.nil
    n = target.value
    if n != n:  # NaN: no iterations, as C's "i < n" gives
        return target
    if len(args) == 1:
        ev.repeat_loop(None, args[0], loc, n)
    else:
        ev.repeat_loop(args[0].name, args[1], loc, n)
    return target


@prim("Number", "compare")
def num_compare(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(compare(target, eval_arg_at(m, loc, 0))))


@prim("Number", "asBoolean")
def num_as_boolean(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.true


@prim("Number", "toggle")
def num_toggle(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(0.0 if target.value else 1.0)


# =============================================================================== Sequence


def _str(target: Any, loc: Any, m: IoMessage, i: int) -> str:
    return S.runtime.str_arg(target, loc, m, i)


def _need_mutable(target: Any, m: IoMessage) -> None:
    if not target.mutable:
        raise S.runtime.error("'%s' cannot be called on an immutable Sequence" % m.name,
                              target, m)


def _seq_like(target: Any, value: str) -> IoSeq:
    return IoSeq(value, target.mutable)


@prim("Sequence", "size")
def seq_size(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(len(target.value)))


@prim("Sequence", "..")
def seq_concat(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    return IoSeq(target.value + S.runtime.as_string(a))


@prim("Sequence", "at")
def seq_at(target: Any, loc: Any, m: IoMessage) -> Any:
    i = S.runtime.int_arg(target, loc, m, 0)
    s = target.value
    if 0 <= i < len(s):
        return IoNumber(float(ord(s[i])))
    return S.nil


def _slice_indexes(n: int, start: int, end: int) -> Any:
    if start < 0:
        start += n
    if end < 0:
        end += n
    start = max(0, min(start, n))
    end = max(0, min(end, n))
    return start, end


@prim("Sequence", "exSlice", "slice")
def seq_ex_slice(target: Any, loc: Any, m: IoMessage) -> Any:
    s = target.value
    start = S.runtime.int_arg(target, loc, m, 0)
    end = S.runtime.int_arg(target, loc, m, 1) if len(m.args) > 1 else len(s)
    a, b = _slice_indexes(len(s), start, end)
    return _seq_like(target, s[a:b] if a < b else "")


@prim("Sequence", "inclusiveSlice")
def seq_incl_slice(target: Any, loc: Any, m: IoMessage) -> Any:
    s = target.value
    start = S.runtime.int_arg(target, loc, m, 0)
    end = S.runtime.int_arg(target, loc, m, 1) if len(m.args) > 1 else len(s) - 1
    if end < 0:
        end += len(s)
    a, b = _slice_indexes(len(s), start, end + 1)
    return _seq_like(target, s[a:b] if a < b else "")


@prim("Sequence", "asUppercase")
def seq_upper(target: Any, loc: Any, m: IoMessage) -> Any:
    return _seq_like(target, target.value.upper())


@prim("Sequence", "asLowercase")
def seq_lower(target: Any, loc: Any, m: IoMessage) -> Any:
    return _seq_like(target, target.value.lower())


@prim("Sequence", "asCapitalized")
def seq_capitalized(target: Any, loc: Any, m: IoMessage) -> Any:
    s = target.value
    return _seq_like(target, s[:1].upper() + s[1:])


@prim("Sequence", "asNumber")
def seq_as_number(target: Any, loc: Any, m: IoMessage) -> Any:
    s = target.value.strip()
    try:
        if s.lower().startswith("0x"):
            return IoNumber(float(int(s, 16)))
        return IoNumber(float(s))
    except ValueError:
        return IoNumber(float("nan"))


@prim("Sequence", "asString", "asSymbol")
def seq_as_string(target: Any, loc: Any, m: IoMessage) -> Any:
    if target.mutable:
        return IoSeq(target.value)
    return target


@prim("Sequence", "asMutable", "copy")
def seq_as_mutable(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq(target.value, True)


@prim("Sequence", "isMutable")
def seq_is_mutable(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(target.mutable)


@prim("Sequence", "asSimpleString")
def seq_as_simple_string(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq('"%s"' % target.value)


@prim("Sequence", "split")
def seq_split(target: Any, loc: Any, m: IoMessage) -> Any:
    s = target.value
    seps: List[str] = [_str(target, loc, m, i) for i in range(len(m.args))] or [" "]
    parts = [s]
    for sep in seps:
        if not sep:
            continue
        new = []
        for p in parts:
            new.extend(p.split(sep))
        parts = new
    return IoList([IoSeq(p) for p in parts])


@prim("Sequence", "findSeq")
def seq_find(target: Any, loc: Any, m: IoMessage) -> Any:
    sub = _str(target, loc, m, 0)
    start = S.runtime.int_arg(target, loc, m, 1) if len(m.args) > 1 else 0
    i = target.value.find(sub, start)
    return S.nil if i < 0 else IoNumber(float(i))


@prim("Sequence", "reverseFindSeq")
def seq_rfind(target: Any, loc: Any, m: IoMessage) -> Any:
    i = target.value.rfind(_str(target, loc, m, 0))
    return S.nil if i < 0 else IoNumber(float(i))


@prim("Sequence", "containsSeq")
def seq_contains_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(_str(target, loc, m, 0) in target.value)


@prim("Sequence", "beginsWithSeq")
def seq_begins(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(target.value.startswith(_str(target, loc, m, 0)))


@prim("Sequence", "endsWithSeq")
def seq_ends(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(target.value.endswith(_str(target, loc, m, 0)))


@prim("Sequence", "occurrencesOfSeq")
def seq_occurrences(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(target.value.count(_str(target, loc, m, 0))))


@prim("Sequence", "repeated")
def seq_repeated(target: Any, loc: Any, m: IoMessage) -> Any:
    return _seq_like(target, target.value * S.runtime.int_arg(target, loc, m, 0))


@prim("Sequence", "reverse")
def seq_reverse(target: Any, loc: Any, m: IoMessage) -> Any:
    return _seq_like(target, target.value[::-1])


@prim("Sequence", "asList")
def seq_as_list(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList([IoSeq(c) for c in target.value])


@prim("Sequence", "isEmpty")
def seq_is_empty(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(not target.value)


@prim("Sequence", "==")
def seq_eq(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(equals(target, eval_arg_at(m, loc, 0)))


@prim("Sequence", "!=")
def seq_ne(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(not equals(target, eval_arg_at(m, loc, 0)))


@prim("Sequence", "alignLeft")
def seq_align_left(target: Any, loc: Any, m: IoMessage) -> Any:
    w = S.runtime.int_arg(target, loc, m, 0)
    pad = _str(target, loc, m, 1) if len(m.args) > 1 else " "
    s = target.value
    while len(s) < w and pad:
        s += pad
    return IoSeq(s[:max(w, len(target.value))])


@prim("Sequence", "alignRight")
def seq_align_right(target: Any, loc: Any, m: IoMessage) -> Any:
    w = S.runtime.int_arg(target, loc, m, 0)
    pad = _str(target, loc, m, 1) if len(m.args) > 1 else " "
    n = max(0, w - len(target.value))
    return IoSeq((pad * n)[:n] + target.value)


@prim("Sequence", "foreach")
def seq_foreach(target: Any, loc: Any, m: IoMessage) -> Any:
    codes = IoList([IoNumber(float(ord(c))) for c in target.value])
    return _list_foreach(codes, loc, m)


@prim("Sequence", "strip", "lstrip", "rstrip")
def seq_strip(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    chars = _str(target, loc, m, 0) if m.args else None
    if m.name == "strip":
        target.value = target.value.strip(chars)
    elif m.name == "lstrip":
        target.value = target.value.lstrip(chars)
    else:
        target.value = target.value.rstrip(chars)
    return target


@prim("Sequence", "asStripped")
def seq_as_stripped(target: Any, loc: Any, m: IoMessage) -> Any:
    return _seq_like(target, target.value.strip())


@prim("Sequence", "appendSeq")
@metatrace.unroll_safe  # loops over the arguments of a constant message
def seq_append_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    parts = [target.value]
    args = m.args
    for i in range(len(args)):
        parts.append(S.runtime.as_string(eval_arg(args[i], loc)))
    target.value = "".join(parts)
    return target


@prim("Sequence", "append")
@metatrace.unroll_safe  # loops over the arguments of a constant message
def seq_append(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    parts = [target.value]
    for i in range(len(m.args)):
        parts.append(S.runtime.char_arg(target, loc, m, i))
    target.value = "".join(parts)
    return target


@prim("Sequence", "atPut")
def seq_at_put(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    i = S.runtime.int_arg(target, loc, m, 0)
    c = S.runtime.char_arg(target, loc, m, 1)
    s = target.value
    if not 0 <= i < len(s):
        raise S.runtime.error("index out of bounds", target, m)
    target.value = s[:i] + c + s[i + 1:]
    return target


@prim("Sequence", "setSize")
def seq_set_size(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    n = S.runtime.int_arg(target, loc, m, 0)
    s = target.value
    target.value = s[:n] + "\0" * max(0, n - len(s))
    return target


@prim("Sequence", "replaceSeq")
def seq_replace_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    target.value = target.value.replace(_str(target, loc, m, 0), _str(target, loc, m, 1))
    return target


@prim("Sequence", "removeSeq")
def seq_remove_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    target.value = target.value.replace(_str(target, loc, m, 0), "")
    return target


@prim("Sequence", "uppercase", "lowercase", "capitalize")
def seq_case_in_place(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    s = target.value
    if m.name == "uppercase":
        target.value = s.upper()
    elif m.name == "lowercase":
        target.value = s.lower()
    else:
        target.value = s[:1].upper() + s[1:]
    return target


@prim("Sequence", "asMessage")
def seq_as_message(target: Any, loc: Any, m: IoMessage) -> Any:
    msg = S.runtime.parse(target.value, "asMessage")
    return msg if msg is not None else IoMessage("nil", [], 0, "asMessage")


@prim("Sequence", "asJson")
def seq_as_json(target: Any, loc: Any, m: IoMessage) -> Any:
    import json

    return IoSeq(json.dumps(target.value))


@prim("Sequence", "compare")
def seq_compare(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(compare(target, eval_arg_at(m, loc, 0))))


@prim("Sequence", "hash")
def seq_hash(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(hash(target.value) & 0xFFFFFFFF))


# =============================================================================== List


def _index(target: Any, loc: Any, m: IoMessage, i: int) -> int:
    return S.runtime.int_arg(target, loc, m, i)


@prim("List", "append", "push")
@metatrace.unroll_safe  # loops over the arguments of a constant message
def list_append(target: Any, loc: Any, m: IoMessage) -> Any:
    items = target.items
    args = m.args
    for i in range(len(args)):  # indexed: a constant message's arguments fold in a trace
        items.append(eval_arg(args[i], loc))
    return target


@prim("List", "appendSeq")
@metatrace.unroll_safe  # loops over the arguments of a constant message
def list_append_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    for i in range(len(m.args)):
        target.items.extend(S.runtime.list_arg(target, loc, m, i).items)
    return target


@prim("List", "prepend")
@metatrace.unroll_safe  # loops over the arguments of a constant message
def list_prepend(target: Any, loc: Any, m: IoMessage) -> Any:
    args = m.args
    vals = []
    for i in range(len(args)):
        vals.append(eval_arg(args[i], loc))
    target.items[0:0] = vals
    return target


@prim("List", "appendIfAbsent")
def list_append_if_absent(target: Any, loc: Any, m: IoMessage) -> Any:
    for a in m.args:
        v = eval_arg(a, loc)
        if not any(io_equals(x, v) for x in target.items):
            target.items.append(v)
    return target


@prim("List", "size")
def list_size(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(len(target.items)))


@prim("List", "at")
def list_at(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is not IoNumber:
        raise S.runtime.arg_type_error(target, m, 0, "Number", a)
    i = int(a.value)
    items = target.items
    if i < 0:
        i += len(items)
    if 0 <= i < len(items):
        return items[i]
    return S.nil


@prim("List", "atPut")
def list_at_put(target: Any, loc: Any, m: IoMessage) -> Any:
    i = _index(target, loc, m, 0)
    v = eval_arg_at(m, loc, 1)
    items = target.items
    if not 0 <= i < len(items):
        raise S.runtime.error("index out of bounds", target, m)
    items[i] = v
    return target


@prim("List", "atInsert", "insertAt")
def list_at_insert(target: Any, loc: Any, m: IoMessage) -> Any:
    if m.name == "atInsert":
        i = _index(target, loc, m, 0)
        v = eval_arg_at(m, loc, 1)
    else:
        v = eval_arg_at(m, loc, 0)
        i = _index(target, loc, m, 1)
    if not 0 <= i <= len(target.items):
        raise S.runtime.error("index out of bounds", target, m)
    target.items.insert(i, v)
    return target


@prim("List", "removeAt")
def list_remove_at(target: Any, loc: Any, m: IoMessage) -> Any:
    i = _index(target, loc, m, 0)
    if not 0 <= i < len(target.items):
        raise S.runtime.error("index out of bounds", target, m)
    return target.items.pop(i)


@prim("List", "remove")
def list_remove(target: Any, loc: Any, m: IoMessage) -> Any:
    for a in m.args:
        v = eval_arg(a, loc)
        target.items[:] = [x for x in target.items if not io_equals(x, v)]
    return target


@prim("List", "pop")
def list_pop(target: Any, loc: Any, m: IoMessage) -> Any:
    if not target.items:
        return S.nil
    return target.items.pop()


@prim("List", "removeFirst")
def list_remove_first(target: Any, loc: Any, m: IoMessage) -> Any:
    if not target.items:
        return S.nil
    return target.items.pop(0)


@prim("List", "removeLast")
def list_remove_last(target: Any, loc: Any, m: IoMessage) -> Any:
    return list_pop(target, loc, m)


@prim("List", "removeAll", "empty")
def list_remove_all(target: Any, loc: Any, m: IoMessage) -> Any:
    del target.items[:]
    return target


@prim("List", "first")
def list_first(target: Any, loc: Any, m: IoMessage) -> Any:
    if m.args:
        return IoList(target.items[:_index(target, loc, m, 0)])
    return target.items[0] if target.items else S.nil


@prim("List", "last")
def list_last(target: Any, loc: Any, m: IoMessage) -> Any:
    if m.args:
        n = _index(target, loc, m, 0)
        return IoList(target.items[-n:] if n > 0 else [])
    return target.items[-1] if target.items else S.nil


@prim("List", "second")
def list_second(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.items[1] if len(target.items) > 1 else S.nil


@prim("List", "rest")
def list_rest(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList(target.items[1:])


@prim("List", "indexOf")
def list_index_of(target: Any, loc: Any, m: IoMessage) -> Any:
    v = eval_arg_at(m, loc, 0)
    for i, x in enumerate(target.items):
        if io_equals(x, v):
            return IoNumber(float(i))
    return S.nil


@prim("List", "contains")
def list_contains(target: Any, loc: Any, m: IoMessage) -> Any:
    v = eval_arg_at(m, loc, 0)
    for x in target.items:
        if io_equals(x, v):
            return S.true
    return S.false


@prim("List", "containsIdenticalTo")
def list_contains_identical(target: Any, loc: Any, m: IoMessage) -> Any:
    v = eval_arg_at(m, loc, 0)
    return S.runtime.bool(any(x is v for x in target.items))


@prim("List", "isEmpty")
def list_is_empty(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(not target.items)


@prim("List", "isNotEmpty")
def list_is_not_empty(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(bool(target.items))


@prim("List", "copy")
def list_copy(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList(list(target.items))


@prim("List", "reverse")
def list_reverse(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList(target.items[::-1])


@prim("List", "reverseInPlace")
def list_reverse_in_place(target: Any, loc: Any, m: IoMessage) -> Any:
    target.items.reverse()
    return target


@prim("List", "swapIndices")
def list_swap(target: Any, loc: Any, m: IoMessage) -> Any:
    i = _index(target, loc, m, 0)
    j = _index(target, loc, m, 1)
    it = target.items
    if not (0 <= i < len(it) and 0 <= j < len(it)):
        raise S.runtime.error("index out of bounds", target, m)
    it[i], it[j] = it[j], it[i]
    return target


@prim("List", "slice", "exSlice")
def list_slice(target: Any, loc: Any, m: IoMessage) -> Any:
    n = len(target.items)
    start = _index(target, loc, m, 0)
    end = _index(target, loc, m, 1) if len(m.args) > 1 else n
    a, b = _slice_indexes(n, start, end)
    return IoList(target.items[a:b] if a < b else [])


@prim("List", "flatten")
def list_flatten(target: Any, loc: Any, m: IoMessage) -> Any:
    out: List[Any] = []

    def walk(items: List[Any]) -> None:
        for x in items:
            if isinstance(x, IoList):
                walk(x.items)
            else:
                out.append(x)

    walk(target.items)
    return IoList(out)


@prim("List", "unique")
def list_unique(target: Any, loc: Any, m: IoMessage) -> Any:
    out: List[Any] = []
    for x in target.items:
        if not any(io_equals(y, x) for y in out):
            out.append(x)
    return IoList(out)


@prim("List", "join")
def list_join(target: Any, loc: Any, m: IoMessage) -> Any:
    sep = _str(target, loc, m, 0) if m.args else ""
    return IoSeq(sep.join(S.runtime.as_string(x) for x in target.items))


def _numbers(target: Any, m: IoMessage) -> List[float]:
    out = []
    for x in target.items:
        if type(x) is not IoNumber:
            raise S.runtime.error("%s: list contains a non-Number" % m.name, target, m)
        out.append(x.value)
    return out


@prim("List", "sum")
def list_sum(target: Any, loc: Any, m: IoMessage) -> Any:
    if not target.items:
        return S.nil
    acc = target.items[0]
    for x in target.items[1:]:
        acc = S.runtime.send_name(acc, "+", x)
    return acc


@prim("List", "average")
def list_average(target: Any, loc: Any, m: IoMessage) -> Any:
    xs = _numbers(target, m)
    if not xs:
        return S.nil
    return IoNumber(sum(xs) / len(xs))


def _extreme(target: Any, loc: Any, m: IoMessage, sign: int) -> Any:
    best = None
    bestkey = None
    for x in target.items:
        key = _apply(m, loc, x, 0) if m.args else x
        if best is None or sign * io_compare(key, bestkey) > 0:
            best, bestkey = x, key
    return S.nil if best is None else best


@prim("List", "max")
def list_max(target: Any, loc: Any, m: IoMessage) -> Any:
    return _extreme(target, loc, m, 1)


@prim("List", "min")
def list_min(target: Any, loc: Any, m: IoMessage) -> Any:
    return _extreme(target, loc, m, -1)


def _list_foreach(lst: IoList, loc: Any, m: IoMessage) -> Any:
    args = m.args
    if len(args) >= 3:
        return ev.list_foreach(args[0].name, args[1].name, args[2], loc, lst)
    if len(args) == 2:
        return ev.list_foreach(None, args[0].name, args[1], loc, lst)
    if len(args) == 1:
        return ev.list_send_each(args[0], loc, lst)
    raise S.runtime.error("%s needs arguments: (message), (value, body) or (index, value, "
                          "body)" % m.name, lst, m)


@prim("List", "foreach")
def list_foreach(target: Any, loc: Any, m: IoMessage) -> Any:
    return _list_foreach(target, loc, m)


@prim("List", "reverseForeach")
def list_reverse_foreach(target: Any, loc: Any, m: IoMessage) -> Any:
    return _list_foreach(IoList(target.items[::-1]), loc, m)


def loop_context(loc: Any, bound: List[str]) -> Any:
    """The context List's select/detect/map/reduce/groupBy... evaluate their argument messages
    in: as C Io's (an object whose proto is the caller's context, with the caller's ``self``),
    so the names they bind, and ``:=`` in the body, stay out of the caller's locals while
    everything else (``=`` on the caller's variables, ``self``, ``call``) reaches the caller.
    The names the loop binds (``bound``) get their slots up front."""
    names = ["self"]
    for name in bound:
        if name not in names:
            names.append(name)
    lmap = root_locals_map(tuple(names))
    slots = [S.nil] * len(names)
    if type(loc) is IoLocals:
        slots[0] = loc.slots[0]
        ctx = IoLocals(lmap, slots, loc, loc.target, loc.message, loc.sender, loc.block)
        ctx.call = loc.get_call()
        return ctx
    slots[0] = loc
    return IoLocals(lmap, slots, loc, loc, None, None, None)


def _apply(m: IoMessage, loc: Any, item: Any, index: int, ctx: Any = None) -> Any:
    """Evaluate the closure-like arguments of map/select/...: ``(expr)`` is sent to the item,
    ``(x, expr)`` binds x, ``(i, x, expr)`` binds the index and the item (in ``ctx``, made by
    loop_context, or in ``loc`` when no ctx is given); a single argument that evaluates to a
    block is called with the item."""
    args = m.args
    if not args:
        raise S.runtime.error("%s needs an argument: a message, (value, expression) or "
                              "(index, value, expression)" % m.name, None, m)
    if ctx is None:
        ctx = loc
    if len(args) == 1:
        a = args[0]
        if a.cached is None and a.next is None and a.name in ("block", "method") and a.args:
            blk = eval_arg(a, loc)
            return call_block(blk, [item], loc, m)
        return eval_chain(a, item, ctx)
    if len(args) == 2:
        set_slot(ctx, args[0].name, item)
        return eval_arg(args[1], ctx)
    set_slot(ctx, args[0].name, IoNumber(float(index)))
    set_slot(ctx, args[1].name, item)
    return eval_arg(args[2], ctx)


def call_block(blk: Any, values: List[Any], loc: Any, m: IoMessage) -> Any:
    if type(blk) is not IoBlock:
        raise S.runtime.error("expected a Block", None, m)
    msg = IoMessage("call", [IoMessage("<arg>", [], m.line, m.label, v) for v in values],
                    m.line, m.label)
    scope = blk.scope if blk.scope is not None else loc
    return ev.activate(blk, scope, loc, msg, None)


def _each(m: IoMessage, loc: Any, items: List[Any], fn: Any) -> None:
    ctx = loop_context(loc, [a.name for a in m.args[:min(len(m.args) - 1, 2)]])
    for i in range(len(items)):
        try:
            if fn(i, items[i], _apply(m, loc, items[i], i, ctx)):
                break
        except BreakSignal:
            break
        except ContinueSignal:
            pass


@prim("List", "map", "mapInPlace")
def list_map(target: Any, loc: Any, m: IoMessage) -> Any:
    out: List[Any] = []
    _each(m, loc, list(target.items), lambda i, x, r: out.append(r))
    if m.name == "mapInPlace":
        target.items[:] = out
        return target
    return IoList(out)


@prim("List", "select", "selectInPlace", "filter")
def list_select(target: Any, loc: Any, m: IoMessage) -> Any:
    out: List[Any] = []
    _each(m, loc, list(target.items), lambda i, x, r: out.append(x) if is_true(r) else None)
    if m.name == "selectInPlace":
        target.items[:] = out
        return target
    return IoList(out)


@prim("List", "reject")
def list_reject(target: Any, loc: Any, m: IoMessage) -> Any:
    out: List[Any] = []
    _each(m, loc, list(target.items), lambda i, x, r: None if is_true(r) else out.append(x))
    return IoList(out)


@prim("List", "detect")
def list_detect(target: Any, loc: Any, m: IoMessage) -> Any:
    found: List[Any] = []

    def f(i: int, x: Any, r: Any) -> bool:
        if is_true(r):
            found.append(x)
            return True
        return False

    _each(m, loc, list(target.items), f)
    return found[0] if found else S.nil


@prim("List", "detectIndex")
def list_detect_index(target: Any, loc: Any, m: IoMessage) -> Any:
    found: List[Any] = []

    def f(i: int, x: Any, r: Any) -> bool:
        if is_true(r):
            found.append(i)
            return True
        return False

    _each(m, loc, list(target.items), f)
    return IoNumber(float(found[0])) if found else S.nil


@prim("List", "count")
def list_count(target: Any, loc: Any, m: IoMessage) -> Any:
    n = [0]

    def f(i: int, x: Any, r: Any) -> None:
        if is_true(r):
            n[0] += 1

    _each(m, loc, list(target.items), f)
    return IoNumber(float(n[0]))


@prim("List", "anySatisfy", "contains_where")
def list_any(target: Any, loc: Any, m: IoMessage) -> Any:
    found = [False]

    def f(i: int, x: Any, r: Any) -> bool:
        if is_true(r):
            found[0] = True
            return True
        return False

    _each(m, loc, list(target.items), f)
    return S.runtime.bool(found[0])


@prim("List", "allSatisfy")
def list_all(target: Any, loc: Any, m: IoMessage) -> Any:
    ok = [True]

    def f(i: int, x: Any, r: Any) -> bool:
        if not is_true(r):
            ok[0] = False
            return True
        return False

    _each(m, loc, list(target.items), f)
    return S.runtime.bool(ok[0])


def _sort_key_cmp(a: Any, b: Any) -> int:
    return io_compare(a, b)


@prim("List", "sort", "sortInPlace")
def list_sort(target: Any, loc: Any, m: IoMessage) -> Any:
    import functools

    items = sorted(target.items, key=functools.cmp_to_key(_sort_key_cmp))
    if m.name == "sortInPlace":
        target.items[:] = items
        return target
    return IoList(items)


@prim("List", "sortBy", "sortInPlaceBy")
def list_sort_by(target: Any, loc: Any, m: IoMessage) -> Any:
    import functools

    blk = eval_arg_at(m, loc, 0)

    def cmp(a: Any, b: Any) -> int:
        if is_true(call_block(blk, [a, b], loc, m)):
            return -1
        if is_true(call_block(blk, [b, a], loc, m)):
            return 1
        return 0

    items = sorted(target.items, key=functools.cmp_to_key(cmp))
    if m.name == "sortInPlaceBy":
        target.items[:] = items
        return target
    return IoList(items)


@prim("List", "asString", "asSimpleString")
def list_as_string(target: Any, loc: Any, m: IoMessage) -> Any:
    rt = S.runtime
    parts = []
    for x in target.items:
        parts.append(rt.as_string(x))
    return IoSeq("list(" + ", ".join(parts) + ")")


@prim("List", "with")
def list_with(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList([eval_arg(a, loc) for a in m.args])


@prim("List", "preallocateToSize", "setSize")
def list_set_size(target: Any, loc: Any, m: IoMessage) -> Any:
    n = _index(target, loc, m, 0)
    if m.name == "setSize":
        items = target.items
        if n < len(items):
            del items[n:]
        else:
            items.extend([S.nil] * (n - len(items)))
    return target


@prim("List", "==")
def list_eq(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(equals(target, eval_arg_at(m, loc, 0)))


@prim("List", "!=")
def list_ne(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(not equals(target, eval_arg_at(m, loc, 0)))


# =============================================================================== Map


def _key(target: Any, loc: Any, m: IoMessage) -> str:
    return S.runtime.str_arg(target, loc, m, 0)


@prim("Map", "at")
def map_at(target: Any, loc: Any, m: IoMessage) -> Any:
    v = target.items.get(_key(target, loc, m))
    if v is None:
        return eval_arg_at(m, loc, 1) if len(m.args) > 1 else S.nil
    return v


@prim("Map", "atPut")
def map_at_put(target: Any, loc: Any, m: IoMessage) -> Any:
    k = _key(target, loc, m)
    target.items[k] = eval_arg_at(m, loc, 1)
    return target


@prim("Map", "atIfAbsentPut")
def map_at_if_absent_put(target: Any, loc: Any, m: IoMessage) -> Any:
    k = _key(target, loc, m)
    if k not in target.items:
        target.items[k] = eval_arg_at(m, loc, 1)
    return target.items[k]


@prim("Map", "hasKey")
def map_has_key(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(_key(target, loc, m) in target.items)


@prim("Map", "hasValue")
def map_has_value(target: Any, loc: Any, m: IoMessage) -> Any:
    v = eval_arg_at(m, loc, 0)
    return S.runtime.bool(any(io_equals(x, v) for x in target.items.values()))


@prim("Map", "removeAt")
def map_remove_at(target: Any, loc: Any, m: IoMessage) -> Any:
    target.items.pop(_key(target, loc, m), None)
    return target


@prim("Map", "keys")
def map_keys(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList([IoSeq(k) for k in target.items])


@prim("Map", "values")
def map_values(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList(list(target.items.values()))


@prim("Map", "size")
def map_size(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(len(target.items)))


@prim("Map", "isEmpty")
def map_is_empty(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(not target.items)


@prim("Map", "empty", "removeAll")
def map_empty(target: Any, loc: Any, m: IoMessage) -> Any:
    target.items.clear()
    return target


@prim("Map", "foreach")
def map_foreach(target: Any, loc: Any, m: IoMessage) -> Any:
    args = m.args
    result = S.nil
    for k, v in list(target.items.items()):
        try:
            if len(args) >= 3:
                set_slot(loc, args[0].name, IoSeq(k))
                set_slot(loc, args[1].name, v)
                result = eval_arg(args[2], loc)
            elif len(args) == 2:
                set_slot(loc, args[0].name, v)
                result = eval_arg(args[1], loc)
            elif args:
                result = eval_chain(args[0], v, loc)
        except BreakSignal as b:
            return b.value
        except ContinueSignal:
            pass
    return result


@prim("Map", "asList")
def map_as_list(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList([IoList([IoSeq(k), v]) for k, v in target.items.items()])


@prim("Map", "merge", "mergeInPlace")
def map_merge(target: Any, loc: Any, m: IoMessage) -> Any:
    other = eval_arg_at(m, loc, 0)
    if type(other) is not IoMap:
        raise S.runtime.arg_type_error(target, m, 0, "Map", other)
    dst = target if m.name == "mergeInPlace" else IoMap(dict(target.items))
    dst.items.update(other.items)
    return dst


@prim("Map", "with")
def map_with(target: Any, loc: Any, m: IoMessage) -> Any:
    out = IoMap({})
    for i in range(0, len(m.args) - 1, 2):
        out.items[S.runtime.str_arg(target, loc, m, i)] = eval_arg_at(m, loc, i + 1)
    return out


@prim("Map", "asObject")
def map_as_object(target: Any, loc: Any, m: IoMessage) -> Any:
    from .prims_core import raw_clone

    o = raw_clone(S.runtime.Object)
    for k, v in target.items.items():
        set_slot(o, k, v)
    return o


__all__ = ["call_block", "IoBlock", "IoMap"]
