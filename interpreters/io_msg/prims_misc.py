"""Block, Message, Call, System, Date and File primitives."""

from __future__ import annotations

import os
import sys
import time
from typing import Any, List

from . import evaluator as ev
from .evaluator import S, eval_arg, eval_arg_at, eval_chain
from .objects import (ExitSignal, IoBlock, IoCall, IoDate, IoFile, IoList, IoLocals, IoMessage,
                      IoNumber, IoSeq, root_map)
from .runtime import format_number, prim

# =============================================================================== Block


@prim("Block", "call")
def block_call(target: Any, loc: Any, m: IoMessage) -> Any:
    if type(target) is not IoBlock:
        return target
    scope = target.scope if target.scope is not None else loc
    return ev.activate(target, scope, loc, m, None)


@prim("Block", "argumentNames")
def block_arg_names(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList([IoSeq(n) for n in target.argnames])


@prim("Block", "setArgumentNames")
def block_set_arg_names(target: Any, loc: Any, m: IoMessage) -> Any:
    lst = S.runtime.list_arg(target, loc, m, 0)
    from .objects import root_locals_map

    target.argnames = [x.value for x in lst.items]
    target.locals_map = root_locals_map(tuple(["self"] + target.argnames))
    return target


@prim("Block", "message", "body")
def block_message(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.body if target.body is not None else S.nil


@prim("Block", "setMessage", "setBody")
def block_set_message(target: Any, loc: Any, m: IoMessage) -> Any:
    msg = eval_arg_at(m, loc, 0)
    if type(msg) is not IoMessage:
        raise S.runtime.arg_type_error(target, m, 0, "Message", msg)
    target.body = msg
    return target


@prim("Block", "scope")
def block_scope(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.scope if target.scope is not None else S.nil


@prim("Block", "setScope")
def block_set_scope(target: Any, loc: Any, m: IoMessage) -> Any:
    v = eval_arg_at(m, loc, 0)
    target.scope = None if v is S.nil else v
    return target


@prim("Block", "passStops")
def block_pass_stops(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(target.pass_stops)


@prim("Block", "setPassStops")
def block_set_pass_stops(target: Any, loc: Any, m: IoMessage) -> Any:
    target.pass_stops = ev.is_true(eval_arg_at(m, loc, 0))
    return target


@prim("Block", "code", "asString")
def block_code_prim(target: Any, loc: Any, m: IoMessage) -> Any:
    from .runtime import block_code

    return IoSeq(block_code(target))


@prim("Block", "asSimpleString")
def block_simple(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq("method(...)" if target.scope is None else "block(...)")


# =============================================================================== Message


def message_code(m: Any) -> str:
    """Io source for a message chain, printed the way C Io's ``Message code`` does."""
    out: List[str] = []
    while m is not None:
        if m.is_eol:
            out.append(" ;\n")
        else:
            if out and not out[-1].endswith("\n"):
                out.append(" ")
            out.append(m.name)
            if m.args:
                out.append("(" + ", ".join(message_code(a) for a in m.args) + ")")
        m = m.next
    return "".join(out)


def copy_message(m: IoMessage, deep: bool) -> IoMessage:
    c = IoMessage(m.name, [copy_message(a, True) for a in m.args] if deep else list(m.args),
                  m.line, m.label, m.cached)
    if deep and m.next is not None:
        c.next = copy_message(m.next, True)
    else:
        c.next = m.next
    return c


@prim("Message", "name")
def msg_name(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq(target.name)


@prim("Message", "setName")
def msg_set_name(target: Any, loc: Any, m: IoMessage) -> Any:
    name = S.runtime.str_arg(target, loc, m, 0)
    target.name = name
    target.is_eol = name == ";"
    return target


@prim("Message", "arguments")
def msg_arguments(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList(list(target.args))


@prim("Message", "setArguments")
def msg_set_arguments(target: Any, loc: Any, m: IoMessage) -> Any:
    lst = S.runtime.list_arg(target, loc, m, 0)
    for x in lst.items:
        if type(x) is not IoMessage:
            raise S.runtime.error("setArguments: the list must contain only Messages", target, m)
    target.args = list(lst.items)
    return target


@prim("Message", "appendArg")
def msg_append_arg(target: Any, loc: Any, m: IoMessage) -> Any:
    a = eval_arg_at(m, loc, 0)
    if type(a) is not IoMessage:
        raise S.runtime.arg_type_error(target, m, 0, "Message", a)
    target.args = target.args + [a]
    return target


@prim("Message", "argAt")
def msg_arg_at(target: Any, loc: Any, m: IoMessage) -> Any:
    i = S.runtime.int_arg(target, loc, m, 0)
    return target.args[i] if 0 <= i < len(target.args) else S.nil


@prim("Message", "argCount")
def msg_arg_count(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(len(target.args)))


@prim("Message", "next")
def msg_next(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.next if target.next is not None else S.nil


@prim("Message", "setNext")
def msg_set_next(target: Any, loc: Any, m: IoMessage) -> Any:
    n = eval_arg_at(m, loc, 0)
    target.next = n if type(n) is IoMessage else None
    return target


@prim("Message", "last")
def msg_last(target: Any, loc: Any, m: IoMessage) -> Any:
    x = target
    while x.next is not None:
        x = x.next
    return x


@prim("Message", "isEndOfLine")
def msg_is_eol(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(target.is_eol)


@prim("Message", "code", "asString")
def msg_code(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq(message_code(target))


@prim("Message", "clone", "deepCopy")
def msg_clone(target: Any, loc: Any, m: IoMessage) -> Any:
    return copy_message(target, True)


@prim("Message", "lineNumber")
def msg_line(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(target.line))


@prim("Message", "label")
def msg_label(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq(target.label)


@prim("Message", "cachedResult")
def msg_cached(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.cached if target.cached is not None else S.nil


@prim("Message", "setCachedResult")
def msg_set_cached(target: Any, loc: Any, m: IoMessage) -> Any:
    target.cached = eval_arg_at(m, loc, 0)
    return target


@prim("Message", "doInContext")
def msg_do_in_context(target: Any, loc: Any, m: IoMessage) -> Any:
    ctx = eval_arg_at(m, loc, 0) if m.args else loc
    locals_ = eval_arg_at(m, loc, 1) if len(m.args) > 1 else ctx
    return eval_chain(target, ctx, locals_)


@prim("Message", "argsEvaluatedIn")
def msg_args_evaluated_in(target: Any, loc: Any, m: IoMessage) -> Any:
    ctx = eval_arg_at(m, loc, 0)
    return IoList([eval_arg(a, ctx) for a in target.args])


@prim("Message", "evalArgAt")
def msg_eval_arg_at(target: Any, loc: Any, m: IoMessage) -> Any:
    ctx = eval_arg_at(m, loc, 0)
    i = S.runtime.int_arg(target, loc, m, 1)
    return eval_arg_at(target, ctx, i)


@prim("Message", "fromString")
def msg_from_string(target: Any, loc: Any, m: IoMessage) -> Any:
    src = S.runtime.str_arg(target, loc, m, 0)
    msg = S.runtime.parse(src, "fromString")
    return msg if msg is not None else S.nil


@prim("Message", "with")
def msg_with(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoMessage(S.runtime.str_arg(target, loc, m, 0), [], m.line, m.label)


# =============================================================================== Call


@prim("Call", "sender")
def call_sender(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.sender


@prim("Call", "target")
def call_target(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.target


@prim("Call", "message")
def call_message(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.message


@prim("Call", "activated")
def call_activated(target: Any, loc: Any, m: IoMessage) -> Any:
    return target.activated if target.activated is not None else S.nil


@prim("Call", "slotContext")
def call_slot_context(target: Any, loc: Any, m: IoMessage) -> Any:
    from .prims_core import _current_holder

    fake = IoLocals(root_map(()), [], None, target.target, target.message, target.sender,
                    target.activated)
    h = _current_holder(fake)
    return h if h is not None else S.nil


@prim("Call", "evalArgAt")
def call_eval_arg_at(target: Any, loc: Any, m: IoMessage) -> Any:
    i = S.runtime.int_arg(target, loc, m, 0)
    return eval_arg_at(target.message, target.sender, i)


@prim("Call", "argAt")
def call_arg_at(target: Any, loc: Any, m: IoMessage) -> Any:
    i = S.runtime.int_arg(target, loc, m, 0)
    args = target.message.args
    return args[i] if 0 <= i < len(args) else S.nil


@prim("Call", "argCount")
def call_arg_count(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(float(len(target.message.args)))


@prim("Call", "hasArgs")
def call_has_args(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(bool(target.message.args))


@prim("Call", "evalArgs")
def call_eval_args(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList([eval_arg(a, target.sender) for a in target.message.args])


@prim("Call", "delegateTo")
def call_delegate_to(target: Any, loc: Any, m: IoMessage) -> Any:
    other = eval_arg_at(m, loc, 0)
    sender = eval_arg_at(m, loc, 1) if len(m.args) > 1 else target.sender
    msg = copy_message(target.message, False)
    msg.next = None
    return ev.send(other, sender, msg)


@prim("Call", "delegateToMethod")
def call_delegate_to_method(target: Any, loc: Any, m: IoMessage) -> Any:
    other = eval_arg_at(m, loc, 0)
    name = S.runtime.str_arg(target, loc, m, 1)
    msg = copy_message(target.message, False)
    msg.next = None
    msg.name = name
    return ev.send(other, target.sender, msg)


# =============================================================================== System


@prim("System", "args")
def sys_args(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList([IoSeq(a) for a in S.runtime.args])


@prim("System", "exit")
def sys_exit(target: Any, loc: Any, m: IoMessage) -> Any:
    code = S.runtime.int_arg(target, loc, m, 0) if m.args else 0
    raise ExitSignal(code)


@prim("System", "launchPath")
def sys_launch_path(target: Any, loc: Any, m: IoMessage) -> Any:
    a = S.runtime.args
    return IoSeq(os.path.dirname(os.path.abspath(a[0])) if a else os.getcwd())


@prim("System", "launchScript")
def sys_launch_script(target: Any, loc: Any, m: IoMessage) -> Any:
    """The file given on the command line (nil for -e and the REPL, and under --test, where
    the test runner plays the part of C Io's run.io and the file is not the launch script)."""
    ls = getattr(S.runtime, "launch_script", None)
    if ls is None:
        a = S.runtime.args
        ls = a[0] if a and a[0] != "-e" else ""
    return IoSeq(ls) if ls else S.nil


@prim("System", "getEnvironmentVariable")
def sys_getenv(target: Any, loc: Any, m: IoMessage) -> Any:
    v = os.environ.get(S.runtime.str_arg(target, loc, m, 0))
    return S.nil if v is None else IoSeq(v)


@prim("System", "platform")
def sys_platform(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq(sys.platform)


@prim("System", "version")
def sys_version(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq("metatrace-io 0.1")


@prim("System", "sleep")
def sys_sleep(target: Any, loc: Any, m: IoMessage) -> Any:
    time.sleep(S.runtime.num_arg(target, loc, m, 0))
    return target


@prim("System", "errorWrite")
def sys_error_write(target: Any, loc: Any, m: IoMessage) -> Any:
    for a in m.args:
        sys.stderr.write(S.runtime.as_string(eval_arg(a, loc)))
    return target


# =============================================================================== Date


def _date(t: float, proto: Any) -> IoDate:
    d = IoDate(root_map((proto,)), [])
    d.t = t
    return d


@prim("Date", "now")
def date_now(target: Any, loc: Any, m: IoMessage) -> Any:
    if isinstance(target, IoDate):
        target.t = time.time()
        return target
    return _date(time.time(), target)


@prim("Date", "clone")
def date_clone(target: Any, loc: Any, m: IoMessage) -> Any:
    return _date(target.t if isinstance(target, IoDate) else time.time(), target)


@prim("Date", "asNumber", "secondsSince1970")
def date_as_number(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(target.t if isinstance(target, IoDate) else time.time())


@prim("Date", "clock", "cpuSecondsToRun_clock")
def date_clock(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoNumber(time.perf_counter())


@prim("Date", "secondsToRun")
def date_seconds_to_run(target: Any, loc: Any, m: IoMessage) -> Any:
    t0 = time.perf_counter()
    eval_arg_at(m, loc, 0)
    return IoNumber(time.perf_counter() - t0)


@prim("Date", "year", "month", "day", "hour", "minute", "second")
def date_field(target: Any, loc: Any, m: IoMessage) -> Any:
    t = time.localtime(target.t if isinstance(target, IoDate) else time.time())
    return IoNumber(float(getattr(t, "tm_" + {"year": "year", "month": "mon", "day": "mday",
                                                 "hour": "hour", "minute": "min",
                                                 "second": "sec"}[m.name])))


@prim("Date", "-")
def date_minus(target: Any, loc: Any, m: IoMessage) -> Any:
    other = eval_arg_at(m, loc, 0)
    if isinstance(other, IoDate):
        return IoNumber(target.t - other.t)
    return _date(target.t - S.runtime.num_arg(target, loc, m, 0), target)


@prim("Date", "asString")
def date_as_string(target: Any, loc: Any, m: IoMessage) -> Any:
    fmt = S.runtime.str_arg(target, loc, m, 0) if m.args else "%Y-%m-%d %H:%M:%S %Z"
    return IoSeq(time.strftime(fmt, time.localtime(target.t if isinstance(target, IoDate)
                                                   else time.time())))


# =============================================================================== File


def _file(path: str, proto: Any) -> IoFile:
    f = IoFile(root_map((proto,)), [])
    f.path = path
    f.handle = None
    f.mode = "r"
    return f


def _need_file(target: Any, m: IoMessage) -> IoFile:
    if not isinstance(target, IoFile) or not hasattr(target, "path"):
        raise S.runtime.error("File %s: no path set (use File with(path))" % m.name, target, m)
    return target


@prim("File", "with", "clone")
def file_with(target: Any, loc: Any, m: IoMessage) -> Any:
    path = S.runtime.str_arg(target, loc, m, 0) if m.args else ""
    return _file(path, target)


@prim("File", "setPath")
def file_set_path(target: Any, loc: Any, m: IoMessage) -> Any:
    _need_file(target, m).path = S.runtime.str_arg(target, loc, m, 0)
    return target


@prim("File", "path")
def file_path(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq(_need_file(target, m).path)


@prim("File", "name")
def file_name(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoSeq(os.path.basename(_need_file(target, m).path))


@prim("File", "exists")
def file_exists(target: Any, loc: Any, m: IoMessage) -> Any:
    return S.runtime.bool(os.path.exists(_need_file(target, m).path))


@prim("File", "size")
def file_size(target: Any, loc: Any, m: IoMessage) -> Any:
    f = _need_file(target, m)
    try:
        return IoNumber(float(os.path.getsize(f.path)))
    except OSError as e:
        raise S.runtime.error("unable to stat file %s: %s" % (f.path, e.strerror), target, m)


def _open(target: Any, m: IoMessage, mode: str) -> Any:
    f = _need_file(target, m)
    if f.handle is not None:
        f.handle.close()
    try:
        f.handle = open(f.path, mode, encoding="utf-8", newline="")
    except OSError as e:
        raise S.runtime.error("unable to open file %s: %s" % (f.path, e.strerror), target, m)
    f.mode = mode
    return target


@prim("File", "openForReading", "open")
def file_open_read(target: Any, loc: Any, m: IoMessage) -> Any:
    return _open(target, m, "r")


@prim("File", "openForUpdating", "openForWriting")
def file_open_write(target: Any, loc: Any, m: IoMessage) -> Any:
    return _open(target, m, "w")


@prim("File", "openForAppending")
def file_open_append(target: Any, loc: Any, m: IoMessage) -> Any:
    return _open(target, m, "a")


@prim("File", "close")
def file_close(target: Any, loc: Any, m: IoMessage) -> Any:
    f = _need_file(target, m)
    if f.handle is not None:
        f.handle.close()
        f.handle = None
    return target


@prim("File", "write")
def file_write(target: Any, loc: Any, m: IoMessage) -> Any:
    f = _need_file(target, m)
    if f.handle is None:
        _open(target, m, "w")
    for a in m.args:
        f.handle.write(S.runtime.as_string(eval_arg(a, loc)))
    return target


def _read_all(target: Any, m: IoMessage) -> str:
    f = _need_file(target, m)
    try:
        if f.handle is not None and f.mode == "r":
            return f.handle.read()
        with open(f.path, encoding="utf-8", newline="") as h:
            return h.read()
    except OSError as e:
        raise S.runtime.error("unable to open file %s: %s" % (f.path, e.strerror), target, m)
    except UnicodeDecodeError as e:
        raise S.runtime.error("file %s is not UTF-8 text (invalid byte 0x%02x)"
                              % (f.path, e.object[e.start]), target, m)


@prim("File", "contents", "readToEnd", "asString")
def file_contents(target: Any, loc: Any, m: IoMessage) -> Any:
    if m.name == "asString" and not hasattr(target, "path"):
        return IoSeq("File")
    return IoSeq(_read_all(target, m))


@prim("File", "readLines")
def file_read_lines(target: Any, loc: Any, m: IoMessage) -> Any:
    return IoList([IoSeq(x) for x in _read_all(target, m).splitlines()])


@prim("File", "readLine")
def file_read_line(target: Any, loc: Any, m: IoMessage) -> Any:
    f = _need_file(target, m)
    if f.handle is None:
        _open(target, m, "r")
    line = f.handle.readline()
    if not line:
        return S.nil
    return IoSeq(line.rstrip("\n"))


@prim("File", "remove")
def file_remove(target: Any, loc: Any, m: IoMessage) -> Any:
    f = _need_file(target, m)
    try:
        os.remove(f.path)
    except OSError as e:
        raise S.runtime.error("unable to remove file %s: %s" % (f.path, e.strerror), target, m)
    return target


@prim("File", "setContents")
def file_set_contents(target: Any, loc: Any, m: IoMessage) -> Any:
    f = _need_file(target, m)
    s = S.runtime.str_arg(target, loc, m, 0)
    try:
        with open(f.path, "w", encoding="utf-8", newline="") as h:
            h.write(s)
    except OSError as e:
        raise S.runtime.error("unable to open file %s: %s" % (f.path, e.strerror), target, m)
    return target


__all__ = ["message_code", "copy_message", "IoCall", "format_number"]
