"""The codewriter: a Python function's AST -> :class:`JitCode`.

Covers the Python that interpreters are written in (see docs/supported-python.md).  Anything
else raises :class:`Unsupported` with the construct and line; the tracer then treats the
function as a residual call (or, for a portal, the decorator reports a :class:`PortalError`).
"""

from __future__ import annotations

import ast
import builtins
import linecache
import textwrap
import types
import warnings
from typing import Any, Dict, List, Optional, Set, Tuple

from .. import hints
from .jitcode import UNBOUND, JitCode


class Unsupported(Exception):
    """The function uses Python the codewriter does not model."""

    def __init__(self, construct: str, lineno: int, filename: str = "") -> None:
        self.construct = construct
        self.lineno = lineno
        self.filename = filename
        super().__init__("%s:%d: %s" % (filename, lineno, construct))


class Label:
    __slots__ = ("pc",)

    def __init__(self) -> None:
        self.pc = -1


_BINOPS = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv", ast.FloorDiv: "floordiv",
    ast.Mod: "mod", ast.Pow: "pow", ast.LShift: "lshift", ast.RShift: "rshift",
    ast.BitAnd: "and", ast.BitOr: "or", ast.BitXor: "xor", ast.MatMult: "matmul",
}
_UNOPS = {ast.USub: "neg", ast.UAdd: "pos", ast.Invert: "invert", ast.Not: "not"}
_CMPOPS = {
    ast.Lt: "lt", ast.LtE: "le", ast.Eq: "eq", ast.NotEq: "ne", ast.Gt: "gt", ast.GtE: "ge",
    ast.Is: "is", ast.IsNot: "is_not", ast.In: "in", ast.NotIn: "not_in",
}


def get_function_ast(func: Any) -> Tuple[ast.FunctionDef, str, int]:
    """The ``def`` node of ``func``, its file name and the line offset to add to AST lines."""
    code = func.__code__
    filename = code.co_filename
    span = _def_span(func)
    if span is not None:
        # parsed where it stands in its file (blank lines before it): the nodes carry the
        # file's line numbers, offset 0, and the portal rewrite has no lines to renumber
        lines, first = span
        lines = ["\n"] * (first - 1) + lines
        start, where = 1, first
    else:
        import inspect  # only here: importing it is 3 ms of every JIT-on start-up

        try:
            lines, start = inspect.getsourcelines(func)
        except (OSError, TypeError):
            raise Unsupported("source code not available", code.co_firstlineno, filename)
        where = start
    src = textwrap.dedent("".join(lines))
    try:
        tree = ast.parse(src)
    except SyntaxError:
        raise Unsupported("source could not be parsed on its own", code.co_firstlineno, filename)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if isinstance(node, ast.AsyncFunctionDef):
                raise Unsupported("async function", where, filename)
            return node, filename, start - 1
    raise Unsupported("function definition not found in its source (a lambda?)", code.co_firstlineno, filename)


# file name -> (the lines linecache holds for it, {(first line, name): (first line, last line)}
# of every def in it): one parse of the whole file finds where each function's source ends,
# where inspect.getsourcelines tokenizes the file (in Python) for every function it is asked
# for -- 7 ms for the SOM interpreter's portal, paid by every process at import and again for
# every function the tracer first meets
_SPANS: Dict[str, Tuple[List[str], Dict[Tuple[int, str], Tuple[int, int]]]] = {}


_BODIES = ("body", "orelse", "finalbody")


def _def_span(func: Any) -> Optional[Tuple[List[str], int]]:
    """The source lines of ``func``'s ``def`` (decorators included) and the number of the
    first, or None when the file's parse does not say (inspect's way is then taken)."""
    code = func.__code__
    filename = code.co_filename
    try:
        lines = linecache.getlines(filename, getattr(func, "__globals__", None))
    except Exception:
        return None
    if not lines:
        return None
    cached = _SPANS.get(filename)
    if cached is None or cached[0] is not lines:
        index: Dict[Tuple[int, str], Tuple[int, int]] = {}
        try:
            with warnings.catch_warnings():
                # what the file's other code would warn about (`x is 1`) is not ours to say
                warnings.simplefilter("ignore")
                module = ast.parse("".join(lines))
        except (SyntaxError, ValueError):
            module = None
        stack = [module.body] if module is not None else []
        while stack:  # statements only (ast.walk would visit every expression too)
            for node in stack.pop():
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    first = min([d.lineno for d in node.decorator_list] + [node.lineno])
                    key = (first, node.name)
                    # two defs of one name on one line: ambiguous, left to inspect
                    index[key] = (0, 0) if key in index else (first, node.end_lineno or node.lineno)
                for field in _BODIES:
                    sub = getattr(node, field, None)
                    if sub:
                        stack.append(sub)
                for handler in getattr(node, "handlers", ()):
                    stack.append(handler.body)
                for case in getattr(node, "cases", ()):
                    stack.append(case.body)
        cached = _SPANS[filename] = (lines, index)
    first, last = cached[1].get((code.co_firstlineno, code.co_name), (0, 0))
    if not first:
        return None
    return lines[first - 1:last], first


class _Block:
    """An entry of the compile-time block stack (loops, try regions, except handlers)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.break_label: Optional[Label] = None
        self.continue_label: Optional[Label] = None
        self.finalbody: Optional[List[ast.stmt]] = None
        self.region: Optional["_Region"] = None
        self.exc_reg = -1


class _Region:
    """A protected range (possibly split into segments) with its handler."""

    def __init__(self, handler: Label, exc_reg: int) -> None:
        self.handler = handler
        self.exc_reg = exc_reg
        self.segments: List[Tuple[int, int]] = []
        self.start: Optional[int] = None


class CodeWriter:
    def __init__(self, func: Any, portal: bool = False) -> None:
        self.func = func
        self.portal = portal
        node, filename, offset = get_function_ast(func)
        self.node = node
        self.filename = filename
        self.offset = offset
        self.jitcode = JitCode(getattr(func, "__qualname__", func.__name__), func)
        self.jitcode.filename = filename
        self.jitcode.firstlineno = func.__code__.co_firstlineno
        self.code: List[list] = []
        self.lines: List[int] = []
        self.lineno = func.__code__.co_firstlineno
        self.nregs = 0
        self.consts: Dict[Any, int] = {}
        self.const_values: Dict[int, Any] = {}
        self.locals: Dict[str, int] = {}
        self.blocks: List[_Block] = []
        self.regions: List[_Region] = []  # finished regions, innermost first
        self.freevars = func.__code__.co_freevars
        self.globals = func.__globals__
        self.merge_points = 0

    # -- helpers ------------------------------------------------------------------------
    def unsupported(self, what: str, node: Optional[ast.AST] = None) -> Unsupported:
        line = self.offset + getattr(node, "lineno", 0) if node is not None and hasattr(node, "lineno") else self.lineno
        return Unsupported(what, line, self.filename)

    def newreg(self) -> int:
        r = self.nregs
        self.nregs += 1
        return r

    def const(self, value: Any) -> int:
        key: Any
        try:
            key = (type(value), value, repr(value) if isinstance(value, float) else None)
            hash(key)
        except TypeError:
            key = ("id", id(value))
        if key not in self.consts:
            r = self.newreg()
            self.consts[key] = r
            self.const_values[r] = value
        return self.consts[key]

    def emit(self, *ins: Any) -> int:
        self.code.append(list(ins))
        self.lines.append(self.lineno)
        return len(self.code) - 1

    def mark(self, label: Label) -> None:
        label.pc = len(self.code)

    def local(self, name: str) -> int:
        if name not in self.locals:
            r = self.newreg()
            self.locals[name] = r
            self.jitcode.regnames[r] = name
        return self.locals[name]

    # -- entry --------------------------------------------------------------------------
    def compile(self) -> JitCode:
        node = self.node
        args = node.args
        if args.vararg or args.kwarg:
            raise self.unsupported("*args/**kwargs parameters", node)
        if args.kwonlyargs:
            raise self.unsupported("keyword-only parameters", node)
        params = [a.arg for a in list(getattr(args, "posonlyargs", [])) + list(args.args)]
        for p in params:
            self.jitcode.param_regs.append(self.local(p))
        assigned = _assigned_names(node, self)
        for name in sorted(assigned):
            if name in self.freevars:
                raise self.unsupported("assignment to a closure variable %r" % name, node)
            self.local(name)
        for stmt in node.body:
            self.stmt(stmt)
        self.lineno = self.offset + (getattr(node.body[-1], "end_lineno", None) or node.body[-1].lineno)
        self.emit("return", self.const(None))
        return self.finish()

    def finish(self) -> JitCode:
        jc = self.jitcode
        code: List[tuple] = []
        for ins in self.code:
            out = []
            for x in ins:
                if isinstance(x, Label):
                    assert x.pc >= 0
                    x = x.pc
                out.append(x)
            code.append(tuple(out))
        jc.code = code
        jc.lines = self.lines
        jc.nregs = self.nregs
        init: List[Any] = [UNBOUND] * self.nregs
        for r, v in self.const_values.items():
            init[r] = v
        jc.init_regs = init
        jc.const_regs = frozenset(self.const_values)
        table = []
        for region in self.regions:
            for start, end in region.segments:
                if end > start:
                    table.append((start, end, region.handler.pc, region.exc_reg))
        jc.exc_table = table
        jc.prune_bound_checks(self.consts.get((type(UNBOUND), UNBOUND, None), -1))
        jc.drop_nops()
        jc.compute_liveness()
        return jc

    # -- statements ---------------------------------------------------------------------
    def stmt(self, node: ast.stmt) -> None:
        self.lineno = self.offset + node.lineno
        meth = getattr(self, "stmt_" + type(node).__name__, None)
        if meth is None:
            raise self.unsupported("statement %s" % type(node).__name__, node)
        meth(node)

    def stmt_Pass(self, node: ast.Pass) -> None:
        pass

    def stmt_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call):
            hint = self.static_callee(node.value.func)
            if hint is hints.jit_merge_point or hint is hints.can_enter_jit:
                self.merge_point_stmt(node.value, hint)
                return
        if isinstance(node.value, ast.Constant):  # docstrings
            return
        self.expr(node.value)

    def merge_point_stmt(self, call: ast.Call, hint: Any) -> None:
        if not self.portal:
            raise self.unsupported("%s outside the portal" % hint.__name__, call)
        if hint is hints.jit_merge_point:
            self.merge_points += 1
            self.jitcode.merge_point_pc = self.emit("merge_point")
        else:
            self.jitcode.can_enter_jit_pcs.append(self.emit("can_enter_jit"))

    def stmt_Assign(self, node: ast.Assign) -> None:
        value = self.expr(node.value)
        for target in node.targets:
            self.assign(target, value)

    def stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assign(node.target, self.expr(node.value))

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        op = _BINOPS[type(node.op)]
        t = node.target
        if isinstance(t, ast.Name):
            cur = self.load_name(t.id, t)
            res = self.newreg()
            self.emit("inplace", res, op, cur, self.expr(node.value))
            self.assign(t, res)
        elif isinstance(t, ast.Attribute):
            obj = self.expr(t.value)
            cur = self.newreg()
            self.emit("getattr", cur, obj, self.attr(t.attr))
            res = self.newreg()
            self.emit("inplace", res, op, cur, self.expr(node.value))
            self.emit("setattr", obj, self.attr(t.attr), res)
        elif isinstance(t, ast.Subscript):
            obj = self.expr(t.value)
            idx = self.subscript_index(t)
            cur = self.newreg()
            self.emit("getitem", cur, obj, idx)
            res = self.newreg()
            self.emit("inplace", res, op, cur, self.expr(node.value))
            self.emit("setitem", obj, idx, res)
        else:
            raise self.unsupported("augmented assignment to %s" % type(t).__name__, node)

    def assign(self, target: ast.expr, value: int) -> None:
        if isinstance(target, ast.Name):
            if target.id not in self.locals:
                raise self.unsupported("assignment to non-local name %r" % target.id, target)
            self.emit("move", self.locals[target.id], value)
        elif isinstance(target, ast.Attribute):
            obj = self.expr(target.value)
            self.emit("setattr", obj, self.attr(target.attr), value)
        elif isinstance(target, ast.Subscript):
            obj = self.expr(target.value)
            idx = self.subscript_index(target)
            self.emit("setitem", obj, idx, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if any(isinstance(e, ast.Starred) for e in target.elts):
                raise self.unsupported("starred assignment", target)
            regs = [self.newreg() for _ in target.elts]
            self.emit("unpack", regs, value)
            for elt, r in zip(target.elts, regs):
                self.assign(elt, r)
        else:
            raise self.unsupported("assignment to %s" % type(target).__name__, target)

    def stmt_Delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            if isinstance(t, ast.Subscript):
                self.emit("delitem", self.expr(t.value), self.subscript_index(t))
            else:
                raise self.unsupported("del of %s" % type(t).__name__, node)

    def stmt_If(self, node: ast.If) -> None:
        else_label, end = Label(), Label()
        cond = self.expr(node.test)
        self.emit("goto_if_not", cond, else_label)
        for s in node.body:
            self.stmt(s)
        if node.orelse:
            self.emit("goto", end)
        self.mark(else_label)
        for s in node.orelse:
            self.stmt(s)
        self.mark(end)

    def stmt_While(self, node: ast.While) -> None:
        self.jitcode.has_loop = True
        top, end, brk = Label(), Label(), Label()
        self.mark(top)
        if not (isinstance(node.test, ast.Constant) and node.test.value):
            self.lineno = self.offset + node.lineno
            cond = self.expr(node.test)
            self.emit("goto_if_not", cond, end)
        self.loop_body(node.body, brk, top)
        self.loop_tail(top, end, brk, node.orelse)

    def stmt_For(self, node: ast.For) -> None:
        self.jitcode.has_loop = True
        it = node.iter
        if (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"
                and "range" not in self.locals and "range" not in self.globals
                and not it.keywords and 1 <= len(it.args) <= 3
                and not any(isinstance(a, ast.Starred) for a in it.args)):
            step_val = 1
            if len(it.args) == 3:
                s = it.args[2]
                if isinstance(s, ast.UnaryOp) and isinstance(s.op, ast.USub) and isinstance(s.operand, ast.Constant):
                    step_val = -s.operand.value
                elif isinstance(s, ast.Constant):
                    step_val = s.value
                else:
                    step_val = None  # type: ignore[assignment]
            if isinstance(step_val, int) and not isinstance(step_val, bool) and step_val != 0:
                self.range_loop(node, step_val)
                return
        seq = self.expr(it)
        itreg = self.newreg()
        self.emit("getiter", itreg, seq)
        top, end, brk = Label(), Label(), Label()
        self.mark(top)
        item = self.newreg()
        self.lineno = self.offset + node.lineno
        self.emit("for_iter", item, itreg, end)
        self.assign(node.target, item)
        self.loop_body(node.body, brk, top)
        self.loop_tail(top, end, brk, node.orelse)

    def range_loop(self, node: ast.For, step: int) -> None:
        args = node.iter.args  # type: ignore[attr-defined]
        if len(args) == 1:
            start = self.const(0)
            stop = self.expr(args[0])
        else:
            start = self.expr(args[0])
            stop = self.expr(args[1])
        counter, limit = self.newreg(), self.newreg()
        self.emit("move", counter, start)
        self.emit("move", limit, stop)
        self.emit("range_check", counter, limit, self.const(step))
        top, end, brk = Label(), Label(), Label()
        self.mark(top)
        cond = self.newreg()
        self.lineno = self.offset + node.lineno
        self.emit("compare", cond, "lt" if step > 0 else "gt", counter, limit)
        self.emit("goto_if_not", cond, end)
        item = self.newreg()
        self.emit("move", item, counter)
        self.emit("binop", counter, "add", counter, self.const(step))
        self.assign(node.target, item)
        self.loop_body(node.body, brk, top)
        self.loop_tail(top, end, brk, node.orelse)

    def loop_tail(self, top: Label, end: Label, brk: Label, orelse: List[ast.stmt]) -> None:
        """Back edge, then the loop's ``else:`` (run when the loop ends without ``break``)."""
        self.emit("goto", top)
        self.mark(end)
        for s in orelse:
            self.stmt(s)
        self.mark(brk)

    def loop_body(self, body: List[ast.stmt], brk: Label, cont: Label) -> None:
        blk = _Block("loop")
        blk.break_label = brk
        blk.continue_label = cont
        self.blocks.append(blk)
        for s in body:
            self.stmt(s)
        self.blocks.pop()

    def _loop_index(self, node: ast.stmt) -> int:
        for i in range(len(self.blocks) - 1, -1, -1):
            if self.blocks[i].kind == "loop":
                return i
        raise self.unsupported("break/continue outside a loop", node)

    def stmt_Break(self, node: ast.Break) -> None:
        i = self._loop_index(node)
        self.exit_blocks(i + 1, self.blocks[i].break_label)

    def stmt_Continue(self, node: ast.Continue) -> None:
        i = self._loop_index(node)
        self.exit_blocks(i + 1, self.blocks[i].continue_label)

    def stmt_Return(self, node: ast.Return) -> None:
        value = self.expr(node.value) if node.value is not None else self.const(None)
        if any(b.kind == "finally" for b in self.blocks):
            tmp = self.newreg()
            self.emit("move", tmp, value)
            value = tmp
        self.exit_blocks(0, None, value)

    def exit_blocks(self, depth: int, target: Optional[Label], retval: int = -1) -> None:
        """Leave the blocks above ``depth``: run finally bodies, then jump or return."""
        exited = self.blocks[depth:]
        suspended = []
        saved = self.blocks
        for i in range(len(exited) - 1, -1, -1):
            blk = exited[i]
            if blk.region is not None and blk.region.start is not None:
                self.suspend(blk.region)
                suspended.append(blk.region)
            if blk.kind == "finally":
                self.blocks = saved[:depth + i]
                for s in blk.finalbody or []:
                    self.stmt(s)
                self.blocks = saved
        if target is not None:
            self.emit("goto", target)
        else:
            self.emit("return", retval)
        for region in suspended:
            self.resume(region)

    def suspend(self, region: _Region) -> None:
        if region.start is not None:
            region.segments.append((region.start, len(self.code)))
            region.start = None

    def resume(self, region: _Region) -> None:
        region.start = len(self.code)

    def stmt_Raise(self, node: ast.Raise) -> None:
        if node.exc is None:
            for blk in reversed(self.blocks):
                if blk.kind == "handler":
                    self.emit("raise", blk.exc_reg)
                    return
            raise self.unsupported("bare raise outside an except block", node)
        if node.cause is not None:
            raise self.unsupported("raise ... from ...", node)
        self.emit("raise", self.expr(node.exc))

    def stmt_Assert(self, node: ast.Assert) -> None:
        ok = Label()
        cond = self.expr(node.test)
        self.emit("goto_if", cond, ok)
        args = [self.expr(node.msg)] if node.msg is not None else []
        exc = self.newreg()
        self.emit("call", exc, self.const(AssertionError), args, ())
        self.emit("raise", exc)
        self.mark(ok)

    def stmt_Try(self, node: ast.Try) -> None:
        if node.finalbody:
            self.try_finally(node)
        else:
            self.try_except(node.body, node.handlers, node.orelse, node)

    def try_finally(self, node: ast.Try) -> None:
        handler, end = Label(), Label()
        exc_reg = self.newreg()
        region = _Region(handler, exc_reg)
        blk = _Block("finally")
        blk.finalbody = node.finalbody
        blk.region = region
        self.blocks.append(blk)
        self.resume(region)
        if node.handlers or node.orelse:
            self.try_except(node.body, node.handlers, node.orelse, node)
        else:
            for s in node.body:
                self.stmt(s)
        self.suspend(region)
        self.blocks.pop()
        self.regions.append(region)
        for s in node.finalbody:  # normal exit
            self.stmt(s)
        self.emit("goto", end)
        self.mark(handler)  # exceptional exit
        hblk = _Block("handler")
        hblk.exc_reg = exc_reg
        self.blocks.append(hblk)
        for s in node.finalbody:
            self.stmt(s)
        self.blocks.pop()
        self.emit("raise", exc_reg)
        self.mark(end)

    def try_except(self, body: List[ast.stmt], handlers: List[ast.ExceptHandler],
                   orelse: List[ast.stmt], node: ast.AST) -> None:
        if not handlers:
            for s in body + orelse:
                self.stmt(s)
            return
        handler, end = Label(), Label()
        exc_reg = self.newreg()
        region = _Region(handler, exc_reg)
        blk = _Block("except")
        blk.region = region
        self.blocks.append(blk)
        self.resume(region)
        for s in body:
            self.stmt(s)
        self.suspend(region)
        self.blocks.pop()
        self.regions.append(region)
        for s in orelse:
            self.stmt(s)
        self.emit("goto", end)
        self.mark(handler)
        hblk = _Block("handler")
        hblk.exc_reg = exc_reg
        self.blocks.append(hblk)
        for h in handlers:
            self.lineno = self.offset + h.lineno
            nxt = Label()
            if h.type is not None:
                typ = self.expr(h.type)
                m = self.newreg()
                self.emit("exc_match", m, exc_reg, typ)
                self.emit("goto_if_not", m, nxt)
            if h.name:
                self.emit("move", self.local(h.name), exc_reg)
            for s in h.body:
                self.stmt(s)
            if h.name:  # CPython deletes the name at the end of the handler
                self.emit("move", self.local(h.name), self.const(UNBOUND))
            self.emit("goto", end)
            self.mark(nxt)
        self.blocks.pop()
        self.emit("raise", exc_reg)
        self.mark(end)

    # -- expressions --------------------------------------------------------------------
    def expr(self, node: ast.expr) -> int:
        meth = getattr(self, "expr_" + type(node).__name__, None)
        if meth is None:
            raise self.unsupported("expression %s" % type(node).__name__, node)
        return meth(node)

    def expr_Constant(self, node: ast.Constant) -> int:
        return self.const(node.value)

    def expr_Name(self, node: ast.Name) -> int:
        return self.load_name(node.id, node)

    def load_name(self, name: str, node: ast.AST) -> int:
        if name in self.locals:
            r = self.locals[name]
            # reading a local that may be unbound raises UnboundLocalError, as in CPython;
            # finish() turns the checks of locals bound on every path into nops
            self.emit("check_bound", r, name)
            return r
        d = self.newreg()
        if name in self.freevars:
            self.emit("getderef", d, self.freevars.index(name))
        else:
            self.emit("getglobal", d, name)
        return d

    def attr(self, name: str) -> str:
        """Private names (``__x``) are mangled with the enclosing class, as CPython does."""
        if name.startswith("__") and not name.endswith("__"):
            parts = self.func.__qualname__.split(".")
            if len(parts) >= 2 and parts[-2] != "<locals>":
                cls = parts[-2].lstrip("_")
                if cls:
                    return "_%s%s" % (cls, name)
        return name

    def expr_Attribute(self, node: ast.Attribute) -> int:
        obj = self.expr(node.value)
        d = self.newreg()
        self.emit("getattr", d, obj, self.attr(node.attr))
        return d

    def subscript_index(self, node: ast.Subscript) -> int:
        sl = node.slice
        if isinstance(sl, ast.Index):  # Python 3.8 AST
            sl = sl.value  # type: ignore[attr-defined]
        if isinstance(sl, ast.Slice):
            parts = [self.expr(p) if p is not None else self.const(None) for p in (sl.lower, sl.upper, sl.step)]
            d = self.newreg()
            self.emit("build_slice", d, parts[0], parts[1], parts[2])
            return d
        return self.expr(sl)

    def expr_Subscript(self, node: ast.Subscript) -> int:
        obj = self.expr(node.value)
        idx = self.subscript_index(node)
        d = self.newreg()
        self.emit("getitem", d, obj, idx)
        return d

    def expr_BinOp(self, node: ast.BinOp) -> int:
        a = self.expr(node.left)
        b = self.expr(node.right)
        d = self.newreg()
        self.emit("binop", d, _BINOPS[type(node.op)], a, b)
        return d

    def expr_UnaryOp(self, node: ast.UnaryOp) -> int:
        a = self.expr(node.operand)
        d = self.newreg()
        self.emit("unop", d, _UNOPS[type(node.op)], a)
        return d

    def expr_BoolOp(self, node: ast.BoolOp) -> int:
        d = self.newreg()
        end = Label()
        jump = "goto_if_not" if isinstance(node.op, ast.And) else "goto_if"
        for i, v in enumerate(node.values):
            self.emit("move", d, self.expr(v))
            if i < len(node.values) - 1:
                self.emit(jump, d, end)
        self.mark(end)
        return d

    def expr_Compare(self, node: ast.Compare) -> int:
        d = self.newreg()
        end = Label()
        left = self.expr(node.left)
        for i, (op, comp) in enumerate(zip(node.ops, node.comparators)):
            right = self.expr(comp)
            self.emit("compare", d, _CMPOPS[type(op)], left, right)
            if i < len(node.ops) - 1:
                self.emit("goto_if_not", d, end)
            left = right
        self.mark(end)
        return d

    def expr_IfExp(self, node: ast.IfExp) -> int:
        d = self.newreg()
        other, end = Label(), Label()
        self.emit("goto_if_not", self.expr(node.test), other)
        self.emit("move", d, self.expr(node.body))
        self.emit("goto", end)
        self.mark(other)
        self.emit("move", d, self.expr(node.orelse))
        self.mark(end)
        return d

    def _elts(self, elts: List[ast.expr]) -> List[int]:
        if any(isinstance(e, ast.Starred) for e in elts):
            raise self.unsupported("starred expression in a display", elts[0])
        return [self.expr(e) for e in elts]

    def expr_Tuple(self, node: ast.Tuple) -> int:
        regs = self._elts(node.elts)
        d = self.newreg()
        self.emit("build_tuple", d, regs)
        return d

    def expr_List(self, node: ast.List) -> int:
        regs = self._elts(node.elts)
        d = self.newreg()
        self.emit("build_list", d, regs)
        return d

    def expr_Set(self, node: ast.Set) -> int:
        regs = self._elts(node.elts)
        d = self.newreg()
        self.emit("build_set", d, regs)
        return d

    def expr_Dict(self, node: ast.Dict) -> int:
        regs: List[int] = []
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise self.unsupported("**mapping in a dict display", node)
            regs.append(self.expr(k))
            regs.append(self.expr(v))
        d = self.newreg()
        self.emit("build_dict", d, regs)
        return d

    def static_callee(self, func: ast.expr) -> Any:
        """Resolve ``name`` or ``module.name`` to an object at compile time (for hints)."""
        try:
            if isinstance(func, ast.Name):
                if func.id in self.locals:
                    return None
                return self.globals.get(func.id, getattr(builtins, func.id, None))
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                mod = self.globals.get(func.value.id)
                if isinstance(mod, types.ModuleType):
                    return getattr(mod, func.attr, None)
        except Exception:
            return None
        return None

    def call_args(self, node: ast.Call) -> Tuple[List[int], Tuple[str, ...]]:
        args: List[int] = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise self.unsupported("*args in a call", node)
            args.append(self.expr(a))
        kwnames: List[str] = []
        for kw in node.keywords:
            if kw.arg is None:
                raise self.unsupported("**kwargs in a call", node)
            kwnames.append(kw.arg)
            args.append(self.expr(kw.value))
        return args, tuple(kwnames)

    def expr_Call(self, node: ast.Call) -> int:
        callee = self.static_callee(node.func)
        if callee is hints.jit_merge_point or callee is hints.can_enter_jit:
            raise self.unsupported("%s used as an expression" % callee.__name__, node)
        if callee is super or (isinstance(node.func, ast.Name) and node.func.id in ("locals", "globals", "vars", "eval", "exec")
                               and node.func.id not in self.locals):
            raise self.unsupported("call of %s()" % getattr(node.func, "id", "?"), node)
        d = self.newreg()
        if isinstance(node.func, ast.Attribute):
            obj = self.expr(node.func.value)
            args, kw = self.call_args(node)
            self.emit("callmeth", d, obj, self.attr(node.func.attr), args, kw)
        else:
            f = self.expr(node.func)
            args, kw = self.call_args(node)
            self.emit("call", d, f, args, kw)
        return d


def _assigned_names(fnode: ast.FunctionDef, cw: CodeWriter) -> Set[str]:
    """Names Python makes local to the function; rejects constructs we do not model."""
    out: Set[str] = set()
    for node in _walk_own(fnode):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            raise cw.unsupported("%s statement" % type(node).__name__.lower(), node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            raise cw.unsupported("nested %s" % type(node).__name__, node)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            raise cw.unsupported("comprehension (%s)" % type(node).__name__, node)
        if isinstance(node, (ast.Yield, ast.YieldFrom, ast.Await)):
            raise cw.unsupported("generator (yield)", node)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            raise cw.unsupported("with statement", node)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise cw.unsupported("import statement", node)
        if isinstance(node, ast.JoinedStr):
            raise cw.unsupported("f-string", node)
        if isinstance(node, ast.NamedExpr):
            raise cw.unsupported("assignment expression (:=)", node)
        if type(node).__name__ in ("Match", "TryStar"):
            raise cw.unsupported("%s statement" % type(node).__name__.lower(), node)
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            if isinstance(node.ctx, ast.Del):
                raise cw.unsupported("del of a local variable", node)
            out.add(node.id)
        if isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
    return out


def _walk_own(fnode: ast.FunctionDef):
    """ast.walk over the function body (decorators and defaults belong to the outer scope)."""
    stack: List[ast.AST] = list(fnode.body)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(ast.iter_child_nodes(node))


_cache: Dict[Any, Any] = {}


def jitcode_for(func: Any) -> Any:
    """The jitcode of ``func`` (cached), or the :class:`Unsupported` reason it has none."""
    code = getattr(func, "__code__", None)
    key = (code, id(func.__globals__)) if code is not None else id(func)
    try:
        return _cache[key]
    except KeyError:
        pass
    try:
        jc: Any = CodeWriter(func).compile()
    except Unsupported as exc:
        jc = exc
    except RecursionError:
        jc = Unsupported("function too deeply nested to compile", getattr(code, "co_firstlineno", 0),
                         getattr(code, "co_filename", ""))
    _cache[key] = jc
    return jc
