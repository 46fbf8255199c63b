"""Tokenizer for SOM class files.

Tokens carry their line and column (1-based) so that every compile error can name
``file:line:col``.  The lexer is not on the JIT's hot path; it may use any Python.
"""

from __future__ import annotations

from typing import List, Optional

from .bigint import text_to_int

# token kinds
IDENT = "identifier"
KEYWORD = "keyword"  # at:
KEYWORD_SEQ = "keyword sequence"  # at:put: (only valid after '#')
OPERATOR = "operator"  # binary selector characters: + - ~= -->
INTEGER = "integer"
DOUBLE = "double"
STRING = "string"
SYMBOL_START = "#"
ASSIGN = ":="
COLON = ":"
PERIOD = "."
CARET = "^"
LPAREN = "("
RPAREN = ")"
LBRACKET = "["
RBRACKET = "]"
BAR = "|"
SEPARATOR = "----"
PRIMITIVE = "primitive"
EOF = "end of file"

OPERATOR_CHARS = "~&|*/\\+=><,@%-"

_ESCAPES = {
    "t": "\t",
    "b": "\b",
    "n": "\n",
    "r": "\r",
    "f": "\f",
    "0": "\0",
    "'": "'",
    "\\": "\\",
}


class CompileError(Exception):
    """A syntax or semantic error in a SOM source file, with its position."""

    def __init__(self, filename: str, line: int, col: int, message: str) -> None:
        Exception.__init__(self, "%s:%d:%d: %s" % (filename, line, col, message))
        self.filename = filename
        self.line = line
        self.col = col
        self.message = message


def decode_source(data: bytes, filename: str) -> str:
    """Source bytes as text: UTF-8 (a leading byte-order mark is dropped).  Bytes that are not
    UTF-8 are a compile error at their line and column, not a Python UnicodeDecodeError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        good = data[:e.start].decode("utf-8")
        line = good.count("\n") + 1
        col = len(good) - (good.rfind("\n") + 1) + 1
        raise CompileError(filename, line, col, "invalid UTF-8 byte 0x%02x: SOM source files "
                                                "must be UTF-8 text" % data[e.start])
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"  # str.isdigit() also accepts digits int() refuses, such as '²'


class Token:
    __slots__ = ("kind", "text", "value", "line", "col")

    def __init__(self, kind: str, text: str, value: object, line: int, col: int) -> None:
        self.kind = kind
        self.text = text
        self.value = value
        self.line = line
        self.col = col

    def __repr__(self) -> str:
        return "Token(%s, %r, %d:%d)" % (self.kind, self.text, self.line, self.col)


class Lexer:
    def __init__(self, source: str, filename: str = "<string>") -> None:
        self.src = source
        self.filename = filename
        self.pos = 0
        self.line = 1
        self.line_start = 0

    def error(self, message: str, line: Optional[int] = None, col: Optional[int] = None) -> None:
        if line is None:
            line = self.line
            col = self.pos - self.line_start + 1
        raise CompileError(self.filename, line, col or 1, message)

    def _advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.src[self.pos] == "\n":
                self.line += 1
                self.line_start = self.pos + 1
            self.pos += 1

    def _skip_blanks_and_comments(self) -> None:
        src = self.src
        while self.pos < len(src):
            c = src[self.pos]
            if c in " \t\r\n\f":
                self._advance()
            elif c == '"':
                line, col = self.line, self.pos - self.line_start + 1
                self._advance()
                while self.pos < len(src) and src[self.pos] != '"':
                    self._advance()
                if self.pos >= len(src):
                    self.error("unterminated comment", line, col)
                self._advance()
            else:
                break

    def tokens(self) -> List[Token]:
        out = []
        while True:
            tok = self.next_token()
            out.append(tok)
            if tok.kind == EOF:
                return out

    def next_token(self) -> Token:
        self._skip_blanks_and_comments()
        src = self.src
        line, col = self.line, self.pos - self.line_start + 1
        start = self.pos
        if self.pos >= len(src):
            return Token(EOF, "", None, line, col)
        c = src[self.pos]

        def make(kind: str, value: object = None) -> Token:
            return Token(kind, src[start:self.pos], value, line, col)

        if c.isalpha() or c == "_":
            while self.pos < len(src) and (src[self.pos].isalnum() or src[self.pos] == "_"):
                self._advance()
            if (self.pos < len(src) and src[self.pos] == ":"
                    and not (self.pos + 1 < len(src) and src[self.pos + 1] == "=")):
                self._advance()
                # a keyword sequence like at:put: (used in symbol literals)
                save = (self.pos, self.line, self.line_start)
                seq = False
                while True:
                    p = self.pos
                    if p < len(src) and (src[p].isalpha() or src[p] == "_"):
                        q = p
                        while q < len(src) and (src[q].isalnum() or src[q] == "_"):
                            q += 1
                        if q < len(src) and src[q] == ":" and not (
                                q + 1 < len(src) and src[q + 1] == "="):
                            self._advance(q + 1 - p)
                            seq = True
                            continue
                    break
                if seq:
                    return make(KEYWORD_SEQ, src[start:self.pos])
                self.pos, self.line, self.line_start = save
                return make(KEYWORD, src[start:self.pos])
            text = src[start:self.pos]
            if text == "primitive":
                return make(PRIMITIVE)
            return make(IDENT, text)
        if "0" <= c <= "9":
            return self._number(start, line, col)
        if c == "'":
            return self._string(line, col)
        if c == ":":
            if self.pos + 1 < len(src) and src[self.pos + 1] == "=":
                self._advance(2)
                return make(ASSIGN)
            self._advance()
            return make(COLON)
        if c == "-" and src.startswith("----", self.pos):
            while self.pos < len(src) and src[self.pos] == "-":
                self._advance()
            return make(SEPARATOR)
        if c in OPERATOR_CHARS:
            # '|' alone is the variable-list bar; a run of operator characters is one selector
            while self.pos < len(src) and src[self.pos] in OPERATOR_CHARS:
                # a '-' followed by a digit ends the operator: 'a --1' is rare, but
                # 'x-1' must lex as x - 1 and '3 - -2' as 3 - (-2)
                if self.pos > start and src[self.pos] == "-" and self.pos + 1 < len(src) \
                        and src[self.pos + 1].isdigit():
                    break
                self._advance()
            text = src[start:self.pos]
            if text == "|":
                return make(BAR)
            return make(OPERATOR, text)
        simple = {".": PERIOD, "^": CARET, "(": LPAREN, ")": RPAREN, "[": LBRACKET,
                  "]": RBRACKET, "#": SYMBOL_START}
        if c in simple:
            self._advance()
            return make(simple[c])
        self.error("unexpected character %r" % c)
        raise AssertionError("unreachable")

    def _number(self, start: int, line: int, col: int) -> Token:
        src = self.src
        while self.pos < len(src) and _is_digit(src[self.pos]):
            self._advance()
        is_double = False
        if (self.pos + 1 < len(src) and src[self.pos] == "."
                and _is_digit(src[self.pos + 1])):
            is_double = True
            self._advance()
            while self.pos < len(src) and _is_digit(src[self.pos]):
                self._advance()
        if self.pos < len(src) and src[self.pos] in "eE":
            p = self.pos + 1
            if p < len(src) and src[p] in "+-":
                p += 1
            if p < len(src) and _is_digit(src[p]):
                is_double = True
                self._advance(p - self.pos)
                while self.pos < len(src) and _is_digit(src[self.pos]):
                    self._advance()
        text = src[start:self.pos]
        if is_double:
            # float() of a very long literal is fine: it rounds (to inf when out of range)
            return Token(DOUBLE, text, float(text), line, col)
        return Token(INTEGER, text, text_to_int(text), line, col)

    def _string(self, line: int, col: int) -> Token:
        src = self.src
        start = self.pos
        self._advance()
        chars = []
        while True:
            if self.pos >= len(src):
                self.error("unterminated string literal", line, col)
            c = src[self.pos]
            if c == "'":
                self._advance()
                break
            if c == "\\":
                if self.pos + 1 >= len(src):
                    self.error("unterminated string literal", line, col)
                e = src[self.pos + 1]
                if e not in _ESCAPES:
                    self.error("unknown escape sequence '\\%s' in string literal" % e)
                chars.append(_ESCAPES[e])
                self._advance(2)
                continue
            chars.append(c)
            self._advance()
        return Token(STRING, src[start:self.pos], "".join(chars), line, col)
