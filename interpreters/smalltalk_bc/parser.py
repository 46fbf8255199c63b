"""Recursive-descent parser for SOM class files, producing a small AST.

Grammar (SOM's, as in SOM-st/SOM's specification/SOM.g4)::

    classdef    = Ident '=' [Ident] '(' [fields] method* [ '----' [fields] method* ] ')'
    method      = pattern '=' ( 'primitive' | '(' body ')' )
    pattern     = Ident | Operator Ident | (Keyword Ident)+
    body        = [ '|' Ident* '|' ] statements
    statements  = [ '^' expr ['.'] | expr [ '.' statements ] ]
    expr        = (Ident ':=')* cascadeFree
    cascadeFree = primary unary* binary* [keywordMsg]
    primary     = Ident | literal | '(' expr ')' | block
    block       = '[' [ (':' Ident)+ '|' ] body ']'
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from . import lexer as L
from .lexer import CompileError, Lexer, Token


class Node:
    line = 0
    col = 0

    def at(self, tok: Token) -> "Node":
        self.line = tok.line
        self.col = tok.col
        return self


class Literal(Node):
    """kind: 'int' | 'double' | 'string' | 'symbol' | 'array'; value: python data."""

    def __init__(self, kind: str, value: object) -> None:
        self.kind = kind
        self.value = value


class Var(Node):
    def __init__(self, name: str) -> None:
        self.name = name


class Assign(Node):
    def __init__(self, names: List[Tuple[str, Token]], value: Node) -> None:
        self.names = names
        self.value = value


class Send(Node):
    def __init__(self, receiver: Node, selector: str, args: List[Node]) -> None:
        self.receiver = receiver
        self.selector = selector
        self.args = args


class Block(Node):
    def __init__(self, args: List[str], locals_: List[str], body: List[Node]) -> None:
        self.args = args
        self.locals = locals_
        self.body = body


class Return(Node):
    def __init__(self, value: Node) -> None:
        self.value = value


class MethodDef(Node):
    def __init__(self, selector: str, args: List[str], locals_: List[str],
                 body: Optional[List[Node]]) -> None:
        self.selector = selector
        self.args = args
        self.locals = locals_
        self.body = body  # None for primitives

    @property
    def is_primitive(self) -> bool:
        return self.body is None


class ClassDef(Node):
    def __init__(self, name: str, superclass: Optional[str]) -> None:
        self.name = name
        self.superclass = superclass
        self.instance_fields: List[str] = []
        self.instance_methods: List[MethodDef] = []
        self.class_fields: List[str] = []
        self.class_methods: List[MethodDef] = []
        self.filename = ""


class Parser:
    def __init__(self, source: str, filename: str = "<string>") -> None:
        self.filename = filename
        self.toks = Lexer(source, filename).tokens()
        self.i = 0

    # -- token helpers ---------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, n: int = 1) -> Token:
        return self.toks[min(self.i + n, len(self.toks) - 1)]

    def next(self) -> Token:
        t = self.toks[self.i]
        if t.kind != L.EOF:
            self.i += 1
        return t

    def error(self, message: str, tok: Optional[Token] = None) -> None:
        tok = tok or self.tok
        raise CompileError(self.filename, tok.line, tok.col, message)

    def describe(self, tok: Token) -> str:
        if tok.kind == L.EOF:
            return "end of file"
        return "'%s'" % tok.text

    def expect(self, kind: str, what: Optional[str] = None) -> Token:
        if self.tok.kind != kind:
            self.error("expected %s but found %s" % (what or "'%s'" % kind,
                                                     self.describe(self.tok)))
        return self.next()

    def at_op(self, text: str) -> bool:
        return self.tok.kind == L.OPERATOR and self.tok.text == text

    # -- class structure -------------------------------------------------------------------
    def parse_class(self) -> ClassDef:
        name_tok = self.expect(L.IDENT, "a class name")
        if not self.at_op("="):
            self.error("expected '=' after the class name but found %s"
                       % self.describe(self.tok))
        self.next()
        superclass = None
        if self.tok.kind == L.IDENT:
            superclass = self.next().text
        self.expect(L.LPAREN, "'(' to open the class body")
        cdef = ClassDef(name_tok.text, superclass)
        cdef.at(name_tok)
        cdef.filename = self.filename
        cdef.instance_fields = self.parse_fields()
        while self.tok.kind not in (L.SEPARATOR, L.RPAREN, L.EOF):
            cdef.instance_methods.append(self.parse_method())
        if self.tok.kind == L.SEPARATOR:
            self.next()
            cdef.class_fields = self.parse_fields()
            while self.tok.kind not in (L.RPAREN, L.EOF):
                cdef.class_methods.append(self.parse_method())
        self.expect(L.RPAREN, "')' to close the class body")
        if self.tok.kind != L.EOF:
            self.error("unexpected %s after the end of the class" % self.describe(self.tok))
        return cdef

    def parse_fields(self) -> List[str]:
        names: List[str] = []
        if self.tok.kind == L.BAR:
            self.next()
            while self.tok.kind == L.IDENT:
                t = self.next()
                if t.text in names:
                    self.error("field '%s' declared twice" % t.text, t)
                names.append(t.text)
            self.expect(L.BAR, "'|' to end the field list")
        elif self.at_op("||"):
            self.next()
        return names

    def parse_method(self) -> MethodDef:
        start = self.tok
        args: List[str] = []
        if self.tok.kind == L.IDENT:
            selector = self.next().text
        elif self.tok.kind in (L.OPERATOR, L.BAR):
            selector = self.next().text
            args.append(self.parse_arg_name())
        elif self.tok.kind == L.KEYWORD:
            parts = []
            while self.tok.kind == L.KEYWORD:
                parts.append(self.next().text)
                args.append(self.parse_arg_name())
            selector = "".join(parts)
        else:
            self.error("expected a method pattern (unary, binary or keyword selector) "
                       "but found %s" % self.describe(self.tok))
            raise AssertionError
        if len(set(args)) != len(args):
            self.error("duplicate argument name in method '%s'" % selector, start)
        if not self.at_op("="):
            self.error("expected '=' after the pattern of method '%s' but found %s"
                       % (selector, self.describe(self.tok)))
        self.next()
        if self.tok.kind == L.PRIMITIVE:
            self.next()
            return MethodDef(selector, args, [], None).at(start)  # type: ignore
        self.expect(L.LPAREN, "'(' or 'primitive' for the body of method '%s'" % selector)
        locals_ = self.parse_locals(args)
        body = self.parse_statements(L.RPAREN)
        self.expect(L.RPAREN, "')' to close method '%s'" % selector)
        return MethodDef(selector, args, locals_, body).at(start)  # type: ignore

    def parse_arg_name(self) -> str:
        return self.expect(L.IDENT, "an argument name").text

    def parse_locals(self, taken: List[str]) -> List[str]:
        names: List[str] = []
        if self.tok.kind == L.BAR:
            self.next()
            while self.tok.kind == L.IDENT:
                t = self.next()
                if t.text in names or t.text in taken:
                    self.error("variable '%s' declared twice" % t.text, t)
                names.append(t.text)
            self.expect(L.BAR, "'|' to end the local variable list")
        elif self.at_op("||"):
            self.next()
        return names

    # -- statements and expressions --------------------------------------------------------
    def parse_statements(self, end: str) -> List[Node]:
        stmts: List[Node] = []
        while self.tok.kind != end:
            if self.tok.kind == L.CARET:
                t = self.next()
                stmts.append(Return(self.parse_expression()).at(t))
                if self.tok.kind == L.PERIOD:
                    self.next()
                if self.tok.kind != end:
                    self.error("expected %s after a return statement but found %s"
                               % ("']'" if end == L.RBRACKET else "')'",
                                  self.describe(self.tok)))
                break
            stmts.append(self.parse_expression())
            if self.tok.kind == L.PERIOD:
                self.next()
            elif self.tok.kind != end:
                self.error("expected '.' or %s but found %s"
                           % ("']'" if end == L.RBRACKET else "')'", self.describe(self.tok)))
        return stmts

    def parse_expression(self) -> Node:
        if self.tok.kind == L.IDENT and self.peek().kind == L.ASSIGN:
            first = self.tok
            names = []
            while self.tok.kind == L.IDENT and self.peek().kind == L.ASSIGN:
                t = self.next()
                self.next()
                names.append((t.text, t))
            return Assign(names, self.parse_evaluation()).at(first)
        return self.parse_evaluation()

    def parse_evaluation(self) -> Node:
        expr = self.parse_primary()
        expr = self.parse_unary_messages(expr)
        expr = self.parse_binary_messages(expr)
        if self.tok.kind == L.KEYWORD:
            expr = self.parse_keyword_message(expr)
        return expr

    def parse_unary_messages(self, expr: Node) -> Node:
        while self.tok.kind == L.IDENT:
            t = self.next()
            expr = Send(expr, t.text, []).at(t)
        return expr

    def is_binary_op(self) -> bool:
        return self.tok.kind == L.OPERATOR or self.tok.kind == L.BAR

    def parse_binary_messages(self, expr: Node) -> Node:
        while self.is_binary_op():
            t = self.next()
            arg = self.parse_unary_messages(self.parse_primary())
            expr = Send(expr, t.text, [arg]).at(t)
        return expr

    def parse_keyword_message(self, expr: Node) -> Node:
        first = self.tok
        parts = []
        args = []
        while self.tok.kind == L.KEYWORD:
            parts.append(self.next().text)
            arg = self.parse_binary_messages(self.parse_unary_messages(self.parse_primary()))
            args.append(arg)
        return Send(expr, "".join(parts), args).at(first)

    def parse_primary(self) -> Node:
        t = self.tok
        if t.kind == L.IDENT:
            self.next()
            return Var(t.text).at(t)
        if t.kind == L.LPAREN:
            self.next()
            e = self.parse_expression()
            self.expect(L.RPAREN, "')' to close the parenthesized expression")
            return e
        if t.kind == L.LBRACKET:
            return self.parse_block()
        lit = self.parse_literal(nested=False)
        if lit is None:
            self.error("expected an expression but found %s" % self.describe(t))
        return lit  # type: ignore

    def parse_literal(self, nested: bool) -> Optional[Node]:
        t = self.tok
        if t.kind == L.INTEGER:
            self.next()
            return Literal("int", t.value).at(t)
        if t.kind == L.DOUBLE:
            self.next()
            return Literal("double", t.value).at(t)
        if t.kind == L.OPERATOR and t.text == "-" and self.peek().kind in (L.INTEGER, L.DOUBLE):
            self.next()
            n = self.next()
            return Literal("int" if n.kind == L.INTEGER else "double", -n.value).at(t)
        if t.kind == L.STRING:
            self.next()
            return Literal("string", t.value).at(t)
        if t.kind == L.SYMBOL_START:
            self.next()
            return self.parse_symbol_or_array(t)
        if nested:
            # inside a literal array, bare words and selectors are symbols, and
            # parentheses open a nested array (Smalltalk-80 convention)
            if t.kind in (L.IDENT, L.KEYWORD, L.KEYWORD_SEQ, L.OPERATOR, L.BAR):
                self.next()
                if t.kind == L.IDENT and t.text in ("true", "false", "nil"):
                    return Literal("const", t.text).at(t)
                return Literal("symbol", t.text).at(t)
            if t.kind == L.LPAREN:
                return self.parse_array_body(t)
        return None

    def parse_symbol_or_array(self, start: Token) -> Node:
        t = self.tok
        if t.kind == L.LPAREN:
            return self.parse_array_body(start)
        if t.kind in (L.IDENT, L.KEYWORD, L.KEYWORD_SEQ, L.OPERATOR, L.BAR, L.PRIMITIVE):
            self.next()
            return Literal("symbol", t.text).at(start)
        if t.kind == L.STRING:
            self.next()
            return Literal("symbol", t.value).at(start)
        self.error("expected a symbol or '(' after '#' but found %s" % self.describe(t))
        raise AssertionError

    def parse_array_body(self, start: Token) -> Node:
        self.expect(L.LPAREN)
        items = []
        while self.tok.kind != L.RPAREN:
            if self.tok.kind == L.EOF:
                self.error("unterminated literal array", start)
            lit = self.parse_literal(nested=True)
            if lit is None:
                self.error("expected a literal in the literal array but found %s"
                           % self.describe(self.tok))
            items.append(lit)
        self.next()
        return Literal("array", items).at(start)

    def parse_block(self) -> Node:
        start = self.expect(L.LBRACKET)
        args: List[str] = []
        if self.tok.kind == L.COLON:
            while self.tok.kind == L.COLON:
                self.next()
                name = self.expect(L.IDENT, "a block argument name after ':'")
                if name.text in args:
                    self.error("duplicate block argument '%s'" % name.text, name)
                args.append(name.text)
            if self.at_op("||"):
                # '[:a || b |' : end of arguments and start of locals glued together
                self.toks[self.i] = Token(L.BAR, "|", None, self.tok.line, self.tok.col + 1)
            else:
                self.expect(L.BAR, "'|' after the block arguments")
        locals_ = self.parse_locals(args)
        body = self.parse_statements(L.RBRACKET)
        self.expect(L.RBRACKET, "']' to close the block")
        return Block(args, locals_, body).at(start)


def parse_class(source: str, filename: str = "<string>") -> ClassDef:
    p = Parser(source, filename)
    try:
        return p.parse_class()
    except RecursionError:
        # the parser recurses once per nesting level; say where it gave up, in SOM's terms
        raise CompileError(filename, p.tok.line, p.tok.col,
                           "expression nested too deeply to parse (Python recursion limit "
                           "reached)")
