"""A reference executor for traces: the meaning of the IR, used to test the optimizer and the
backends against (run the unoptimized and the optimized trace on the same inputs)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .model import EXC, Const, Op, Trace, Value


class TraceResult:
    """How a trace run ended: ``kind`` is ``"guard"`` (``op`` is the failing guard and
    ``failvalues`` the concrete values of its snapshot), ``"finish"`` (``value`` returned),
    ``"raise"`` (``value`` is the exception the portal raises) or ``"limit"``."""

    def __init__(self, kind: str, op: Optional[Op] = None, value: Any = None,
                 failvalues: Optional[List[Any]] = None, iterations: int = 0) -> None:
        self.kind = kind
        self.op = op
        self.value = value
        self.failvalues = failvalues
        self.iterations = iterations

    def __repr__(self) -> str:
        return "TraceResult(%s, %s, %r)" % (self.kind, self.op and self.op.name, self.value)


def _new(cls: type) -> Any:
    return cls.__new__(cls)


def execute_op(op: Op, args: List[Any]) -> Any:
    """Run one non-guard, non-control op on concrete values (may raise, like Python would)."""
    name = op.name
    spec = op.spec
    if spec.impl is not None and name not in ("new_dict",):
        return spec.impl(*args)
    if name == "getfield":
        return getattr(args[0], op.descr)
    if name == "setfield":
        setattr(args[0], op.descr, args[1])
        return None
    if name == "new":
        return _new(op.descr)
    if name == "new_method":
        import types

        return types.MethodType(args[0], args[1])
    if name == "new_dict":
        return {args[i]: args[i + 1] for i in range(0, len(args), 2)}
    if name == "call_assembler":
        return args[0](args[1], args[2])
    if name in ("call", "call_pure", "call_loopinvariant", "call_portal"):
        kwnames = op.descr or ()
        n = len(args) - 1 - len(kwnames)
        pos = args[1:1 + n]
        kw = dict(zip(kwnames, args[1 + n:]))
        return args[0](*pos, **kw)
    if name == "getglobal":
        d, gname = op.descr
        try:
            return d[gname]
        except KeyError:
            import builtins

            return getattr(builtins, gname)
    if name == "debug_merge_point":
        return None
    raise NotImplementedError("reference executor: op %s" % name)


def guard_fails(op: Op, args: List[Any], exc: Optional[BaseException]) -> bool:
    name = op.name
    if name == "guard_true":
        return not args[0]
    if name == "guard_false":
        return bool(args[0])
    if name == "guard_value":
        return type(args[0]) is not type(args[1]) or args[0] != args[1]
    if name == "guard_is":
        return args[0] is not args[1]
    if name == "guard_class":
        return type(args[0]) is not args[1]
    if name == "guard_nonnull":
        return args[0] is None
    if name == "guard_isnull":
        return args[0] is not None
    if name == "guard_no_exception":
        return exc is not None
    if name == "guard_exception":
        return exc is None or type(exc) is not op.descr
    if name == "guard_not_invalidated":
        inv = op.descr
        return bool(inv is not None and getattr(inv, "invalid", False))
    if name == "guard_no_overflow":
        return False
    raise NotImplementedError(name)


def run_trace(trace: Trace, inputs: List[Any], max_iterations: int = 10000) -> TraceResult:
    env: Dict[int, Any] = {}
    for ia, v in zip(trace.inputargs, inputs):
        env[id(ia)] = v
    label_args: List[Value] = list(trace.inputargs)

    def get(v: Value) -> Any:
        if isinstance(v, Const):
            return v.value
        return env[id(v)]

    ops = trace.ops
    start = 0
    for i, op in enumerate(ops):
        if op.name == "label":
            label_args = list(op.args)
            start = i + 1
            break
    iterations = 0
    pc = start if ops and ops[0].name == "label" else 0
    # run the ops before the (first) label once, then loop
    pc = 0
    exc: Optional[BaseException] = None
    result_of_last: Any = None
    while True:
        if pc >= len(ops):
            return TraceResult("finish", value=None, iterations=iterations)
        op = ops[pc]
        name = op.name
        if name == "label":
            if op.descr is not None:  # entering the loop proper: its variables from the preamble
                values = [get(a) for a in op.descr]
                for la, v in zip(op.args, values):
                    env[id(la)] = v
            label_args = list(op.args)
            start = pc + 1
            pc += 1
            continue
        if name == "jump":
            values = [get(a) for a in op.args]
            for la, v in zip(label_args, values):
                env[id(la)] = v
            iterations += 1
            if iterations >= max_iterations:
                return TraceResult("limit", iterations=iterations)
            pc = start
            continue
        if name == "finish":
            return TraceResult("finish", value=get(op.args[0]), iterations=iterations)
        if name == "finish_raise":
            return TraceResult("raise", value=get(op.args[0]), iterations=iterations)
        args = [get(a) for a in op.args]
        if op.is_guard():
            if guard_fails(op, args, exc):
                for deferred in op.sunk:
                    deferred.perform(get, lambda v, value: env.__setitem__(id(v), value))
                fail = []
                snap = op.snapshot
                if snap is not None:
                    for v in snap.values():
                        if v is EXC:
                            fail.append(exc)
                        elif isinstance(v, Const):
                            fail.append(v.value)
                        else:
                            fail.append(env.get(id(v), result_of_last if v is not None else None))
                return TraceResult("guard", op=op, failvalues=fail, iterations=iterations)
            if name == "guard_exception":
                env[id(op)] = exc
            exc = None
            pc += 1
            continue
        try:
            res = execute_op(op, args)
            exc = None
        except BaseException as e:  # noqa: B036 - the trace models every exception
            if not op.spec.canraise:
                raise
            res = None
            exc = e
        result_of_last = res
        if op.has_result():
            env[id(op)] = res
        pc += 1
