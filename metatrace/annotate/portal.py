"""``@metatrace.jit`` with the JIT on: check the portal and rewrite its merge point.

The ``jit_merge_point(...)`` statement (or, when the portal has ``can_enter_jit`` calls, each of
those) becomes a counter bump keyed by the greens; when the counter runs out the warm state is
asked for a new state — the JIT may have run compiled code or a blackholed iteration — and the
portal assigns the greens and reds it gets (or returns the portal's result).  So after the JIT
the user's own function continues in CPython from the top of its loop.
"""

from __future__ import annotations

import ast
import builtins
from collections import deque
from typing import Any, Callable, Dict, List, Optional

from .. import hints
from ..errors import PortalError
from .codewriter import CodeWriter, Unsupported, get_function_ast


class _Checker:
    def __init__(self, func: Any, node: ast.FunctionDef, filename: str, offset: int) -> None:
        self.func = func
        self.node = node
        self.filename = filename
        self.offset = offset

    def error(self, msg: str, node: Optional[ast.AST] = None) -> PortalError:
        line = self.offset + getattr(node, "lineno", self.node.lineno)
        return PortalError(msg, self.filename, line)

    def resolve(self, call: ast.expr) -> Any:
        return _resolve(self.func, call)

    def hint_of(self, stmt: ast.stmt) -> Any:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            h = self.resolve(stmt.value.func)
            if h is hints.jit_merge_point or h is hints.can_enter_jit:
                return h
        return None


def make_portal(driver: Any, func: Callable[..., Any]) -> Callable[..., Any]:
    try:
        node, filename, offset = get_function_ast(func)
    except Unsupported as e:
        raise PortalError("cannot JIT %s: %s" % (func.__qualname__, e.construct), e.filename, e.lineno) from None
    ck = _Checker(func, node, filename, offset)
    if func.__code__.co_freevars:
        raise ck.error("the portal %s uses closure variables (%s); define it at module or class level"
                       % (func.__qualname__, ", ".join(func.__code__.co_freevars)))
    # one walk of the portal's AST (in ast.walk's order) for its parents, hints and assigned
    # names: each walk of SOM's portal is 2 ms of every start-up
    parents: Dict[ast.AST, ast.AST] = {}
    merges: List[ast.Expr] = []
    enters: List[ast.Expr] = []
    assigned = set()
    todo = deque([node])
    while todo:
        sub = todo.popleft()
        if isinstance(sub, ast.stmt):
            h = ck.hint_of(sub)
            if h is hints.jit_merge_point:
                merges.append(sub)  # type: ignore[arg-type]
            elif h is hints.can_enter_jit:
                enters.append(sub)  # type: ignore[arg-type]
        elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            assigned.add(sub.id)
        for child in ast.iter_child_nodes(sub):
            parents[child] = sub
            todo.append(child)
    if not merges:
        raise ck.error("portal %s has no jit_merge_point(...); put one as the first statement of its "
                       "dispatch loop" % func.__qualname__)
    if len(merges) > 1:
        raise ck.error("portal %s has %d jit_merge_point calls; it must have exactly one"
                       % (func.__qualname__, len(merges)), merges[1])
    mp = merges[0]
    loop = parents.get(mp)
    if not isinstance(loop, ast.While) or loop.body[0] is not mp:
        raise ck.error("jit_merge_point must be the first statement of a while loop's body", mp)
    p = parents.get(loop)
    while p is not None and p is not node:
        if isinstance(p, (ast.With, ast.AsyncWith)) or (isinstance(p, ast.Try) and p.finalbody):
            raise ck.error("the merge-point loop must not be inside a 'with' or 'try/finally' "
                           "block of the portal (move that block into the caller)", p)
        p = parents.get(p)

    green_names = list(driver.greens)
    names = _check_call(ck, mp.value, "jit_merge_point")  # type: ignore[arg-type]
    for e in enters:
        if _check_call(ck, e.value, "can_enter_jit") != names:  # type: ignore[arg-type]
            raise ck.error("can_enter_jit must pass the same variables as jit_merge_point", e)
        q = parents.get(e)
        while q is not loop:
            if isinstance(q, (ast.While, ast.For)):
                raise ck.error("can_enter_jit must be in the merge-point loop itself, not in a nested loop", e)
            if isinstance(q, (ast.Try, ast.With)):
                raise ck.error("can_enter_jit must not be inside a try or with block", e)
            if q is None:
                raise ck.error("can_enter_jit must be inside the merge-point loop", e)
            q = parents.get(q)
    params = {a.arg for a in node.args.args + list(getattr(node.args, "posonlyargs", []))}
    declared = list(driver.greens) + (list(driver.reds) if driver.reds != "auto" else [])
    unknown_vars = [g for g in declared if g not in assigned and g not in params]
    if unknown_vars:
        raise ck.error("%s %s not a variable of %s (greens and reds name its local variables)"
                       % (", ".join(repr(v) for v in unknown_vars), "is" if len(unknown_vars) == 1 else "are",
                          func.__qualname__))
    missing = [g for g in green_names if g not in names]
    if missing:
        raise ck.error("jit_merge_point does not pass the green variable(s) %s" % ", ".join(missing), mp)

    try:
        jc = CodeWriter(func, portal=True).compile()
    except Unsupported as e:
        raise PortalError("unsupported Python in the portal %s: %s (the portal itself must use the "
                          "supported subset; move it into a helper function, which then runs as a "
                          "residual call)" % (func.__qualname__, e.construct), e.filename, e.lineno) from None
    cw_locals = {v: k for k, v in jc.regnames.items()}
    live = {jc.regnames[r] for r in jc.live[jc.merge_point_pc] if r in jc.regnames}
    if driver.reds == "auto":
        order = [n for n in names if n not in green_names]
        extra = sorted(live - set(order) - set(green_names))
        red_names = [n for n in order if n in live or n in cw_locals] + extra
        driver.reds = red_names
    else:
        red_names = list(driver.reds)
        not_passed = [r for r in red_names if r not in names]
        if not_passed:
            raise ck.error("jit_merge_point does not pass the red variable(s) %s" % ", ".join(not_passed), mp)
    unknown = [n for n in names if n not in green_names and n not in red_names]
    if unknown:
        raise ck.error("jit_merge_point passes %s, which is neither green nor red" % ", ".join(unknown), mp)
    undeclared = sorted(live - set(green_names) - set(red_names))
    if undeclared:
        raise ck.error("variable(s) %s are live at the merge point but are neither greens nor reds; "
                       "add them to reds=[...] (or use reds=\"auto\")" % ", ".join(undeclared), mp)
    for n in green_names + red_names:
        if n not in cw_locals:
            raise ck.error("%r is not a local variable of the portal" % n, mp)
    jc.green_names = green_names
    jc.red_names = red_names
    jc.green_regs = [cw_locals[n] for n in green_names]
    jc.red_regs = [cw_locals[n] for n in red_names]
    jc.compute_liveness()  # now with the merge point reading the greens and reds

    from ..tracer.warmstate import WarmState

    ws = WarmState(driver, func, jc)
    new_func = _rewrite(func, node, filename, offset, mp, enters, green_names, red_names, ws, loop,
                        assigned | params)
    driver.runtime = ws
    driver.jitted = True
    new_func.jitdriver = driver  # type: ignore[attr-defined]
    new_func._metatrace_portal_ = driver  # type: ignore[attr-defined]
    new_func.__wrapped__ = func  # type: ignore[attr-defined]
    return new_func


def _check_call(ck: _Checker, call: ast.Call, what: str) -> List[str]:
    if call.args:
        raise ck.error("%s takes keyword arguments only (name=name for each green and red)" % what, call)
    names = []
    for kw in call.keywords:
        if kw.arg is None or not isinstance(kw.value, ast.Name) or kw.value.id != kw.arg:
            raise ck.error("%s arguments must be written name=name, e.g. pc=pc" % what, call)
        names.append(kw.arg)
    return names


def _counter_code(greens: List[str], reds: List[str], after: str, cnt: str = "__mt_cnt",
                  hot: str = "hot") -> List[ast.stmt]:
    g = "".join(n + ", " for n in greens)
    r = "".join(n + ", " for n in reds)
    allv = ", ".join(greens + reds)
    cnt_c, ws_c = repr(_PLACEHOLDERS[cnt]), repr(_PLACEHOLDERS["__mt_ws"])
    src = (
        "__mt_k = (%s)\n"
        "try:\n"
        "    __mt_n = %s.get(__mt_k)\n"
        "except TypeError:\n"
        "    raise %s.unhashable_error(__mt_k) from None\n"
        "if __mt_n:\n"
        "    %s[__mt_k] = __mt_n - 1\n"
        "else:\n"
        "    __mt_n = %s.%s(__mt_k, __mt_n, (%s))\n"
        "    if __mt_n is not None:\n"
        "        if __mt_n.__class__ is tuple:\n"
        "            %s = __mt_n\n"
        "%s"
        "        else:\n"
        "            return __mt_n.value\n"
    ) % (g, cnt_c, ws_c, cnt_c, ws_c, hot, r, "(%s,)" % allv if allv else "()",
         "            %s\n" % after if after else "")
    return ast.parse(src).body


# The rewritten portal reaches its warm state and counters as constants of its code: the source
# names them by these strings, which are replaced by the objects themselves in the compiled code
# objects' constants (``_bind_constants``).  Closure variables would cost three slots in every
# frame of the portal and a cell load each; a constant is a LOAD_CONST.
_PLACEHOLDERS = {"__mt_ws": "\x00metatrace:warm state", "__mt_cnt": "\x00metatrace:loop counters",
                 "__mt_fcnt": "\x00metatrace:entry counters"}


def _bind_constants(func: Any, objects: Dict[str, Any]) -> None:
    code = func.__code__
    if any(type(c) is str and c in objects for c in code.co_consts):
        func.__code__ = code.replace(co_consts=tuple(objects.get(c, c) if type(c) is str else c
                                                     for c in code.co_consts))


def _entry_count(greens: List[str], reds: List[str]) -> List[ast.stmt]:
    """Count a call's entry toward ``function_threshold`` (portals with can_enter_jit)."""
    return _counter_code(greens, reds, "", "__mt_fcnt", "hot_entry")


def _entry_code(greens: List[str], reds: List[str]) -> List[ast.stmt]:
    """With can_enter_jit, the merge point counts only once per call: the function's entry
    (``function_threshold``), so that hot functions are compiled from their start too."""
    body = _entry_count(greens, reds)
    test = ast.parse("if __mt_first:\n    __mt_first = False\n").body[0]
    test.body.extend(body)  # type: ignore[attr-defined]
    return [test]


def _always_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and (
        test.value is True or (type(test.value) is int and test.value != 0))


def _at_line(stmts: List[ast.stmt], where: ast.stmt) -> List[ast.stmt]:
    """Generated statements report the line of the hint they replace (for tracebacks)."""
    for stmt in stmts:
        for sub in ast.walk(stmt):
            if hasattr(sub, "lineno"):
                sub.lineno = where.lineno
                sub.end_lineno = getattr(where, "end_lineno", where.lineno)
                sub.col_offset = where.col_offset
                sub.end_col_offset = getattr(where, "end_col_offset", where.col_offset)
    return stmts


def _resume_entry(fnode: ast.FunctionDef, loop: Optional[ast.While], greens: List[str], reds: List[str],
                  counts_entry: bool) -> Optional[ast.FunctionDef]:
    """The portal's second entry: ``__mt_resume(*greens, *reds)`` starts at the merge point (and
    runs what follows the loop), so an inlined portal call interrupted by a guard failure can
    continue at CPython speed.  Only when the merge-point loop is a top-level statement.  It
    shares the statements of ``fnode``, which must not change any more (already compiled)."""
    if loop is None or loop not in fnode.body:
        return None
    idx = fnode.body.index(loop)
    body: List[ast.stmt] = []
    if counts_entry:
        body.append(ast.copy_location(ast.parse("__mt_first = False").body[0], loop))
    body.append(loop)
    body.extend(fnode.body[idx + 1:])
    return ast.copy_location(ast.FunctionDef(
        name="__mt_resume",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=n) for n in greens + reds], vararg=None,
                           kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=body, decorator_list=[], returns=None, type_comment=None), loop)


_IDENTITY_HINTS = (hints.promote, hints.promote_string)


def _is_identity_hint(obj: Any) -> bool:
    return any(obj is h for h in _IDENTITY_HINTS)  # by identity: a global's == may be anything


def _resolve(func: Any, callee: ast.expr) -> Any:
    """What a callee ``name`` or ``module.name`` names in the portal's globals (or builtins);
    None for anything else (an expression)."""
    g = func.__globals__
    if isinstance(callee, ast.Name):
        return g.get(callee.id, getattr(builtins, callee.id, None))
    if isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name):
        mod = g.get(callee.value.id)
        return getattr(mod, callee.attr, None) if mod is not None else None
    return None


def _rewrite(func: Any, node: ast.FunctionDef, filename: str, offset: int, mp: ast.Expr,
             enters: List[ast.Expr], greens: List[str], reds: List[str], ws: Any,
             loop: Optional[ast.While] = None, local_names: Any = ()) -> Any:
    # With can_enter_jit the merge point counts the call's entry only.  In a `while True:` loop
    # that is the loop's entry: the count goes before the loop, and the merge point in it is
    # no code at all (no flag tested per iteration, one local variable fewer in every frame
    # of the portal)
    entry_before = bool(enters) and loop is not None and _always_true(loop.test)

    class Rewriter(ast.NodeTransformer):
        def visit_While(self, n: ast.While) -> Any:
            self.generic_visit(n)
            if n is loop and entry_before:
                return _at_line(_entry_count(greens, reds), n) + [n]
            if n is loop and enters:
                first = ast.parse("__mt_first = True").body[0]
                return [_at_line([first], n)[0], n]
            return n

        def visit_Call(self, n: ast.Call) -> Any:
            self.generic_visit(n)
            # promote(x) is x when the portal runs (the tracer reads the portal's own source,
            # where the hint stays): no call of a no-op function per interpreted instruction
            if (len(n.args) == 1 and not n.keywords and not isinstance(n.args[0], ast.Starred)
                    and not (isinstance(n.func, ast.Name) and n.func.id in local_names)
                    and _is_identity_hint(_resolve(func, n.func))):
                return n.args[0]
            return n

        def visit_Expr(self, n: ast.Expr) -> Any:
            if n is mp:
                if entry_before:
                    return _at_line([ast.Pass()], n)
                if enters:
                    return _at_line(_entry_code(greens, reds), n)
                return _at_line(_counter_code(greens, reds, ""), n)
            if n in enters:
                return _at_line(_counter_code(greens, reds, "continue"), n)
            self.generic_visit(n)
            return n

    new_node = Rewriter().visit(node)
    new_node.decorator_list = []
    module = ast.Module(body=[new_node], type_ignores=[])
    ast.fix_missing_locations(module)
    if offset:
        ast.increment_lineno(module, offset)
    code = compile(module, filename, "exec")
    ns: dict = {}
    exec(code, func.__globals__, ns)
    objects = {_PLACEHOLDERS["__mt_ws"]: ws, _PLACEHOLDERS["__mt_cnt"]: ws.counters,
               _PLACEHOLDERS["__mt_fcnt"]: ws.entry_counters}
    new_func = ns[node.name]
    _bind_constants(new_func, objects)
    counts_entry = bool(enters) and not entry_before

    def build_resume_entry() -> Any:
        # from the rewritten statements as they are (their lines already offset)
        resume = _resume_entry(new_node, loop, greens, reds, counts_entry)
        if resume is None:
            return None
        rmod = ast.Module(body=[resume], type_ignores=[])
        ast.fix_missing_locations(rmod)
        rns: dict = {}
        exec(compile(rmod, filename, "exec"), func.__globals__, rns)
        _bind_constants(rns["__mt_resume"], objects)
        return rns["__mt_resume"]

    ws.resume_builder = build_resume_entry if loop is not None and loop in new_node.body else None
    new_func.__defaults__ = func.__defaults__
    new_func.__kwdefaults__ = func.__kwdefaults__
    new_func.__doc__ = func.__doc__
    new_func.__module__ = func.__module__
    new_func.__qualname__ = func.__qualname__
    new_func.__dict__.update(func.__dict__)
    return new_func
