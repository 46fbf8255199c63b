"""Parser for stacklang's text syntax.

A program is a list of functions::

    func NAME PARAM...          # parameters are popped from the caller's stack
        INSTRUCTION [ARG]       # one per line; '#' starts a comment
    LABEL:
        ...
    end

Instructions: push INT, load VAR, store VAR, pop, dup, swap, add, sub, mul, div, mod,
lt, le, eq, ne, gt, ge, not, neg, jump LABEL, jz LABEL, jnz LABEL, call FUNC, ret, print,
newarray, aget, aset, alen, throw, try LABEL, endtry.  Execution starts at ``main``.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

OPCODES = [
    "push", "load", "store", "pop", "dup", "swap", "add", "sub", "mul", "div", "mod",
    "lt", "le", "eq", "ne", "gt", "ge", "not", "neg", "jump", "jz", "jnz", "call", "ret",
    "print", "newarray", "aget", "aset", "alen", "throw", "try", "endtry",
]
ARG_KIND = {"push": "int", "load": "var", "store": "var", "jump": "label", "jz": "label",
            "jnz": "label", "call": "func", "try": "label"}
OP = {name: i for i, name in enumerate(OPCODES)}


class ParseError(Exception):
    def __init__(self, filename: str, line: int, col: int, msg: str) -> None:
        super().__init__("%s:%d:%d: %s" % (filename, line, col, msg))
        self.filename, self.line, self.col, self.msg = filename, line, col, msg


class Function:
    """A compiled function: ``code`` is a tuple of (opcode, argument) pairs."""

    _immutable_fields_ = ("name", "nargs", "nlocals", "code[*]", "varnames[*]")

    def __init__(self, name: str, params: List[str]) -> None:
        self.name = name
        self.nargs = len(params)
        self.varnames: List[str] = list(params)
        self.code: Tuple[Tuple[int, object], ...] = ()
        self.nlocals = self.nargs

    def opname(self, pc: int) -> str:
        op, arg = self.code[pc]
        name = OPCODES[op]
        if op == OP["call"]:
            return "%s %s" % (name, arg.name)  # type: ignore[attr-defined]
        if name in ARG_KIND:
            return "%s %s" % (name, arg)
        return name

    def __repr__(self) -> str:
        return "<Function %s>" % self.name


def parse(text: str, filename: str = "<string>") -> Dict[str, Function]:
    funcs: Dict[str, Function] = {}
    pending: List[Tuple[Function, List[Tuple[str, str, int, int]], Dict[str, int]]] = []
    current: Optional[Function] = None
    body: List[Tuple[str, str, int, int]] = []
    labels: Dict[str, int] = {}
    last = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        last = lineno
        line = raw.split("#", 1)[0].rstrip()
        stripped = line.strip()
        if not stripped:
            continue
        col = len(line) - len(line.lstrip()) + 1
        words = stripped.split()
        if words[0] == "func":
            if current is not None:
                raise ParseError(filename, lineno, col, "'func' inside function %s (missing 'end')" % current.name)
            if len(words) < 2:
                raise ParseError(filename, lineno, col, "expected a function name after 'func'")
            name = words[1]
            if name in funcs:
                raise ParseError(filename, lineno, col + 5, "function %s defined twice" % name)
            current = Function(name, words[2:])
            funcs[name] = current
            body, labels = [], {}
        elif words[0] == "end" and len(words) == 1:
            if current is None:
                raise ParseError(filename, lineno, col, "'end' outside a function")
            pending.append((current, body, labels))
            current = None
        elif current is None:
            raise ParseError(filename, lineno, col, "expected 'func NAME ...', got %r" % words[0])
        elif stripped.endswith(":") and len(words) == 1:
            label = stripped[:-1]
            if label in labels:
                raise ParseError(filename, lineno, col, "label %s defined twice" % label)
            labels[label] = len(body)
        else:
            op = words[0]
            if op not in OP:
                raise ParseError(filename, lineno, col, "unknown instruction %r; expected one of %s"
                                 % (op, ", ".join(OPCODES)))
            kind = ARG_KIND.get(op)
            if kind and len(words) != 2:
                raise ParseError(filename, lineno, col + len(op) + 1, "%s expects one argument (%s)" % (op, kind))
            if not kind and len(words) != 1:
                raise ParseError(filename, lineno, col + len(op) + 1, "%s takes no argument" % op)
            body.append((op, words[1] if kind else "", lineno, col + len(op) + 1))
    if current is not None:
        raise ParseError(filename, last + 1, 1, "end of file inside function %s (missing 'end')" % current.name)
    for func, instrs, labels in pending:
        code = []
        for op, arg, lineno, col in instrs:
            kind = ARG_KIND.get(op)
            value: object = 0
            if kind == "int":
                try:
                    value = int(arg)
                except ValueError:
                    raise ParseError(filename, lineno, col, "expected an integer, got %r" % arg)
            elif kind == "var":
                if arg not in func.varnames:
                    func.varnames.append(arg)
                value = func.varnames.index(arg)
            elif kind == "label":
                if arg not in labels:
                    raise ParseError(filename, lineno, col, "unknown label %r" % arg)
                value = labels[arg]
            elif kind == "func":
                if arg not in funcs:
                    raise ParseError(filename, lineno, col, "unknown function %r" % arg)
                value = funcs[arg]
            code.append((OP[op], value))
        code.append((OP["push"], 0))
        code.append((OP["ret"], 0))
        func.code = tuple(code)
        func.nlocals = len(func.varnames)
    if "main" not in funcs:
        raise ParseError(filename, last or 1, 1, "no function 'main'")
    return funcs
