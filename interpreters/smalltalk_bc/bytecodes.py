"""The bytecode set.

A method's code is a flat list of Python ints: an opcode followed by its operands (each
operand one list element, so there are no byte-packing limits).  Operands named ``lit`` index
the method's literal list; ``idx`` indexes the frame's slots (arguments first, then locals,
including the locals of blocks that the compiler inlined); ``level`` is how many closure
levels out a variable lives (1 = the defining frame of the current block); ``target`` is an
absolute pc.  See docs/smalltalk.md for the full table with stack effects.
"""

from __future__ import annotations

from typing import Any, List

# (name, number of operands)
_TABLE = [
    ("DUP", 0),             # ... x -> ... x x
    ("POP", 0),             # ... x -> ...
    ("PUSH_LOCAL", 1),      # idx            -> value of slot idx of this frame
    ("PUSH_OUTER", 2),      # idx level      -> value of slot idx, `level` frames out
    ("PUSH_FIELD", 1),      # idx            -> self's field idx (0-based)
    ("PUSH_SELF", 0),
    ("PUSH_NIL", 0),
    ("PUSH_CONST", 1),      # lit            -> literal (int, float, str, symbol, array...)
    ("PUSH_GLOBAL", 1),     # lit (a symbol) -> global value; loads classes; unknownGlobal:
    ("PUSH_BLOCK", 1),      # lit (a block method) -> a new closure over this frame
    ("POP_LOCAL", 1),       # idx        x -> (stores x)
    ("POP_OUTER", 2),       # idx level  x ->
    ("POP_FIELD", 1),       # idx        x ->
    ("SEND", 1),            # lit (selector)   rcvr args -> result
    ("SUPER_SEND", 1),      # lit (selector)   rcvr args -> result, lookup from holder's super
    ("RETURN_LOCAL", 0),    # return top of stack from this frame
    ("RETURN_NONLOCAL", 0),  # return top of stack from the block's home method
    ("RETURN_SELF", 0),     # return self (end of a method without ^)
    ("JUMP", 1),            # target (forward)
    ("JUMP_BACK", 1),       # target (backward: where interpreted loops close)
    ("JUMP_IF_FALSE", 1),   # target   bool ->
    ("JUMP_IF_TRUE", 1),    # target   bool ->
    ("JUMP_IF_NIL", 1),     # target   x ->
    ("JUMP_IF_NOT_NIL", 1),  # target  x ->
    # binary sends with a fast path for Integer/Double operands; otherwise a normal send of
    # the selector in literal `lit`
    ("ADD", 1),
    ("SUB", 1),
    ("MUL", 1),
    ("LT", 1),
    ("GT", 1),
    ("LE", 1),
    ("GE", 1),
    ("EQ", 1),
]

NAMES: List[str] = [name for name, _ in _TABLE]
OPERANDS: List[int] = [n for _, n in _TABLE]
for _i, (_name, _n) in enumerate(_TABLE):
    globals()[_name] = _i

# for the linters: the names defined above
DUP = 0
POP = 1
PUSH_LOCAL = 2
PUSH_OUTER = 3
PUSH_FIELD = 4
PUSH_SELF = 5
PUSH_NIL = 6
PUSH_CONST = 7
PUSH_GLOBAL = 8
PUSH_BLOCK = 9
POP_LOCAL = 10
POP_OUTER = 11
POP_FIELD = 12
SEND = 13
SUPER_SEND = 14
RETURN_LOCAL = 15
RETURN_NONLOCAL = 16
RETURN_SELF = 17
JUMP = 18
JUMP_BACK = 19
JUMP_IF_FALSE = 20
JUMP_IF_TRUE = 21
JUMP_IF_NIL = 22
JUMP_IF_NOT_NIL = 23
ADD = 24
SUB = 25
MUL = 26
LT = 27
GT = 28
LE = 29
GE = 30
EQ = 31

assert [globals()[n] for n in NAMES] == list(range(len(NAMES)))

SPECIAL_BINARY = {"+": ADD, "-": SUB, "*": MUL, "<": LT, ">": GT, "<=": LE, ">=": GE, "=": EQ}

JUMPS = (JUMP, JUMP_BACK, JUMP_IF_FALSE, JUMP_IF_TRUE, JUMP_IF_NIL, JUMP_IF_NOT_NIL)


def length(op: int) -> int:
    return 1 + OPERANDS[op]


def opname(code: List[int], pc: int) -> str:
    if 0 <= pc < len(code):
        return NAMES[code[pc]]
    return "?"


def disassemble(method: Any, indent: str = "") -> str:
    """A readable listing of a method and, recursively, its blocks."""
    lines = []
    code = method.code
    pc = 0
    nested = []
    while pc < len(code):
        op = code[pc]
        n = OPERANDS[op]
        operands = code[pc + 1:pc + 1 + n]
        text = "%s%4d  %-16s %s" % (indent, pc, NAMES[op], " ".join(str(x) for x in operands))
        if n and op in (PUSH_CONST, PUSH_GLOBAL, SEND, SUPER_SEND, PUSH_BLOCK) or op >= ADD:
            lit = method.literals[operands[0]]
            text += "    ; %s" % _lit_repr(lit)
            if op == PUSH_BLOCK:
                nested.append(lit)
        lines.append(text.rstrip())
        pc += 1 + n
    for b in nested:
        lines.append("%s  block %s (args %d, locals %d):" % (indent, b.signature.string,
                                                             b.num_args, b.num_locals))
        lines.append(disassemble(b, indent + "    "))
    return "\n".join(lines)


def _lit_repr(lit: Any) -> str:
    from .objects import SArray, SMethod, SSymbol

    if isinstance(lit, SSymbol):
        return "#" + lit.string
    if isinstance(lit, SMethod):
        return "block"
    if isinstance(lit, SArray):
        return "#(" + " ".join(_lit_repr(x) for x in lit.storage) + ")"
    return repr(lit)
