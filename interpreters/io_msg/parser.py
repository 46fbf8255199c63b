"""Parser: tokens -> message trees, then Io's operator shuffle.

The parser first builds plain message chains (``a + b * c`` is the chain ``a + b * c`` of five
messages), exactly like Io's, then rearranges each chain by operator precedence into
``a +(b *(c))`` and turns assignments into ``setSlot("a", ...)`` calls.  The shuffle follows
the algorithm of Io's ``IoMessage_opShuffle.c`` (a stack of precedence levels) so that trees
come out the same as in C Io, including the corner cases (operators with arguments behave like C
grouping, ``return`` is an operator of lowest precedence, capitalised ``:=`` means
``setSlotWithType``).  Operator tables are read at parse time from ``OperatorTable``, so code
parsed after ``OperatorTable addOperator(...)`` sees the new operator.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from .lexer import (CLOSE, COMMA, EOF, HEXNUMBER, IDENT, NUMBER, OPEN, STRING, TERM, TRIPLE,
                    IoSyntaxError, Token, tokenize)
from .objects import IoMessage

MAX_LEVEL = 32

DEFAULT_OPERATORS: Dict[str, int] = {
    "@": 0, "@@": 0, "?": 0, "**": 1, "*": 2, "/": 2, "%": 2, "+": 3, "-": 3, "<<": 4, ">>": 4,
    ">": 5, "<": 5, "<=": 5, ">=": 5, "==": 6, "!=": 6, "&": 7, "^": 8, "|": 9, "and": 10,
    "&&": 10, "or": 11, "||": 11, "..": 12, "%=": 13, "&=": 13, "*=": 13, "+=": 13, "-=": 13,
    "/=": 13, "<<=": 13, ">>=": 13, "^=": 13, "|=": 13, "return": 14,
}
DEFAULT_ASSIGN: Dict[str, str] = {":=": "setSlot", "=": "updateSlot", "::=": "newSlot"}

GROUP_NAMES = {"(": "", "[": "squareBrackets", "{": "curlyBrackets"}
CLOSERS = {"(": ")", "[": "]", "{": "}"}


class _Parser:
    def __init__(self, toks: List[Token], label: str, literal: Callable[[Token], Any]) -> None:
        self.toks = toks
        self.pos = 0
        self.label = label
        self.literal = literal

    def error(self, tok: Token, what: str) -> IoSyntaxError:
        return IoSyntaxError(self.label, tok.line, tok.col, what)

    def peek(self) -> Token:
        return self.toks[self.pos]

    def chain(self, closer: Optional[str]) -> Optional[IoMessage]:
        """Messages up to a ``,``, a closing bracket or the end; ``;``/newlines become ``;``."""
        first: Optional[IoMessage] = None
        last: Optional[IoMessage] = None
        pending_eol: Optional[Token] = None
        while True:
            tok = self.peek()
            k = tok.kind
            if k == TERM:
                self.pos += 1
                if first is not None:
                    pending_eol = tok
                continue
            if k == EOF or k == COMMA or k == CLOSE:
                if k == CLOSE and closer is None:
                    raise self.error(tok, "unmatched '%s': no opening bracket for it" % tok.text)
                if k == COMMA and closer is None:
                    raise self.error(tok, "unexpected ',' outside of an argument list")
                if k == EOF and closer is not None:
                    raise self.error(tok, "expected '%s' before end of input" % closer)
                return first
            if pending_eol is not None:
                eol = IoMessage(";", [], pending_eol.line, self.label)
                assert last is not None
                last.next = eol
                last = eol
                pending_eol = None
            m = self.message()
            if first is None:
                first = m
            else:
                assert last is not None
                last.next = m
            last = m

    def message(self) -> IoMessage:
        tok = self.peek()
        k = tok.kind
        if k == OPEN:
            name = GROUP_NAMES[tok.text]
            m = IoMessage(name, [], tok.line, self.label)
            self.pos += 1
            m.args = self.args(tok)
            return m
        self.pos += 1
        if k == IDENT:
            m = IoMessage(tok.text, [], tok.line, self.label)
        elif k in (NUMBER, HEXNUMBER, STRING, TRIPLE):
            m = IoMessage(tok.text, [], tok.line, self.label, self.literal(tok))
        else:  # pragma: no cover - the lexer produces no other kinds here
            raise self.error(tok, "expected a message")
        nxt = self.peek()
        if nxt.kind == OPEN and nxt.text == "(":
            self.pos += 1
            m.args = self.args(nxt)
        return m

    def args(self, open_tok: Token) -> List[IoMessage]:
        closer = CLOSERS[open_tok.text]
        out: List[IoMessage] = []
        while True:
            tok = self.peek()
            a = self.chain(closer)
            end = self.peek()
            if end.kind == COMMA:
                if a is None:
                    raise self.error(end, "expected an argument before ','")
                out.append(a)
                self.pos += 1
                continue
            if end.kind == CLOSE:
                if end.text != closer:
                    raise self.error(end, "expected '%s' to close '%s' opened at line %d, "
                                          "found '%s'" % (closer, open_tok.text, open_tok.line,
                                                          end.text))
                if a is not None:
                    out.append(a)
                elif out:
                    raise self.error(end, "expected an argument after ','")
                self.pos += 1
                return out
            raise self.error(tok, "expected '%s'" % closer)  # pragma: no cover


# ------------------------------------------------------------------------ operator shuffle

ATTACH, ARG, NEW, UNUSED = 0, 1, 2, 3


class _Level:
    __slots__ = ("message", "type", "precedence")

    def __init__(self) -> None:
        self.message: Optional[IoMessage] = None
        self.type = UNUSED
        self.precedence = 0

    def attach(self, msg: IoMessage) -> None:
        if self.type == ATTACH:
            self.message.next = msg  # type: ignore[union-attr]
        elif self.type == ARG:
            self.message.args = self.message.args + [msg]  # type: ignore[union-attr]
        elif self.type == NEW:
            self.message = msg

    def attach_and_replace(self, msg: IoMessage) -> None:
        self.attach(msg)
        self.type = ATTACH
        self.message = msg

    def finish(self) -> None:
        m = self.message
        if m is not None:
            m.next = None
            if len(m.args) == 1:
                arg = m.args[0]
                if arg.name == "" and len(arg.args) == 1 and arg.next is None:
                    m.args = list(arg.args)
                    arg.args = []
        self.type = UNUSED


class _Levels:
    def __init__(self, ops: Dict[str, int], assign: Dict[str, str], label: str) -> None:
        self.ops = ops
        self.assign = assign
        self.label = label
        self.pool = [_Level() for _ in range(MAX_LEVEL)]
        self.stack: List[_Level] = []
        self.current = 1
        self.reset()

    def reset(self) -> None:
        self.current = 1
        for lv in self.pool:
            lv.type = UNUSED
        lv0 = self.pool[0]
        lv0.message = None
        lv0.type = NEW
        lv0.precedence = MAX_LEVEL
        self.stack = [lv0]

    def error(self, msg: IoMessage, what: str) -> IoSyntaxError:
        return IoSyntaxError(self.label, msg.line, 0, what)

    def pop_down_to(self, target: int) -> None:
        while True:
            lv = self.stack[-1]
            if lv.precedence <= target and lv.type != ARG:
                self.stack.pop().finish()
                self.current -= 1
            else:
                return

    def attach_to_top_and_push(self, msg: IoMessage, precedence: int) -> None:
        self.stack[-1].attach_and_replace(msg)
        if self.current >= MAX_LEVEL:
            raise self.error(msg, "too many nested operator levels")
        lv = self.pool[self.current]
        self.current += 1
        lv.type = ARG
        lv.message = msg
        lv.precedence = precedence
        self.stack.append(lv)

    def attach(self, msg: IoMessage, expressions: List[IoMessage]) -> None:
        name = msg.name
        if name in self.assign and msg.cached is None:
            self.attach_assign(msg, expressions)
        elif msg.is_eol:
            self.pop_down_to(MAX_LEVEL - 1)
            self.stack[-1].attach_and_replace(msg)
        elif name in self.ops and msg.cached is None:
            prec = self.ops[name]
            if msg.args:
                brackets = IoMessage("", msg.args, msg.line, msg.label)
                msg.args = []
                brackets.next = msg.next
                msg.next = brackets
            self.pop_down_to(prec)
            self.attach_to_top_and_push(msg, prec)
        else:
            self.stack[-1].attach_and_replace(msg)

    def attach_assign(self, msg: IoMessage, expressions: List[IoMessage]) -> None:
        cur = self.stack[-1]
        attaching = cur.message
        op = msg.name
        # As in C Io, the slot name is whatever message the current level holds: an ordinary
        # name (``a := 1``) or an operator just pushed (``+ := method(...)``, ``== := ...``).
        if attaching is None:
            raise IoSyntaxError(self.label, msg.line, 0,
                                "'%s' needs a slot name to its left" % op)
        if attaching.cached is not None:
            raise IoSyntaxError(self.label, msg.line, 0,
                                "expected a slot name to the left of '%s', found a literal %s"
                                % (op, attaching.name))
        if attaching.args:
            self.attach_assign_call(attaching, msg, expressions)
            return
        if len(msg.args) > 1:
            raise IoSyntaxError(self.label, msg.line, 0,
                                "assign operator '%s' given several arguments" % op)
        slot_name = attaching.name
        from .runtime import make_string  # local import: runtime imports this module

        name_msg = IoMessage('"%s"' % slot_name, [], attaching.line, attaching.label,
                             make_string(slot_name))
        new_args = [name_msg]
        setter = self.assign[op]
        if op == ":=" and slot_name[:1].isupper():
            setter = "setSlotWithType"
        attaching.name = setter
        cur.type = ATTACH
        if msg.args:
            arg = msg.args[0]
            if msg.next is None or msg.next.is_eol:
                new_args.append(arg)
            else:
                foo = IoMessage("", [arg], attaching.line, attaching.label)
                foo.next = msg.next
                new_args.append(foo)
        else:
            mn = msg.next
            if mn is None or mn.is_eol:
                raise IoSyntaxError(self.label, msg.line, 0,
                                    "expected a value after '%s'" % op)
            new_args.append(mn)
        attaching.args = new_args
        if msg.next is not None and not msg.next.is_eol:
            expressions.append(msg.next)
        last = msg
        while last.next is not None and not last.next.is_eol:
            last = last.next
        attaching.next = last.next
        msg.next = last.next
        if last is not msg:
            last.next = None

    def attach_assign_call(self, attaching: IoMessage, msg: IoMessage,
                           expressions: List[IoMessage]) -> None:
        """``a(x, y) := v w; rest`` becomes ``setSlot(a(x, y), v w); rest`` (as in C Io, a left
        side with arguments is passed itself, unevaluated, as the setter's first argument)."""
        op = msg.name
        value = msg.next
        if value is None or value.is_eol:
            raise IoSyntaxError(self.label, msg.line, 0, "expected a value after '%s'" % op)
        copy = IoMessage(attaching.name, attaching.args, attaching.line, attaching.label)
        last = value
        while last.next is not None and not last.next.is_eol:
            last = last.next
        rest = last.next
        last.next = None
        attaching.name = self.assign[op]
        attaching.args = [copy, value]
        attaching.next = rest
        msg.next = rest
        self.stack[-1].type = ATTACH
        expressions.append(value)

    def next_message(self) -> None:
        while self.stack:
            self.stack.pop().finish()
        self.reset()


def shuffle(first: Optional[IoMessage], ops: Dict[str, int], assign: Dict[str, str],
            label: str) -> Optional[IoMessage]:
    if first is None:
        return None
    levels = _Levels(ops, assign, label)
    expressions = [first]
    while expressions:
        n: Optional[IoMessage] = expressions.pop()
        while n is not None:
            levels.attach(n, expressions)
            expressions.extend(n.args)
            n = n.next
        levels.next_message()
    return first


def parse(src: str, label: str, literal: Callable[[Token], Any],
          ops: Optional[Dict[str, int]] = None,
          assign: Optional[Dict[str, str]] = None) -> Optional[IoMessage]:
    """Parse ``src`` into a shuffled message chain (None for an empty program)."""
    toks = tokenize(src, label)
    p = _Parser(toks, label, literal)
    try:
        first = p.chain(None)
    except RecursionError:
        # the parser recurses once per bracket level; say where it gave up, in Io's terms
        raise p.error(p.toks[min(p.pos, len(p.toks) - 1)],
                      "brackets nested too deeply to parse (Python recursion limit reached)")
    tok = p.peek()
    if tok.kind != EOF:  # pragma: no cover - chain(None) only stops at EOF or raises
        raise p.error(tok, "expected end of input")
    return shuffle(first, DEFAULT_OPERATORS if ops is None else ops,
                   DEFAULT_ASSIGN if assign is None else assign, label)


__all__ = ["parse", "IoSyntaxError", "DEFAULT_OPERATORS", "DEFAULT_ASSIGN", "IDENT"]
