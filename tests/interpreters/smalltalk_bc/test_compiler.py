"""Parser and compiler: positions in compile errors, inlining, the bytecode listing."""

from __future__ import annotations

import pytest

from interpreters.smalltalk_bc import bytecodes as B
from interpreters.smalltalk_bc.lexer import CompileError
from interpreters.smalltalk_bc.parser import parse_class
from interpreters.smalltalk_bc.universe import Universe


@pytest.fixture(scope="module")
def universe() -> Universe:
    return Universe([])


def compile_class(universe: Universe, source: str):
    cdef = parse_class(source, "T.som")
    return universe.define_class(cdef, None)


@pytest.mark.parametrize("source, line, col, fragment", [
    ("T = (\n  foo = ( ^1 + )\n)", 2, 16, "expected an expression"),
    ("T = (\n  foo = ( 'abc )\n)", 2, 11, "unterminated string"),
    ("T = ( foo = ( x := 3 ) )", 1, 15, "cannot assign to 'x'"),
    ("T = ( foo = ( self := 3 ) )", 1, 15, "cannot assign to 'self'"),
    ("T = ( foo = ( ^1. 2 ) )", 1, 19, "after a return statement"),
    ("T = ( foo = ( | a a | ) )", 1, 19, "declared twice"),
    ("T = ( foo: a bar: a = ( ) )", 1, 7, "duplicate argument"),
    ("T = ( foo = ( 'a\\qb' ) )", 1, 17, "unknown escape"),
    ("T ( )", 1, 3, "expected '='"),
    ("T = ( foo = ( ) foo = ( ) )", 1, 17, "defined twice"),
    ("T = ( foo = ( #( 1 2 ) )", 1, 25, "expected"),
    ("T = ( \"unterminated comment )", 1, 7, "unterminated comment"),
])
def test_compile_errors_have_positions(universe: Universe, source: str, line: int, col: int,
                                       fragment: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_class(universe, source)
    err = info.value
    assert (err.line, err.col) == (line, col), str(err)
    assert fragment in err.message
    assert str(err).startswith("T.som:%d:%d: " % (line, col))


def ops(method) -> list:
    out = []
    pc = 0
    while pc < len(method.code):
        op = method.code[pc]
        out.append(B.NAMES[op])
        pc += B.length(op)
    return out


def method_named(cls, name: str):
    return cls.methods[cls.universe.symbol(name)]


def test_inlining_produces_jumps(universe: Universe) -> None:
    cls = compile_class(universe, """Inl = (
        a: x = ( ^x > 0 ifTrue: [ 1 ] ifFalse: [ 2 ] )
        b = ( | s | s := 0. 1 to: 10 do: [ :i | s := s + i ]. ^s )
        c = ( | i | i := 0. [ i < 5 ] whileTrue: [ i := i + 1 ]. ^i )
        d: x = ( ^(x and: [ x ]) or: [ x isNil ] )
        e: b = ( ^true ifTrue: b )
    )""")
    a = ops(method_named(cls, "a:"))
    assert "JUMP_IF_FALSE" in a and "PUSH_BLOCK" not in a and "SEND" not in a
    b = ops(method_named(cls, "b"))
    assert "JUMP_BACK" in b and "LE" in b and "ADD" in b and "PUSH_BLOCK" not in b
    c = ops(method_named(cls, "c"))
    assert "JUMP_BACK" in c and "LT" in c
    d = ops(method_named(cls, "d:"))
    assert "JUMP_IF_TRUE" in d and "PUSH_BLOCK" not in d
    e = ops(method_named(cls, "e:"))
    assert e == ["PUSH_CONST", "PUSH_LOCAL", "SEND", "RETURN_LOCAL"]


def test_blocks_and_nonlocal_returns(universe: Universe) -> None:
    cls = compile_class(universe, """Blk = (
        f: arr = ( arr do: [ :e | e > 2 ifTrue: [ ^e ] ]. ^nil )
        g = ( | x | ^[ :y | x := y. [ x ] ] )
    )""")
    f = method_named(cls, "f:")
    assert f.catches_nlr
    block = [lit for lit in f.literals if hasattr(lit, "is_block")][0]
    assert "RETURN_NONLOCAL" in ops(block)
    g = method_named(cls, "g")
    assert not g.catches_nlr
    outer = [lit for lit in g.literals if hasattr(lit, "is_block")][0]
    assert "POP_OUTER" in ops(outer)
    inner = [lit for lit in outer.literals if hasattr(lit, "is_block")][0]
    assert ops(inner) == ["PUSH_OUTER", "RETURN_LOCAL"]
    assert inner.code[1:3] == [0, 2]  # slot 0 of the method, two closure levels out


def test_disassembler_lists_blocks(universe: Universe) -> None:
    cls = compile_class(universe, "Dis = ( m = ( ^#(1 2) collect: [ :x | x * 2 ] ) )")
    text = B.disassemble(method_named(cls, "m"))
    assert "PUSH_CONST" in text and "#(1 2)" in text and "#collect:" in text
    assert "block value:" in text and "MUL" in text


def test_literal_parsing(universe: Universe) -> None:
    cdef = parse_class("L = ( m = ( ^#(1 -2 3.5 foo #bar: 'str' #(1)) ) )", "L.som")
    ret = cdef.instance_methods[0].body[0]
    values = [(x.kind, x.value) for x in ret.value.value]
    assert values[:6] == [("int", 1), ("int", -2), ("double", 3.5), ("symbol", "foo"),
                          ("symbol", "bar:"), ("string", "str")]
