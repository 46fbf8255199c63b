"""Parser for Brainfuck: source text to a flat list of operations with the jumps pre-computed.

The eight commands are ``+ - < > . , [ ]``; every other character is a comment.  Runs of
``+``/``-`` fold into one ADD (its amount taken mod 256) and runs of ``<``/``>`` into one MOVE,
so ``+++`` is one operation, not three.  ``[`` becomes JZ (jump past the matching ``]`` when the
cell is 0) and ``]`` becomes JNZ (jump back past the matching ``[`` when it is not), the two
targets found here once, so the interpreter never scans for brackets.

Works on Python 3.9 and PyPy 3.9: no newer syntax.
"""

from __future__ import annotations

from typing import List, Tuple

ADD, MOVE, OUT, IN, JZ, JNZ, HALT = range(7)
OPNAMES = ["add", "move", "out", "in", "jz", "jnz", "halt"]


class ParseError(Exception):
    """An unmatched bracket, located as ``file:line:col: message``."""

    def __init__(self, filename: str, line: int, col: int, msg: str) -> None:
        Exception.__init__(self, "%s:%d:%d: %s" % (filename, line, col, msg))
        self.filename, self.line, self.col, self.msg = filename, line, col, msg


class Program:
    """A parsed program: ``ops[i]`` is the operation at pc ``i`` and ``args[i]`` its operand (the
    amount for ADD and MOVE, the jump target for JZ and JNZ, 0 otherwise).  The last operation
    is HALT.  ``where[i]`` is the (line, col) of the source character operation ``i`` starts at.

    The lists never change after parsing: the JIT reads them as constants of the trace (the
    program is a green), so each traced operation folds to its opcode and operand."""

    _immutable_fields_ = ("ops[*]", "args[*]", "where[*]", "filename")

    def __init__(self, ops: List[int], args: List[int], where: List[Tuple[int, int]],
                 filename: str) -> None:
        self.ops = tuple(ops)
        self.args = tuple(args)
        self.where = tuple(where)
        self.filename = filename

    def __len__(self) -> int:
        return len(self.ops)

    def describe(self, pc: int) -> str:
        """``line:col op arg`` of operation ``pc``, for traces and logs."""
        op, arg = self.ops[pc], self.args[pc]
        line, col = self.where[pc]
        name = OPNAMES[op]
        if op in (OUT, IN, HALT):
            return "%d:%d %s" % (line, col, name)
        return "%d:%d %s %d" % (line, col, name, arg)


def parse(text: str, filename: str = "<string>") -> Program:
    ops: List[int] = []
    args: List[int] = []
    where: List[Tuple[int, int]] = []
    open_brackets: List[Tuple[int, int, int]] = []  # (pc of the JZ, line, col)
    line, col = 1, 0
    for ch in text:
        if ch == "\n":
            line += 1
            col = 0
            continue
        col += 1
        if ch in "+-":
            delta = 1 if ch == "+" else -1
            if ops and ops[-1] == ADD:
                args[-1] = (args[-1] + delta) % 256
                if args[-1] == 0:  # "+-" does nothing
                    _drop_last(ops, args, where)
            else:
                ops.append(ADD)
                args.append(delta % 256)
                where.append((line, col))
        elif ch in "<>":
            delta = 1 if ch == ">" else -1
            if ops and ops[-1] == MOVE:
                args[-1] += delta
                if args[-1] == 0:  # "><" does nothing
                    _drop_last(ops, args, where)
            else:
                ops.append(MOVE)
                args.append(delta)
                where.append((line, col))
        elif ch == ".":
            ops.append(OUT)
            args.append(0)
            where.append((line, col))
        elif ch == ",":
            ops.append(IN)
            args.append(0)
            where.append((line, col))
        elif ch == "[":
            open_brackets.append((len(ops), line, col))
            ops.append(JZ)
            args.append(-1)  # patched at the matching ']'
            where.append((line, col))
        elif ch == "]":
            if not open_brackets:
                raise ParseError(filename, line, col,
                                 "unmatched ']': no '[' before it is still open; remove it or "
                                 "add a '[' earlier")
            start, _l, _c = open_brackets.pop()
            here = len(ops)
            ops.append(JNZ)
            args.append(start + 1)  # back to the loop body's first operation
            where.append((line, col))
            args[start] = here + 1  # past the ']'
    if open_brackets:
        _start, at_line, at_col = open_brackets[-1]
        more = len(open_brackets) - 1
        raise ParseError(filename, at_line, at_col,
                         "unmatched '[': no ']' closes it before the end of the file%s; add a "
                         "']' or remove it" % (" (and %d more '[' before it)" % more if more else ""))
    ops.append(HALT)
    args.append(0)
    where.append((line, col + 1))
    return Program(ops, args, where, filename)


def _drop_last(ops: List[int], args: List[int], where: List[Tuple[int, int]]) -> None:
    """Remove the last operation.  Safe for the jumps: a fold never crosses a bracket (the
    operation before a bracket's is then JZ/JNZ, not ADD/MOVE), and a jump that targets this
    position targets whatever comes next there, which is what it skipped to anyway."""
    ops.pop()
    args.pop()
    where.pop()
