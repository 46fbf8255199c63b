"""The Io runtime: boots the object graph (Lobby, Protos, Core), installs the primitives, loads
the Io-level core library (``lib/*.io``) and runs programs.

Primitives are registered with :func:`prim` into per-proto tables; each is a Python function
``fn(target, locals, message)`` that evaluates its own arguments (Io arguments are lazy).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import evaluator as ev
from .lexer import HEXNUMBER, NUMBER, STRING, TRIPLE, IoSyntaxError, Token, read_source
from .objects import (frozen_value, IoBlock, IoCall, IoCFunction, IoError, IoList, IoLocals, IoMap,
                      IoMessage, IoNumber, IoObject, IoSeq, Map, get_own_slot, lookup,
                      mark_proto, root_map, set_slot)
from .parser import DEFAULT_ASSIGN, DEFAULT_OPERATORS, parse

LIB_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib")
LIB_FILES = ("object.io", "number.io", "sequence.io", "list.io", "map.io", "block.io", "range.io",
             "exception.io", "system.io", "coroutine.io", "unittest.io")

_REGISTRY: Dict[str, List[Tuple[str, Callable[..., Any]]]] = {}

# the protos whose primitives work on one Python value kind (the others take any object)
_KIND_OF_OWNER = {name: name for name in ("Number", "Sequence", "List", "Map", "Message",
                                          "Block", "Call", "CFunction", "Date", "File",
                                          "Coroutine")}


def prim(proto: str, *names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as primitive slot(s) ``names`` of the proto called ``proto``."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        lst = _REGISTRY.setdefault(proto, [])
        for n in names:
            lst.append((n, fn))
        return fn

    return deco


def make_string(s: str) -> IoSeq:
    return IoSeq(s)


def make_number(x: float) -> IoNumber:
    return IoNumber(x)


def _literal(tok: Token) -> Any:
    if tok.kind == NUMBER or tok.kind == HEXNUMBER:
        return IoNumber(tok.value)  # type: ignore[arg-type]
    if tok.kind == STRING or tok.kind == TRIPLE:
        return IoSeq(tok.value)  # type: ignore[arg-type]
    raise AssertionError(tok.kind)


def format_number(n: float) -> str:
    """C Io's rules (IoNumber_Double_intoCString_): integral values that fit a C long long
    print as integers, values beyond that range in %e form, everything else with %.16f minus
    trailing 0s."""
    if n != n:
        return "nan"
    if -9223372036854775808.0 <= n < 9223372036854775808.0 and n == int(n):
        return "%d" % int(n)
    if n >= 9223372036854775808.0 or n < -9223372036854775808.0:
        return "%e" % n
    if n == float("-inf"):
        return "-inf"
    s = "%.16f" % n
    s = s.rstrip("0")
    if s.endswith("."):
        s = s[:-1]
    return s


class Runtime:
    def __init__(self, args: Optional[List[str]] = None, out: Any = None) -> None:
        self.args = list(args or [])
        self.out = out if out is not None else sys.stdout
        self.protos: Dict[str, IoObject] = {}
        self.msg_cache: Dict[str, IoMessage] = {}
        self.exit_code: Optional[int] = None
        self.main_coro: Any = None
        self.current_coro: Any = None
        self.boot()

    # ------------------------------------------------------------------ object creation

    def new_object(self, proto: IoObject) -> IoObject:
        mark_proto(proto)
        return IoObject(root_map((proto,)), [])

    def boot(self) -> None:
        ev.S.runtime = self
        ev.S.depth = 0
        ev.S.max_depth = max(200, sys.getrecursionlimit() // 16)
        obj = IoObject(root_map(()), [])
        self.Object = obj
        lobby = IoObject(root_map(()), [])
        protos = IoObject(root_map(()), [])
        core = IoObject(root_map(()), [])
        self.Lobby = lobby
        self.Core = core
        # Object's proto is the Lobby, whose proto is Protos (Core, then Addons): so every
        # object sees the globals, as in C Io.
        from .objects import set_protos

        set_protos(obj, [lobby])
        set_protos(lobby, [protos])
        set_protos(protos, [core])
        set_protos(core, [obj])
        set_slot(protos, "Core", core)
        set_slot(protos, "Addons", self.new_object(obj))
        set_slot(lobby, "Protos", protos)
        set_slot(lobby, "Lobby", lobby)
        set_slot(core, "Object", obj)
        self.protos["Object"] = obj

        def proto(name: str, parent: IoObject = obj) -> IoObject:
            p = self.new_object(parent)
            set_slot(core, name, p)
            self.protos[name] = p
            return p

        nil = proto("nil")
        true = proto("true")
        false = proto("false")
        ev.S.nil, ev.S.true, ev.S.false = nil, true, false
        self.nil, self.true, self.false = nil, true, false

        # value kinds: the proto object holds the primitives; instances share the root map
        num = IoNumber(0.0)
        num.map = root_map((obj,))
        num.slots = []
        mark_proto(num)
        IoNumber.default_map = root_map((num,))
        set_slot(core, "Number", num)
        self.protos["Number"] = num

        seq = IoSeq("", True)
        seq.map = root_map((obj,))
        seq.slots = []
        mark_proto(seq)
        IoSeq.default_map = root_map((seq,))
        set_slot(core, "Sequence", seq)
        self.protos["Sequence"] = seq
        for alias in ("ImmutableSequence", "String", "Symbol"):
            set_slot(core, alias, seq)

        lst = IoList([], root_map((obj,)))
        mark_proto(lst)
        IoList.default_map = root_map((lst,))
        set_slot(core, "List", lst)
        self.protos["List"] = lst

        mp = IoMap({}, root_map((obj,)))
        mark_proto(mp)
        IoMap.default_map = root_map((mp,))
        set_slot(core, "Map", mp)
        self.protos["Map"] = mp

        for name, cls in (("Call", IoCall), ("CFunction", IoCFunction)):
            p = proto(name)
            cls.default_map = root_map((p,))  # type: ignore[attr-defined]
        # Message and Block protos are a message and a block themselves (as in C Io), so their
        # clones are too: ``Message clone name``, ``Block clone setMessage(m) call``
        msg_proto = IoMessage("[unnamed]", [], -1, "[unlabeled]")
        block_proto = IoBlock(None, [], None, False, root_map((obj,)))
        for name, cls, p in (("Message", IoMessage, msg_proto), ("Block", IoBlock, block_proto)):
            p.map = root_map((obj,))
            p.slots = []
            mark_proto(p)
            set_slot(core, name, p)
            self.protos[name] = p
            cls.default_map = root_map((p,))  # type: ignore[attr-defined]

        self.Exception = proto("Exception")
        proto("Coroutine")
        proto("System")
        proto("Date")
        proto("File")
        proto("OperatorTable")
        optable = self.protos["OperatorTable"]
        self.operators = IoMap({k: IoNumber(float(v)) for k, v in DEFAULT_OPERATORS.items()})
        self.assign_operators = IoMap({k: IoSeq(v) for k, v in DEFAULT_ASSIGN.items()})
        set_slot(optable, "operators", self.operators)
        set_slot(optable, "assignOperators", self.assign_operators)

        set_slot(core, "Lobby", lobby)
        # type slots
        for name, p in self.protos.items():
            set_slot(p, "type", IoSeq(name))
        set_slot(lobby, "type", IoSeq("Object"))
        set_slot(core, "type", IoSeq("Core"))
        set_slot(protos, "type", IoSeq("Protos"))

        from . import prims_core, prims_data, prims_misc, coro, prims_compat  # noqa: F401
        from . import prims_codec  # noqa: F401

        for pname, entries in _REGISTRY.items():
            target = self.protos[pname]
            for name, fn in entries:
                set_slot(target, name, IoCFunction(fn, name, pname))
        table = {}
        for name in self.Object.map.names:
            v = get_own_slot(self.Object, name)
            if type(v) is IoCFunction:
                table[name] = v
        ev.LOCALS_PRIMS = table  # a new table per runtime, never changed after (locals_prim)
        coro.init_main(self)
        for fname in LIB_FILES:
            self.do_file(os.path.join(LIB_DIR, fname), self.Lobby, label=fname)

    # ------------------------------------------------------------------ errors

    def make_exception(self, text: str, proto: Optional[IoObject] = None) -> IoObject:
        e = self.new_object(proto if proto is not None else self.Exception)
        set_slot(e, "error", IoSeq(text))
        set_slot(e, "coroutine", self.current_coro if self.current_coro is not None else self.nil)
        return e

    def error(self, text: str, target: Any = None, m: Any = None) -> IoError:
        err = IoError(self.make_exception(text))
        if m is not None:
            err.frames.append((target, m))
        return err

    def exception_of(self, err: IoError) -> IoObject:
        if err.exc is None:
            err.exc = self.make_exception(err.message or "error")
        return err.exc

    def type_name(self, obj: Any) -> str:
        t = lookup(obj, "type")
        if isinstance(t, IoSeq):
            return t.value
        return obj.kind

    def arg_type_error(self, target: Any, m: IoMessage, i: int, want: str, got: Any) -> IoError:
        return self.error("argument %d to method '%s' must be a %s, not a '%s'"
                          % (i, m.name, want, self.type_name(got)), target, m)

    def primitive_fault(self, f: IoCFunction, target: Any, m: IoMessage,
                        exc: BaseException) -> IoError:
        """The Io exception for a Python fault (TypeError, IndexError ...) inside primitive
        ``f``: the primitive was handed something it cannot work with.  A receiver of the wrong
        kind gets C Io's wording; anything else names the primitive and what went wrong."""
        want = _KIND_OF_OWNER.get(f.owner)
        got = getattr(target, "kind", type(target).__name__)
        if want is not None and got != want:
            text = "CFunction defined for type %s but called on type %s" % (want, got)
        elif isinstance(exc, IndexError):
            text = "%s %s: index out of bounds" % (f.owner, f.name)
        elif isinstance(exc, ZeroDivisionError):
            text = "%s %s: division by zero" % (f.owner, f.name)
        elif isinstance(exc, OverflowError):
            text = "%s %s: numeric result out of range" % (f.owner, f.name)
        else:
            text = "%s %s: cannot use these arguments (%s)" % (f.owner, f.name, exc)
        return self.error(text, target, m)

    def send_missing(self, target: Any, locals: Any, m: IoMessage) -> Any:
        fwd = lookup(target, "forward")
        if fwd is not None:
            if type(fwd) is IoBlock and fwd.activatable:
                return ev.activate(fwd, target, locals, m, None)
            if type(fwd) is IoCFunction:
                return ev.call_prim(fwd, target, locals, m)
        raise self.error("%s does not respond to '%s'" % (self.type_name(target), m.name),
                         target, m)

    # ------------------------------------------------------------------ helpers for prims

    def num_arg(self, target: Any, locals: Any, m: IoMessage, i: int) -> float:
        v = ev.eval_arg_at(m, locals, i)
        if type(v) is IoNumber:
            return v.value
        raise self.arg_type_error(target, m, i, "Number", v)

    def int_arg(self, target: Any, locals: Any, m: IoMessage, i: int) -> int:
        """Argument ``i`` as an integer (truncated); NaN and infinities are an Io error."""
        x = self.num_arg(target, locals, m, i)
        if x - x != 0.0:  # NaN or +-inf
            raise self.error("argument %d to method '%s' must be a finite Number, not %s"
                             % (i, m.name, format_number(x)), target, m)
        return int(x)

    def char_arg(self, target: Any, locals: Any, m: IoMessage, i: int) -> str:
        """Argument ``i`` as a character code (0 to 0x10FFFF)."""
        c = self.int_arg(target, locals, m, i)
        if not 0 <= c <= 0x10FFFF:
            raise self.error("argument %d to method '%s' must be a character code (0 to "
                             "1114111), not %d" % (i, m.name, c), target, m)
        return chr(c)

    def str_arg(self, target: Any, locals: Any, m: IoMessage, i: int) -> str:
        v = ev.eval_arg_at(m, locals, i)
        if type(v) is IoSeq:
            return v.value if v.mutable else frozen_value(v)
        raise self.arg_type_error(target, m, i, "Sequence", v)

    def list_arg(self, target: Any, locals: Any, m: IoMessage, i: int) -> IoList:
        v = ev.eval_arg_at(m, locals, i)
        if isinstance(v, IoList):
            return v
        raise self.arg_type_error(target, m, i, "List", v)

    def bool(self, b: bool) -> Any:
        return self.true if b else self.false

    def message_for(self, name: str) -> IoMessage:
        msg = self.msg_cache.get(name)
        if msg is None:
            msg = IoMessage(name, [], 0, "[internal]")
            self.msg_cache[name] = msg
        return msg

    def send_name(self, target: Any, name: str, *args: Any) -> Any:
        if not args:
            return ev.send(target, target, self.message_for(name))
        m = IoMessage(name, [IoMessage("<arg>", [], 0, "[internal]", a) for a in args],
                      0, "[internal]")
        return ev.send(target, target, m)

    def as_string(self, obj: Any) -> str:
        """What ``print`` shows: the result of sending ``asString``."""
        if type(obj) is IoSeq:
            return obj.value
        if type(obj) is IoNumber and lookup(obj, "asString") is get_own_slot(
                self.protos["Number"], "asString"):
            return format_number(obj.value)
        s = self.send_name(obj, "asString")
        if isinstance(s, IoSeq):
            return s.value
        return self.as_string(s)

    def write(self, s: str) -> None:
        self.out.write(s)

    # ------------------------------------------------------------------ running code

    def parse(self, src: str, label: str) -> Optional[IoMessage]:
        ops: Dict[str, int] = {}
        for k, v in self.operators.items.items():
            if type(v) is IoNumber:
                ops[k] = int(v.value)
        assign: Dict[str, str] = {}
        for k, v in self.assign_operators.items.items():
            if type(v) is IoSeq:
                assign[k] = v.value
        return parse(src, label, _literal, ops, assign)

    def do_string(self, src: str, target: Any, label: str = "doString") -> Any:
        try:
            msg = self.parse(src, label)
        except IoSyntaxError as e:
            raise self.error("compile error: %s" % e)
        if msg is None:
            return self.nil
        return ev.eval_chain(msg, target, target)

    def do_file(self, path: str, target: Any, label: Optional[str] = None) -> Any:
        try:
            src = read_source(path, label or path)
            msg = self.parse(src, label or path)
        except OSError as e:
            raise self.error("unable to open file %s: %s" % (path, e.strerror))
        except IoSyntaxError as e:
            raise self.error("compile error: %s" % e)
        if msg is None:
            return self.nil
        return ev.eval_chain(msg, target, target)

    def describe_frame(self, target: Any, m: IoMessage) -> str:
        try:
            tname = self.type_name(target) if target is not None else "Object"
        except Exception:
            tname = "Object"
        s = "%s %s" % (tname, m.name)
        return "%s %s %d" % (s.ljust(36), os.path.basename(m.label), m.line)

    def format_uncaught(self, err: IoError) -> str:
        exc = self.exception_of(err)
        tname = self.type_name(exc)
        e = get_own_slot(exc, "error")
        if e is None:
            e = lookup(exc, "error")
        text = self.as_string(e) if e is not None else "nil"
        lines = ["", "  %s: %s" % (tname, text), "  ---------"]
        frames = err.frames
        if len(frames) > 60:
            head, tail = frames[:40], frames[-10:]
            for target, m in head:
                lines.append("  " + self.describe_frame(target, m))
            lines.append("  ... %d more frames ..." % (len(frames) - 50))
            frames = tail
        for target, m in frames:
            lines.append("  " + self.describe_frame(target, m))
        if not err.frames:
            lines.append("  nothing on stack")
        lines.append("")
        return "\n".join(lines) + "\n"


def block_code(b: IoBlock) -> str:
    from .prims_misc import message_code

    head = "method(" if b.scope is None else "block("  # as C Io: no scope, a method
    parts = list(b.argnames)
    if b.body is not None:
        parts.append(message_code(b.body))
    return head + ", ".join(parts) + ")"


__all__ = ["Runtime", "prim", "format_number", "make_string", "make_number", "IoLocals",
           "Map"]
