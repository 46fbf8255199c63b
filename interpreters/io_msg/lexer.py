"""Tokenizer for Io source text.

Io's grammar is tiny: a program is a chain of messages; a message is a symbol (identifier,
operator, number or string) optionally followed by parenthesised arguments.  Newlines and
``;`` end an expression; ``,`` separates arguments.  This module turns text into a flat token
list carrying line and column numbers so that syntax errors can say ``file:line:col``.
"""

from __future__ import annotations

import errno
import os
from typing import List


class IoSyntaxError(Exception):
    """A syntax error with an Io-source position (``file:line:col: message``)."""

    def __init__(self, label: str, line: int, col: int, what: str) -> None:
        Exception.__init__(self, "%s:%d:%d: %s" % (label, line, col, what))
        self.label = label
        self.line = line
        self.col = col
        self.what = what


def decode_source(data: bytes, label: str) -> str:
    """Source bytes as text: UTF-8 (a leading byte-order mark is dropped).  Bytes that are
    not UTF-8 are a syntax error at their line and column, not a Python UnicodeDecodeError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        good = data[:e.start].decode("utf-8")
        line = good.count("\n") + 1
        col = len(good) - (good.rfind("\n") + 1) + 1
        raise IoSyntaxError(label, line, col, "invalid UTF-8 byte 0x%02x: Io source files must "
                                              "be UTF-8 text" % data[e.start])
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def read_source(path: str, label: str = "") -> str:
    """The text of the Io source file ``path`` (OSError if it cannot be read; a directory is
    reported as one on every Python)."""
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    with open(path, "rb") as f:
        data = f.read()
    return decode_source(data, label or path)


# token kinds
IDENT = "ident"        # identifiers and operators (a message name)
NUMBER = "number"
HEXNUMBER = "hex"
STRING = "string"      # "..." with escapes
TRIPLE = "triple"      # """...""" raw
OPEN = "open"          # ( [ {
CLOSE = "close"        # ) ] }
COMMA = "comma"
TERM = "term"          # ; or newline
EOF = "eof"

OP_CHARS = frozenset(":'~!@$%^&*-+=|\\<>?/")
IDENT_EXTRA = frozenset("_.")


class Token:
    __slots__ = ("kind", "text", "line", "col", "space_before", "value")

    def __init__(self, kind: str, text: str, line: int, col: int, space_before: bool,
                 value: object = None) -> None:
        self.kind = kind
        self.text = text
        self.line = line
        self.col = col
        self.space_before = space_before
        self.value = value

    def __repr__(self) -> str:
        return "Token(%s, %r, %d:%d)" % (self.kind, self.text, self.line, self.col)


def _is_ident_char(c: str) -> bool:
    return c.isalnum() or c in IDENT_EXTRA or (ord(c) > 127 and not c.isspace())


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
           "0": "\0", "\\": "\\", '"': '"', "e": "\x1b"}


def unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out = []
    i = 0
    n = len(body)
    while i < n:
        c = body[i]
        if c == "\\" and i + 1 < n:
            d = body[i + 1]
            if d in ESCAPES:
                out.append(ESCAPES[d])
                i += 2
                continue
            if d == "x" and i + 3 < n + 1:
                try:
                    out.append(chr(int(body[i + 2:i + 4], 16)))
                    i += 4
                    continue
                except ValueError:
                    pass
            if d == "\n":
                i += 2
                continue
            out.append(d)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def tokenize(src: str, label: str = "<string>") -> List[Token]:
    toks: List[Token] = []
    i = 0
    n = len(src)
    line = 1
    line_start = 0
    space = True

    def err(pos: int, what: str) -> IoSyntaxError:
        ln = src.count("\n", 0, pos) + 1
        col = pos - (src.rfind("\n", 0, pos) + 1) + 1
        return IoSyntaxError(label, ln, col, what)

    if src.startswith("#!"):
        while i < n and src[i] != "\n":
            i += 1
    while i < n:
        c = src[i]
        col = i - line_start + 1
        if c == "\n" or c == ";":
            if c == "\n":
                line += 1
                line_start = i + 1
            if not toks or toks[-1].kind != TERM:
                toks.append(Token(TERM, c, line if c == ";" else line - 1, col, space))
            i += 1
            space = True
            continue
        if c in " \t\r\f\v":
            i += 1
            space = True
            continue
        if c == "/" and i + 1 < n and src[i + 1] == "/" or c == "#":
            while i < n and src[i] != "\n":
                i += 1
            space = True
            continue
        if c == "/" and i + 1 < n and src[i + 1] == "*":
            end = src.find("*/", i + 2)
            if end < 0:
                raise err(i, "unterminated /* comment: expected */ before end of input")
            line += src.count("\n", i, end)
            nl = src.rfind("\n", i, end)
            if nl >= 0:
                line_start = nl + 1
            i = end + 2
            space = True
            continue
        if c == ",":
            toks.append(Token(COMMA, c, line, col, space))
            i += 1
            space = True
            continue
        if c in "([{":
            toks.append(Token(OPEN, c, line, col, space))
            i += 1
            space = False
            continue
        if c in ")]}":
            toks.append(Token(CLOSE, c, line, col, space))
            i += 1
            space = False
            continue
        if c == '"':
            if src.startswith('"""', i):
                end = src.find('"""', i + 3)
                if end < 0:
                    raise err(i, 'unterminated triple-quoted string: expected """')
                text = src[i:end + 3]
                toks.append(Token(TRIPLE, text, line, col, space, src[i + 3:end]))
                line += text.count("\n")
                nl = text.rfind("\n")
                if nl >= 0:
                    line_start = i + nl + 1
                i = end + 3
                space = False
                continue
            j = i + 1
            while j < n and src[j] != '"':
                if src[j] == "\\":
                    j += 1
                j += 1
            if j >= n:
                raise err(i, 'unterminated string: expected closing "')
            text = src[i:j + 1]
            toks.append(Token(STRING, text, line, col, space, unescape(src[i + 1:j])))
            line += text.count("\n")
            nl = text.rfind("\n")
            if nl >= 0:
                line_start = i + nl + 1
            i = j + 1
            space = False
            continue
        if c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            if c == "0" and i + 1 < n and src[i + 1] in "xX":
                j = i + 2
                while j < n and (src[j].isdigit() or src[j] in "abcdefABCDEF"):
                    j += 1
                if j == i + 2:
                    raise err(i, "malformed hex number: expected hex digits after 0x")
                toks.append(Token(HEXNUMBER, src[i:j], line, col, space,
                                  float(int(src[i + 2:j], 16))))
                i = j
                space = False
                continue
            j = i
            while j < n and src[j].isdigit():
                j += 1
            if j < n and src[j] == "." and j + 1 < n and src[j + 1].isdigit():
                j += 1
                while j < n and src[j].isdigit():
                    j += 1
            if j < n and src[j] in "eE":
                k = j + 1
                if k < n and src[k] in "+-":
                    k += 1
                if k < n and src[k].isdigit():
                    while k < n and src[k].isdigit():
                        k += 1
                    j = k
            toks.append(Token(NUMBER, src[i:j], line, col, space, float(src[i:j])))
            i = j
            space = False
            continue
        if c in OP_CHARS:
            j = i
            while j < n and src[j] in OP_CHARS:
                j += 1
            toks.append(Token(IDENT, src[i:j], line, col, space))
            i = j
            space = False
            continue
        if _is_ident_char(c):
            j = i
            while j < n and _is_ident_char(src[j]):
                j += 1
            toks.append(Token(IDENT, src[i:j], line, col, space))
            i = j
            space = False
            continue
        raise err(i, "unexpected character %r: expected a message, number, string or operator" % c)
    toks.append(Token(EOF, "", line, i - line_start + 1, space))
    return toks
