"""Sequence and List primitives redone with C Io's argument checks and edge cases (a missing or nil
argument is an error, negative indices count from the end where C Io does so, in-place
operations refuse immutable Sequences).  Registered after prims_data, so a name defined in
both is this module's version."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from .evaluator import S, eval_arg_at
from .objects import IoList, IoMap, IoMessage, IoNumber, IoSeq
from .prims_core import compare, equals
from .prims_data import _need_mutable, _seq_like, _str
from .runtime import prim


def need_args(target: Any, m: IoMessage, n: int) -> None:
    """C Io's IOASSERT on the argument count: fewer than ``n`` arguments is an Io error."""
    if len(m.args) < n:
        raise S.runtime.error("%s requires %d argument%s" % (m.name, n, "" if n == 1 else "s"),
                              target, m)


def _int(target: Any, loc: Any, m: IoMessage, i: int) -> int:
    return S.runtime.int_arg(target, loc, m, i)


_NUMBER_PREFIX = re.compile(r"\s*[-+]?(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|"
                            r"inf(inity)?|nan)", re.IGNORECASE)


@prim("Sequence", "asNumber")
def seq_as_number(target: Any, loc: Any, m: IoMessage) -> Any:
    """Like C's strtod: the longest number at the start (after spaces); nan if there is none."""
    mo = _NUMBER_PREFIX.match(target.value)
    if mo is None:
        return IoNumber(float("nan"))
    t = mo.group(0).strip()
    if t.lower().lstrip("+-").startswith("0x"):
        v = float(int(t, 16))
    else:
        v = float(t)
    return IoNumber(v)


@prim("Sequence", "isSymbol")
def seq_is_symbol(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(not target.mutable)


_SYMBOL_IDS: dict = {}


@prim("Sequence", "uniqueId")
def seq_unique_id(target: Any, loc: Any, m: IoMessage) -> Any:
    """Immutable Sequences are symbols: equal text, same symbol, so the same uniqueId."""
    if target.mutable:
        return IoNumber(float(id(target)))
    canon = _SYMBOL_IDS.get(target.value)
    if canon is None:
        canon = target
        _SYMBOL_IDS[target.value] = target
    return IoNumber(float(id(canon)))


@prim("Sequence", "at")
def seq_at(target: Any, loc: Any, m: IoMessage) -> Any:
    i = _int(target, loc, m, 0)
    s = target.value
    if i < 0:
        raise S.runtime.error("index %d out of bounds" % i, target, m)
    if i < len(s):
        return IoNumber(float(ord(s[i])))
    return S.nil


@prim("Sequence", "reverseFindSeq")
def seq_rfind(target: Any, loc: Any, m: IoMessage) -> Any:
    sub = _str(target, loc, m, 0)
    s = target.value
    if len(m.args) > 1:
        end = _int(target, loc, m, 1)
        i = s.rfind(sub, 0, max(0, end) + len(sub) - 1) if end > 0 else -1
    else:
        i = s.rfind(sub)
    return S.nil if i < 0 else IoNumber(float(i))


@prim("Sequence", "containsAnyCaseSeq")
def seq_contains_any_case(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(_str(target, loc, m, 0).lower() in target.value.lower())


@prim("Sequence", "isEqualAnyCase")
def seq_is_equal_any_case(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(_str(target, loc, m, 0).lower() == target.value.lower())


@prim("Sequence", "splitNoEmpties")
def seq_split_no_empties(target: Any, loc: Any, m: IoMessage) -> Any:
    seps: List[str] = [_str(target, loc, m, i) for i in range(len(m.args))] or [" "]
    parts = [target.value]
    for sep in seps:
        if not sep:
            continue
        new: List[str] = []
        for p in parts:
            new.extend(p.split(sep))
        parts = new
    return IoList([IoSeq(p) for p in parts if p])


@prim("Sequence", "splitAt")
def seq_split_at(target: Any, loc: Any, m: IoMessage) -> Any:
    i = max(0, min(_int(target, loc, m, 0), len(target.value)))
    s = target.value
    return IoList([IoSeq(s[:i]), IoSeq(s[i:])])


@prim("Sequence", "compare")
def seq_compare(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 1)
    return IoNumber(float(compare(target, eval_arg_at(m, loc, 0))))


@prim("Sequence", "==")
def seq_eq(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 1)
    return S.runtime.bool(equals(target, eval_arg_at(m, loc, 0)))


@prim("Sequence", "atInsertSeq")
def seq_at_insert_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    need_args(target, m, 2)
    i = _int(target, loc, m, 0)
    s = target.value
    if not 0 <= i <= len(s):
        raise S.runtime.error("index %d out of bounds" % i, target, m)
    ins = S.runtime.as_string(eval_arg_at(m, loc, 1))
    target.value = s[:i] + ins + s[i:]
    return target


def _clamp(i: int, n: int) -> int:
    if i < 0:
        i += n
    return max(0, min(i, n))


@prim("Sequence", "removeSlice")
def seq_remove_slice(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    s = target.value
    n = len(s)
    a = _clamp(_int(target, loc, m, 0), n)
    b = _clamp(_int(target, loc, m, 1), n)
    if b >= a:
        target.value = s[:a] + s[b + 1:]
    return target


@prim("Sequence", "removeAt")
def seq_remove_at(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    i = _int(target, loc, m, 0)
    s = target.value
    if i < 0:
        i += len(s)
    if not 0 <= i < len(s):
        return S.nil
    c = s[i]
    target.value = s[:i] + s[i + 1:]
    return IoNumber(float(ord(c)))


@prim("Sequence", "replaceMap")
def seq_replace_map(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    mp = eval_arg_at(m, loc, 0)
    if not isinstance(mp, IoMap):
        raise S.runtime.arg_type_error(target, m, 0, "Map", mp)
    s = target.value
    for k, v in list(mp.items.items()):
        if not isinstance(v, IoSeq):
            raise S.runtime.error("replaceMap: the value for %r is not a Sequence" % k,
                                  target, m)
        s = s.replace(k, v.value)
    target.value = s
    return target


_ESCAPES = [("\\", "\\\\"), ('"', '\\"'), ("\a", "\\a"), ("\b", "\\b"), ("\f", "\\f"),
            ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\v", "\\v"), ("\0", "\\0")]
_UNESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "0": "\0", "\\": "\\", '"': '"', "'": "'"}


@prim("Sequence", "escape")
def seq_escape(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    out = []
    table = dict(_ESCAPES)
    for c in target.value:
        out.append(table.get(c, c))
    target.value = "".join(out)
    return target


@prim("Sequence", "unescape")
def seq_unescape(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    s = target.value
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(_UNESCAPES.get(s[i + 1], s[i + 1]))
            i += 2
            continue
        out.append(c)
        i += 1
    target.value = "".join(out)
    return target


@prim("Sequence", "fromBase")
def seq_from_base(target: Any, loc: Any, m: IoMessage) -> Any:
    base = _int(target, loc, m, 0)
    try:
        return IoNumber(float(int(target.value, base)))
    except ValueError:
        raise S.runtime.error("'%s' is not a number in base %d" % (target.value, base),
                              target, m)


@prim("Sequence", "toBase")
def seq_to_base(target: Any, loc: Any, m: IoMessage) -> Any:
    base = _int(target, loc, m, 0)
    if not 2 <= base <= 36:
        raise S.runtime.error("base must be between 2 and 36", target, m)
    mo = re.match(r"\s*[-+]?\d+", target.value)
    n = int(mo.group(0)) if mo else 0
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    neg = n < 0
    n = abs(n)
    out = ""
    while True:
        out = digits[n % base] + out
        n //= base
        if n == 0:
            break
    return IoSeq(("-" if neg else "") + out)


def _seps() -> str:
    return "/"


@prim("Sequence", "pathComponent")
def seq_path_component(target: Any, loc: Any, m: IoMessage) -> Any:
    s = target.value.rstrip("/")
    i = s.rfind("/")
    return IoSeq(s[:i] if i >= 0 else "", True)


@prim("Sequence", "lastPathComponent")
def seq_last_path_component(target: Any, loc: Any, m: IoMessage) -> Any:
    s = target.value
    t = s.rstrip("/")
    i = t.rfind("/")
    return IoSeq(s[i + 1:] if i >= 0 else s)


@prim("Sequence", "pathExtension")
def seq_path_extension(target: Any, loc: Any, m: IoMessage) -> Any:
    s = target.value
    base = s[s.rfind("/") + 1:]
    i = base.rfind(".")
    return IoSeq(base[i + 1:] if i >= 0 else "")


@prim("Sequence", "fileName")
def seq_file_name(target: Any, loc: Any, m: IoMessage) -> Any:
    s = target.value
    base = s[s.rfind("/") + 1:]
    i = base.rfind(".")
    return _seq_like(target, base[:i] if i >= 0 else base)


@prim("Sequence", "afterSeq")
def seq_after_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    sub = _str(target, loc, m, 0)
    s = target.value
    i = s.find(sub)
    if i < 0 or (not s and not sub):
        return S.nil
    return _seq_like(target, s[i + len(sub):])


@prim("Sequence", "beforeSeq")
def seq_before_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    sub = _str(target, loc, m, 0)
    s = target.value
    i = s.find(sub)
    return _seq_like(target, s if i < 0 else s[:i])


@prim("Sequence", "exclusiveSlice")
def seq_exclusive_slice(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 1)
    s = target.value
    n = len(s)
    a = _clamp(_int(target, loc, m, 0), n)
    b = _clamp(_int(target, loc, m, 1), n) if len(m.args) > 1 else n
    return _seq_like(target, s[a:b] if b > a else "")


@prim("Sequence", "betweenSeq")
def seq_between_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    a = _str(target, loc, m, 0)
    b = _str(target, loc, m, 1)
    s = target.value
    i = s.find(a)
    if i < 0:
        return S.nil
    i += len(a)
    j = s.find(b, i)
    if j < 0:
        return S.nil
    return _seq_like(target, s[i:j])


@prim("Sequence", "setSize")
def seq_set_size(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    n = _int(target, loc, m, 0)
    if n < 0:
        raise S.runtime.error("setSize: size must not be negative", target, m)
    s = target.value
    target.value = s[:n] + "\0" * max(0, n - len(s))
    return target


def _interpolated(target: Any, loc: Any, m: IoMessage) -> str:
    s = target.value
    out = []
    i = 0
    ctx = eval_arg_at(m, loc, 0) if m.args else loc
    while True:
        j = s.find("#{", i)
        if j < 0:
            out.append(s[i:])
            break
        k = s.find("}", j)
        if k < 0:
            out.append(s[i:])
            break
        out.append(s[i:j])
        code = s[j + 2:k]
        if code.strip():
            out.append(S.runtime.as_string(S.runtime.do_string(code, ctx, "interpolate")))
        i = k + 1
    return "".join(out)


@prim("Sequence", "interpolate")
def seq_interpolate(target: Any, loc: Any, m: IoMessage) -> Any:
    return _seq_like(target, _interpolated(target, loc, m))


@prim("Sequence", "interpolateInPlace")
def seq_interpolate_in_place(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    target.value = _interpolated(target, loc, m)
    return target


@prim("Sequence", "reverseInPlace")
def seq_reverse_in_place(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    target.value = target.value[::-1]
    return target


@prim("Sequence", "prependSeq")
def seq_prepend_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    parts = [S.runtime.as_string(eval_arg_at(m, loc, i)) for i in range(len(m.args))]
    target.value = "".join(parts) + target.value
    return target


@prim("Sequence", "copy")
def seq_copy(target: Any, loc: Any, m: IoMessage) -> Any:
    """``copy(other)``: replace the contents with other's (mutable receivers only); with no
    argument, a mutable copy."""
    if not m.args:
        return IoSeq(target.value, True)
    _need_mutable(target, m)
    target.value = _str(target, loc, m, 0)
    return target


@prim("Sequence", "insertSeqEvery")
def seq_insert_seq_every(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    ins = _str(target, loc, m, 0)
    n = _int(target, loc, m, 1)
    s = target.value
    if n <= 0 or n > len(s):
        raise S.runtime.error("insertSeqEvery: interval out of range", target, m)
    out = []
    for i in range(0, len(s), n):
        chunk = s[i:i + n]
        out.append(chunk)
        if len(chunk) == n:
            out.append(ins)
    target.value = "".join(out)
    return target


@prim("Sequence", "leaveThenRemove")
def seq_leave_then_remove(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_mutable(target, m)
    keep = _int(target, loc, m, 0)
    drop = _int(target, loc, m, 1)
    if keep < 0 or drop < 0 or keep + drop == 0:
        raise S.runtime.error("leaveThenRemove: bad arguments", target, m)
    s = target.value
    out = []
    i = 0
    while i < len(s):
        out.append(s[i:i + keep])
        i += keep + drop
    target.value = "".join(out)
    return target


@prim("Sequence", "reverse")
def seq_reverse(target: Any, loc: Any, m: IoMessage) -> Any:
    """A reversed mutable copy (as in C Io, even of a symbol)."""
    return IoSeq(target.value[::-1], True)


# =============================================================================== List

from . import prims_data as _pd  # noqa: E402
from .evaluator import eval_arg, eval_chain  # noqa: E402


# the List primitives of prims_data, with C Io's check of the argument count first

@prim("List", "append", "push")
def list_append_checked(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 1)
    return _pd.list_append(target, loc, m)


@prim("List", "remove")
def list_remove_checked(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 1)
    return _pd.list_remove(target, loc, m)


@prim("List", "indexOf")
def list_index_of_checked(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 1)
    return _pd.list_index_of(target, loc, m)


@prim("List", "map", "mapInPlace")
def list_map_checked(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 1)
    return _pd.list_map(target, loc, m)


@prim("List", "select", "selectInPlace", "filter")
def list_select_checked(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 1)
    return _pd.list_select(target, loc, m)


@prim("List", "detect")
def list_detect_checked(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 1)
    return _pd.list_detect(target, loc, m)


@prim("List", "groupBy")
def list_group_by(target: Any, loc: Any, m: IoMessage) -> Any:
    """groupBy(expr), groupBy(v, expr) or groupBy(i, v, expr): a Map from each item's key
    (the expression's value as a string) to the list of the items with that key, in order."""
    need_args(target, m, 1)
    groups: Dict[str, Any] = {}

    def add(i: int, x: Any, r: Any) -> None:
        key = S.runtime.as_string(r)
        g = groups.get(key)
        if g is None:
            g = IoList([])
            groups[key] = g
        g.items.append(x)

    _pd._each(m, loc, list(target.items), add)
    return IoMap(groups)


@prim("List", "reverseForeach")
def list_reverse_foreach_checked(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 2)
    return _pd.list_reverse_foreach(target, loc, m)


@prim("List", "appendSeq")
def list_append_seq(target: Any, loc: Any, m: IoMessage) -> Any:
    need_args(target, m, 1)
    for i in range(len(m.args)):
        other = S.runtime.list_arg(target, loc, m, i)
        if other is target:
            raise S.runtime.error("appendSeq: can't append a list to itself", target, m)
        target.items.extend(other.items)
    return target


@prim("List", "itemCopy")
def list_item_copy(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList(list(target.items))


def _sliced(target: Any, loc: Any, m: IoMessage) -> List[Any]:
    items = target.items
    n = len(items)
    start = _int(target, loc, m, 0)
    step = _int(target, loc, m, 2) if len(m.args) > 2 else 1
    if step == 0:
        raise S.runtime.error("slice: step must not be 0", target, m)
    if len(m.args) > 1:
        end = _int(target, loc, m, 1)
    else:
        end = n if step > 0 else -(n + 1)
    if start < 0:
        start += n
    if end < 0:
        end += n
    if step > 0:
        start = max(0, min(start, n))
        end = max(0, min(end, n))
    else:
        start = max(-1, min(start, n - 1))
        end = max(-1, min(end, n - 1))
    out = []
    i = start
    while (i < end) if step > 0 else (i > end):
        out.append(items[i])
        i += step
    return out


@prim("List", "slice", "exSlice")
def list_slice(target: Any, loc: Any, m: IoMessage) -> Any:
    """slice(start[, end[, step]]): end exclusive; negative indices count from the end; a
    negative step walks backwards."""
    return IoList(_sliced(target, loc, m))


@prim("List", "sliceInPlace")
def list_slice_in_place(target: Any, loc: Any, m: IoMessage) -> Any:
    target.items[:] = _sliced(target, loc, m)
    return target


def _reduce(target: Any, loc: Any, m: IoMessage, items: List[Any]) -> Any:
    args = m.args
    if not args or len(args) > 4:
        raise S.runtime.error(
            "%s needs a block, a message, or (accName, valueName, expression[, initialValue]);"
            " got %d arguments" % (m.name, len(args)), target, m)
    if len(args) in (2, 4):
        acc = eval_arg(args[-1], loc)
    elif not items:
        return S.nil
    else:
        acc = items.pop(0)
    if len(args) <= 2:
        a = args[0]
        if a.cached is None and a.next is None and a.name in ("block", "method") and a.args:
            blk = eval_arg(a, loc)
            for x in items:
                acc = _pd.call_block(blk, [acc, x], loc, m)
            return acc
        # reduce(+): send the message to the accumulator with the element as its argument
        for x in items:
            msg = IoMessage(a.name, [IoMessage("<arg>", [], m.line, m.label, x)], m.line,
                            m.label)
            acc = eval_chain(msg, acc, loc)
        return acc
    from .objects import set_slot

    ctx = _pd.loop_context(loc, [args[0].name, args[1].name])
    for x in items:
        set_slot(ctx, args[0].name, acc)
        set_slot(ctx, args[1].name, x)
        acc = eval_arg(args[2], ctx)
    return acc


@prim("List", "reduce", "inject")
def list_reduce(target: Any, loc: Any, m: IoMessage) -> Any:
    """reduce(+), reduce(+, initial), reduce(acc, x, expr[, initial]) or reduce(aBlock)."""
    return _reduce(target, loc, m, list(target.items))


@prim("List", "reverseReduce")
def list_reverse_reduce(target: Any, loc: Any, m: IoMessage) -> Any:
    return _reduce(target, loc, m, target.items[::-1])


# =============================================================================== stop status

from .objects import (BreakSignal, ContinueSignal, IoCall, IoLocals,  # noqa: E402
                      ReturnSignal, lookup, set_slot)
from .prims_core import raw_clone  # noqa: E402


def _status(name: str, value: Any) -> Any:
    proto = lookup(S.runtime.Lobby, name)
    st = raw_clone(proto)
    set_slot(st, "value", value)
    return st


@prim("Object", "stopStatus")
def obj_stop_status(target: Any, loc: Any, m: IoMessage) -> Any:
    """Evaluate the argument and answer how it ended: Normal, Break, Continue or Return (with
    the value in the status's ``value`` slot), stopping the break/continue/return there."""
    try:
        v = eval_arg_at(m, loc, 0)
    except BreakSignal as b:
        return _status("Break", b.value)
    except ContinueSignal:
        return _status("Continue", S.nil)
    except ReturnSignal as r:
        return _status("Return", r.value)
    return _status("Normal", v)


@prim("Call", "setStopStatus")
def call_set_stop_status(target: Any, loc: Any, m: IoMessage) -> Any:
    """The activation this Call describes ends, once its body is done, the way the status says:
    a Return status returns its value from the caller's method, Break/Continue act on the
    caller's loop."""
    st = eval_arg_at(m, loc, 0)
    target.stop = None if st is S.nil or lookup(st, "type") is None else st
    return st


@prim("Call", "stopStatus")
def call_stop_status(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.stop if target.stop is not None else _status("Normal", S.nil)


def raise_stop_status(call: IoCall) -> None:
    """Called by activate when a body finished with a stop status set on its Call."""
    st = call.stop
    call.stop = None
    kind = S.runtime.as_string(S.runtime.send_name(st, "type"))
    v = lookup(st, "value")
    if v is None:
        v = S.nil
    if kind == "Return":
        raise ReturnSignal(v)
    if kind == "Break":
        raise BreakSignal(v)
    if kind == "Continue":
        raise ContinueSignal()


assert IoLocals is not None
