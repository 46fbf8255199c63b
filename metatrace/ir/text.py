"""The text form of traces, in the style of PyPy's oparser::

    [i0, r1]
    label(i0, r1)
    debug_merge_point(descr='pc 3: ADD')
    i2 = int_add(i0, 1)
    r3 = getfield(r1, descr=x)
    guard_class(r3, $int) [i2, r3]
    jump(i2, r1)

Values are named by type letter and number.  Constants are Python literals; other objects are
``$name``, resolved through a namespace when parsing.  Guards list their fail arguments in
brackets.  ``format_trace(parse_trace(text, ns), ns)`` gives the text back.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Dict, List, Optional, Sequence

from ..errors import MetatraceError
from .model import Const, FrameSnapshot, InputArg, Op, Snapshot, Trace, Value
from .ops import OPS

IDENT_DESCR_OPS = {"getfield", "setfield"}


class TraceSyntaxError(MetatraceError):
    pass


def _obj_name(obj: Any, names: Dict[int, str]) -> str:
    if id(obj) in names:
        return names[id(obj)]
    name = getattr(obj, "__name__", None)
    if not isinstance(name, str) or not name.isidentifier():
        name = "%s_%x" % (type(obj).__name__, id(obj) & 0xFFFFFF)
    base, n = name, 1
    while name in names.values():
        n += 1
        name = "%s_%d" % (base, n)
    names[id(obj)] = name
    return name


def safe_repr(value: Any, limit: Optional[int] = None) -> str:
    """``repr`` for logs and texts: never raises (a user ``__repr__`` may), and ints past
    ``repr``'s digit limit are written in hex (a literal too, with no such limit)."""
    try:
        if isinstance(value, int) and value.bit_length() > 13000:
            text = hex(value)
        elif type(value) is tuple:
            items = [safe_repr(v) for v in value]
            text = "(%s,)" % items[0] if len(items) == 1 else "(%s)" % ", ".join(items)
        else:
            text = repr(value)
    except Exception as e:
        text = "<%s object: repr failed: %s>" % (type(value).__name__, type(e).__name__)
    return text if limit is None else text[:limit]


def format_const(value: Any, names: Dict[int, str]) -> str:
    if value is None or isinstance(value, (bool, int, float, str)):
        return safe_repr(value)
    if isinstance(value, tuple) and all(v is None or isinstance(v, (bool, int, float, str)) for v in value):
        return safe_repr(value)
    return "$" + _obj_name(value, names)


class Printer:
    def __init__(self, namespace: Optional[Dict[str, Any]] = None) -> None:
        self.names: Dict[int, str] = {}
        if namespace:
            for k, v in namespace.items():
                self.names[id(v)] = k
        self.valnames: Dict[int, str] = {}
        self.counter = 0

    def name(self, v: Value) -> str:
        if isinstance(v, Const):
            return format_const(v.value, self.names)
        if id(v) not in self.valnames:
            t = v.type if v.type in "ifr" else "r"
            self.valnames[id(v)] = "%s%d" % (t, self.counter)
            self.counter += 1
        return self.valnames[id(v)]

    def descr(self, op: Op) -> str:
        return self.descr_text(op.name, op.descr)

    def descr_text(self, name: str, d: Any) -> str:
        if name in IDENT_DESCR_OPS and isinstance(d, str):
            return d
        if name == "getglobal" and isinstance(d, tuple):
            return "%s.%s" % (format_const(d[0], self.names), d[1])
        return format_const(d, self.names)

    def format_op(self, op: Op) -> str:
        snap = op.snapshot if op.is_guard() else None
        return self.format_fields(op, op.name, op.args, op.descr,
                                  snap.values() if snap is not None else None)

    def format_fields(self, op: Op, name: str, opargs: List[Value], descr: Any,
                      failvalues: Optional[List[Value]]) -> str:
        """``op`` as text, from its fields as given (``failvalues``: a guard's resume data)."""
        args = [self.name(a) for a in opargs]
        if descr is not None and name not in ("label", "jump"):
            args.append("descr=" + self.descr_text(name, descr))
        text = "%s(%s)" % (name, ", ".join(args))
        if name == "label" and isinstance(descr, list):
            # the loop proper's variables and the preamble values they start from
            text += " <- (%s)" % ", ".join(self.name(a) for a in descr)
        if op.has_result():
            text = "%s = %s" % (self.name(op), text)
        if failvalues is not None:
            fail = []
            seen = set()
            for v in failvalues:
                if isinstance(v, Const) or id(v) in seen or not isinstance(v, (Op, InputArg)):
                    continue
                seen.add(id(v))
                fail.append(self.name(v))
            text += " [%s]" % ", ".join(fail)
        return text


class RecordedOps:
    """The ops of a trace as recorded, formatted only when asked for (a trace log, ``-:unoptimized``):
    formatting every trace costs about as much as optimizing it.  The optimizer rewrites ops in
    place (new argument lists, new resume data lists, a guard turned around, a label's
    variables), so what formatting reads is kept aside here, as the lists it replaces."""

    def __init__(self, ops: List[Op], inputargs: Sequence[Value], item: Any) -> None:
        self._inputargs = list(inputargs)
        self._item = item  # (op, text) -> the list's entry
        self._recs = []
        for op in ops:
            fail = None
            if op.is_guard() and op.snapshot is not None:
                # the values of the resume data a guard's text lists, not the lists themselves
                # (the optimizer replaces them: keeping both would double their memory)
                # (dict.fromkeys: in order, each once; values compare by identity)
                fail = tuple(v for v in dict.fromkeys(op.snapshot.values()) if isinstance(v, (Op, InputArg)))
            self._recs.append((op, op.name, op.args, op.descr, fail))
        self._done: Optional[List[Any]] = None

    def _materialize(self) -> List[Any]:
        if self._done is None:
            p = Printer()
            for a in self._inputargs:
                p.name(a)
            self._done = [self._item(op, p.format_fields(op, name, args, descr, fail))
                          for op, name, args, descr, fail in self._recs]
            self._recs = []
        return self._done

    def __iter__(self) -> Any:
        return iter(self._materialize())

    def __len__(self) -> int:
        return len(self._done) if self._done is not None else len(self._recs)

    def __getitem__(self, i: Any) -> Any:
        return self._materialize()[i]


def format_trace(trace: Trace, namespace: Optional[Dict[str, Any]] = None) -> str:
    p = Printer(namespace)
    lines = ["[%s]" % ", ".join(p.name(a) for a in trace.inputargs)]
    for op in trace.ops:
        lines.append(p.format_op(op))
    return "\n".join(lines) + "\n"


def format_ops(ops: List[Op], inputargs: List[Value] = (), namespace: Optional[Dict[str, Any]] = None) -> List[str]:
    p = Printer(namespace)
    for a in inputargs:
        p.name(a)
    return [p.format_op(op) for op in ops]


# ---------------------------------------------------------------------------------------------
# parsing

_OPLINE = re.compile(r"^(?:(?P<res>[ifr]\d+)\s*=\s*)?(?P<name>[a-z_0-9]+)\((?P<args>.*)\)\s*(?:\[(?P<fail>[^\]]*)\])?\s*$")


def _split_args(text: str) -> List[str]:
    out, depth, cur, quote = [], 0, [], None
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def parse_trace(text: str, namespace: Optional[Dict[str, Any]] = None) -> Trace:
    ns = namespace or {}
    values: Dict[str, Value] = {}
    lines = [ln.split("#", 1)[0].rstrip() if not ln.lstrip().startswith("debug_merge_point") else ln.rstrip()
             for ln in text.strip().splitlines()]
    lines = [ln.strip() for ln in lines if ln.strip()]
    if not lines or not (lines[0].startswith("[") and lines[0].endswith("]")):
        raise TraceSyntaxError("line 1: a trace starts with its input arguments, e.g. [i0, r1]")
    inputargs: List[InputArg] = []
    for name in _split_args(lines[0][1:-1]):
        if not re.fullmatch(r"[ifr]\d+", name):
            raise TraceSyntaxError("line 1: bad input argument name %r" % name)
        ia = InputArg(name[0])
        values[name] = ia
        inputargs.append(ia)

    def value(tok: str, lineno: int) -> Value:
        if re.fullmatch(r"[ifr]\d+", tok):
            if tok not in values:
                raise TraceSyntaxError("line %d: %s is used before it is defined" % (lineno, tok))
            return values[tok]
        return Const(const(tok, lineno))

    def const(tok: str, lineno: int) -> Any:
        if tok.startswith("$"):
            if tok[1:] not in ns:
                raise TraceSyntaxError("line %d: unknown object constant %s (not in the namespace)" % (lineno, tok))
            return ns[tok[1:]]
        try:
            return ast.literal_eval(tok)
        except (ValueError, SyntaxError):
            raise TraceSyntaxError("line %d: cannot read value %r" % (lineno, tok))

    ops: List[Op] = []
    for lineno, line in enumerate(lines[1:], start=2):
        m = _OPLINE.match(line)
        if not m:
            raise TraceSyntaxError("line %d: cannot parse %r" % (lineno, line))
        name = m.group("name")
        if name not in OPS:
            raise TraceSyntaxError("line %d: unknown op %r" % (lineno, name))
        args: List[Value] = []
        descr: Any = None
        for tok in _split_args(m.group("args")):
            if tok.startswith("descr="):
                d = tok[len("descr="):]
                if name in IDENT_DESCR_OPS and d.isidentifier():
                    descr = d
                elif name == "getglobal" and "." in d:
                    mod, _, gname = d.rpartition(".")
                    descr = (const(mod, lineno), gname)
                else:
                    descr = const(d, lineno)
            else:
                args.append(value(tok, lineno))
        spec = OPS[name]
        if spec.arity >= 0 and len(args) != spec.arity:
            raise TraceSyntaxError("line %d: %s takes %d arguments, got %d" % (lineno, name, spec.arity, len(args)))
        res = m.group("res")
        op = Op(name, args, descr, type=res[0] if res else None)
        if res:
            values[res] = op
        if spec.is_guard:
            fail = [value(t, lineno) for t in _split_args(m.group("fail") or "")]
            op.snapshot = Snapshot([FrameSnapshot(None, 0, list(enumerate(fail)))])
        ops.append(op)
    return Trace(inputargs, ops)
