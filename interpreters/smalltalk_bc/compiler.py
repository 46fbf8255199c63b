"""Compiles the parser's AST to bytecode methods (see bytecodes.py).

Blocks passed literally to ``ifTrue:``, ``ifFalse:``, ``ifTrue:ifFalse:``, ``ifFalse:ifTrue:``,
``and:``, ``or:``, ``whileTrue:``, ``whileFalse:``, ``to:do:``, ``downTo:do:``, ``to:by:do:``,
``downTo:by:do:``, ``ifNil:``,
``ifNotNil:``, ``ifNil:ifNotNil:`` and ``ifNotNil:ifNil:`` are inlined into jumps: their
arguments and locals become extra slots of the enclosing frame.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from . import bytecodes as B
from . import parser as P
from .lexer import CompileError
from .objects import SArray, SClass, SMethod

RESERVED = ("self", "super", "nil", "true", "false")


class Scope:
    def __init__(self, gen: "MethodGen", parent: Optional["Scope"]) -> None:
        self.gen = gen
        self.parent = parent
        self.vars: Dict[str, int] = {}


class MethodGen:
    def __init__(self, parent: Optional["MethodGen"], is_block: bool) -> None:
        self.parent = parent
        self.is_block = is_block
        self.code: List[int] = []
        self.lines: List[int] = []
        self.literals: List[Any] = []
        self.lit_keys: Dict[Any, int] = {}
        self.num_slots = 0
        self.depth = 0
        self.max_depth = 0
        self.catches_nlr = False
        self.line = 0

    def home(self) -> "MethodGen":
        g = self
        while g.parent is not None:
            g = g.parent
        return g

    def new_slot(self) -> int:
        self.num_slots += 1
        return self.num_slots - 1

    def literal(self, value: Any, key: Any = None) -> int:
        if key is not None and key in self.lit_keys:
            return self.lit_keys[key]
        self.literals.append(value)
        idx = len(self.literals) - 1
        if key is not None:
            self.lit_keys[key] = idx
        return idx

    def adjust(self, delta: int) -> None:
        self.depth += delta
        if self.depth > self.max_depth:
            self.max_depth = self.depth

    def emit(self, op: int, *operands: int) -> int:
        pos = len(self.code)
        self.code.append(op)
        self.code.extend(operands)
        self.lines.extend([self.line] * (1 + len(operands)))
        return pos

    def emit_jump(self, op: int) -> int:
        """Emit a forward jump with a placeholder target; returns the operand position."""
        pos = self.emit(op, -1)
        return pos + 1

    def patch(self, operand_pos: int) -> None:
        self.code[operand_pos] = len(self.code)


class Compiler:
    def __init__(self, universe: Any, filename: str) -> None:
        self.u = universe
        self.filename = filename
        self.field_names: List[str] = []
        self.holder: Optional[SClass] = None

    def error(self, node: P.Node, message: str) -> None:
        raise CompileError(self.filename, node.line, node.col, message)

    # -- methods ---------------------------------------------------------------------------
    def compile_method(self, mdef: P.MethodDef, holder: SClass, field_names: List[str]) -> SMethod:
        self.holder = holder
        self.field_names = field_names
        gen = MethodGen(None, False)
        gen.line = mdef.line
        scope = Scope(gen, None)
        for name in mdef.args + mdef.locals:
            self.check_declarable(mdef, name)
            scope.vars[name] = gen.new_slot()
        body = mdef.body or []
        for stmt in body:
            if isinstance(stmt, P.Return):
                self.compile_return(stmt, scope, gen)
                break
            self.compile_statement(stmt, scope, gen)
        else:
            gen.emit(B.RETURN_SELF)
        sig = self.u.symbol(mdef.selector)
        m = self.make_method(gen, sig, len(mdef.args), False)
        m.holder = holder
        return m

    def check_declarable(self, node: P.Node, name: str) -> None:
        if name in RESERVED:
            self.error(node, "'%s' is a reserved word and cannot be a variable name" % name)

    def make_method(self, gen: MethodGen, sig: Any, num_args: int, is_block: bool) -> SMethod:
        m = SMethod(sig, num_args, gen.num_slots - num_args, gen.code, gen.literals,
                    gen.num_slots + gen.max_depth + 1, gen.catches_nlr, is_block, gen.lines,
                    self.u.method_class if not is_block else self.u.method_class)
        for lit in gen.literals:
            if isinstance(lit, SMethod) and lit.is_block:
                lit.outer_method = m
        return m

    # -- statements ------------------------------------------------------------------------
    def compile_statement(self, node: P.Node, scope: Scope, gen: MethodGen) -> None:
        """Compile for effect: leaves the stack as it was."""
        if isinstance(node, P.Assign):
            self.compile_expr(node.value, scope, gen)
            n = len(node.names)
            for i in range(n - 1, -1, -1):
                name, tok = node.names[i]
                if i > 0:
                    gen.emit(B.DUP)
                    gen.adjust(1)
                self.compile_store(name, tok, scope, gen)
            return
        self.compile_expr(node, scope, gen)
        gen.emit(B.POP)
        gen.adjust(-1)

    def compile_return(self, node: P.Return, scope: Scope, gen: MethodGen) -> None:
        self.compile_expr(node.value, scope, gen)
        gen.line = node.line
        if gen.is_block:
            gen.emit(B.RETURN_NONLOCAL)
            gen.home().catches_nlr = True
        else:
            gen.emit(B.RETURN_LOCAL)

    def compile_body_value(self, stmts: List[P.Node], scope: Scope, gen: MethodGen) -> None:
        """Compile statements so that the value of the last one is left on the stack."""
        if not stmts:
            gen.emit(B.PUSH_NIL)
            gen.adjust(1)
            return
        for stmt in stmts[:-1]:
            self.compile_statement(stmt, scope, gen)
        last = stmts[-1]
        if isinstance(last, P.Return):
            self.compile_return(last, scope, gen)
            gen.adjust(1)  # unreachable, but keeps the depth consistent at join points
        else:
            self.compile_expr(last, scope, gen)

    # -- variables -------------------------------------------------------------------------
    def resolve(self, name: str, scope: Scope) -> Optional[Tuple[int, int]]:
        s: Optional[Scope] = scope
        level = 0
        while s is not None:
            if name in s.vars:
                return s.vars[name], level
            if s.parent is not None and s.parent.gen is not s.gen:
                level += 1
            s = s.parent
        return None

    def compile_store(self, name: str, tok: Any, scope: Scope, gen: MethodGen) -> None:
        """Pops the top of the stack into the variable."""
        if name in RESERVED:
            raise CompileError(self.filename, tok.line, tok.col,
                               "cannot assign to '%s'" % name)
        found = self.resolve(name, scope)
        if found is not None:
            idx, level = found
            if level == 0:
                gen.emit(B.POP_LOCAL, idx)
            else:
                gen.emit(B.POP_OUTER, idx, level)
        elif name in self.field_names:
            gen.emit(B.POP_FIELD, self.field_index(name))
        else:
            raise CompileError(self.filename, tok.line, tok.col,
                               "cannot assign to '%s': it is not a local variable, argument "
                               "or field (globals are set with 'system global:put:')" % name)
        gen.adjust(-1)

    def field_index(self, name: str) -> int:
        # the last declaration wins if a subclass repeats a superclass field name
        return len(self.field_names) - 1 - self.field_names[::-1].index(name)

    def compile_var(self, node: P.Var, scope: Scope, gen: MethodGen) -> None:
        name = node.name
        gen.adjust(1)
        if name == "self" or name == "super":
            gen.emit(B.PUSH_SELF)
            return
        if name == "nil":
            gen.emit(B.PUSH_NIL)
            return
        if name == "true" or name == "false":
            v = name == "true"
            gen.emit(B.PUSH_CONST, gen.literal(v, ("bool", v)))
            return
        found = self.resolve(name, scope)
        if found is not None:
            idx, level = found
            if level == 0:
                gen.emit(B.PUSH_LOCAL, idx)
            else:
                gen.emit(B.PUSH_OUTER, idx, level)
            return
        if name in self.field_names:
            gen.emit(B.PUSH_FIELD, self.field_index(name))
            return
        sym = self.u.symbol(name)
        gen.emit(B.PUSH_GLOBAL, gen.literal(sym, ("sym", name)))

    # -- expressions -----------------------------------------------------------------------
    def compile_expr(self, node: P.Node, scope: Scope, gen: MethodGen) -> None:
        """Compile for value: pushes exactly one value."""
        if node.line:
            gen.line = node.line
        if isinstance(node, P.Var):
            self.compile_var(node, scope, gen)
        elif isinstance(node, P.Literal):
            self.compile_literal(node, gen)
        elif isinstance(node, P.Assign):
            self.compile_expr(node.value, scope, gen)
            for name, tok in reversed(node.names):
                gen.emit(B.DUP)
                gen.adjust(1)
                self.compile_store(name, tok, scope, gen)
        elif isinstance(node, P.Send):
            self.compile_send(node, scope, gen)
        elif isinstance(node, P.Block):
            block = self.compile_block(node, scope, gen)
            gen.emit(B.PUSH_BLOCK, gen.literal(block))
            gen.adjust(1)
        else:
            self.error(node, "unexpected %s" % type(node).__name__)

    def literal_value(self, node: P.Literal) -> Any:
        k = node.kind
        if k in ("int", "double", "string"):
            return node.value
        if k == "symbol":
            return self.u.symbol(node.value)
        if k == "const":
            return {"true": True, "false": False, "nil": None}[node.value]
        if k == "array":
            return SArray([self.literal_value(x) for x in node.value])  # type: ignore
        raise AssertionError(k)

    def compile_literal(self, node: P.Literal, gen: MethodGen) -> None:
        gen.adjust(1)
        value = self.literal_value(node)
        if value is None:
            gen.emit(B.PUSH_NIL)
            return
        key: Any = None
        if node.kind in ("int", "double", "string", "const"):
            key = (node.kind, type(value), value)
        elif node.kind == "symbol":
            key = ("sym", node.value)
        gen.emit(B.PUSH_CONST, gen.literal(value, key))

    def compile_block(self, node: P.Block, scope: Scope, gen: MethodGen) -> SMethod:
        bgen = MethodGen(gen, True)
        bgen.line = node.line
        bscope = Scope(bgen, scope)
        for name in node.args + node.locals:
            self.check_declarable(node, name)
            bscope.vars[name] = bgen.new_slot()
        self.compile_body_value(node.body, bscope, bgen)
        bgen.emit(B.RETURN_LOCAL)
        nargs = len(node.args)
        sig = self.u.symbol("value" if nargs == 0 else "value:" + "with:" * (nargs - 1))
        m = self.make_method(bgen, sig, nargs, True)
        m.holder = self.holder
        m.block_class = self.u.block_class(nargs)
        return m

    def inline_two_way(self, rcvr, args, jump, scope, gen) -> None:  # type: ignore[no-untyped-def]
        """``rcvr`` then two literal blocks as jumps: ``jump`` skips to the second block."""
        self.compile_expr(rcvr, scope, gen)
        j = gen.emit_jump(jump)
        gen.adjust(-1)
        base = gen.depth
        self.inline_block(args[0], scope, gen)
        j2 = gen.emit_jump(B.JUMP)
        gen.patch(j)
        gen.depth = base
        self.inline_block(args[1], scope, gen)
        gen.patch(j2)

    @staticmethod
    def is_block(node: P.Node, nargs: int) -> bool:
        return isinstance(node, P.Block) and len(node.args) == nargs

    def compile_send(self, node: P.Send, scope: Scope, gen: MethodGen) -> None:
        sel = node.selector
        rcvr = node.receiver
        args = node.args
        is_super = isinstance(rcvr, P.Var) and rcvr.name == "super"
        if not is_super and self.try_inline(node, scope, gen):
            return
        self.compile_expr(rcvr, scope, gen)
        for a in args:
            self.compile_expr(a, scope, gen)
        gen.line = node.line
        sym = self.u.symbol(sel)
        lit = gen.literal(sym, ("sym", sel))
        if is_super:
            gen.emit(B.SUPER_SEND, lit)
        elif len(args) == 1 and sel in B.SPECIAL_BINARY:
            gen.emit(B.SPECIAL_BINARY[sel], lit)
        else:
            gen.emit(B.SEND, lit)
        gen.adjust(-len(args))

    # -- inlining --------------------------------------------------------------------------
    def inline_block(self, block: P.Block, scope: Scope, gen: MethodGen,
                     arg_slots: Optional[List[int]] = None) -> None:
        """Compile the literal block's body in place; leaves its value on the stack."""
        iscope = Scope(gen, scope)
        for i, name in enumerate(block.args):
            self.check_declarable(block, name)
            iscope.vars[name] = arg_slots[i] if arg_slots else gen.new_slot()
        for name in block.locals:
            self.check_declarable(block, name)
            slot = gen.new_slot()
            iscope.vars[name] = slot
            gen.emit(B.PUSH_NIL)  # block locals start as nil on every evaluation
            gen.emit(B.POP_LOCAL, slot)
        self.compile_body_value(block.body, iscope, gen)

    def try_inline(self, node: P.Send, scope: Scope, gen: MethodGen) -> bool:
        sel = node.selector
        args = node.args
        rcvr = node.receiver
        if sel in ("ifTrue:", "ifFalse:") and self.is_block(args[0], 0):
            self.compile_expr(rcvr, scope, gen)
            j = gen.emit_jump(B.JUMP_IF_FALSE if sel == "ifTrue:" else B.JUMP_IF_TRUE)
            gen.adjust(-1)
            base = gen.depth
            self.inline_block(args[0], scope, gen)  # type: ignore
            j2 = gen.emit_jump(B.JUMP)
            gen.patch(j)
            gen.depth = base
            gen.emit(B.PUSH_NIL)
            gen.adjust(1)
            gen.patch(j2)
            return True
        if sel in ("ifTrue:ifFalse:", "ifFalse:ifTrue:") and self.is_block(args[0], 0) \
                and self.is_block(args[1], 0):
            jump = B.JUMP_IF_FALSE if sel == "ifTrue:ifFalse:" else B.JUMP_IF_TRUE
            self.inline_two_way(rcvr, args, jump, scope, gen)
            return True
        if sel in ("and:", "or:") and self.is_block(args[0], 0):
            self.compile_expr(rcvr, scope, gen)
            j = gen.emit_jump(B.JUMP_IF_FALSE if sel == "and:" else B.JUMP_IF_TRUE)
            gen.adjust(-1)
            base = gen.depth
            self.inline_block(args[0], scope, gen)  # type: ignore
            j2 = gen.emit_jump(B.JUMP)
            gen.patch(j)
            gen.depth = base
            v = sel == "or:"
            gen.emit(B.PUSH_CONST, gen.literal(v, ("bool", v)))
            gen.adjust(1)
            gen.patch(j2)
            return True
        if sel in ("whileTrue:", "whileFalse:") and self.is_block(rcvr, 0) \
                and self.is_block(args[0], 0):
            top = len(gen.code)
            self.inline_block(rcvr, scope, gen)  # type: ignore
            j = gen.emit_jump(B.JUMP_IF_FALSE if sel == "whileTrue:" else B.JUMP_IF_TRUE)
            gen.adjust(-1)
            self.inline_block(args[0], scope, gen)  # type: ignore
            gen.emit(B.POP)
            gen.adjust(-1)
            gen.emit(B.JUMP_BACK, top)
            gen.patch(j)
            gen.emit(B.PUSH_NIL)
            gen.adjust(1)
            return True
        if sel in ("to:do:", "downTo:do:", "to:by:do:", "downTo:by:do:") and self.is_block(args[-1], 1):
            up = sel.startswith("to:")
            counter = gen.new_slot()
            limit = gen.new_slot()
            step = gen.new_slot() if len(args) == 3 else None
            arg = gen.new_slot()
            self.compile_expr(rcvr, scope, gen)  # stays on the stack: the result
            gen.emit(B.DUP)
            gen.adjust(1)
            gen.emit(B.POP_LOCAL, counter)
            gen.adjust(-1)
            self.compile_expr(args[0], scope, gen)
            gen.emit(B.POP_LOCAL, limit)
            gen.adjust(-1)
            if step is not None:
                self.compile_expr(args[1], scope, gen)
                gen.emit(B.POP_LOCAL, step)
                gen.adjust(-1)
            top = len(gen.code)
            gen.emit(B.PUSH_LOCAL, counter)
            gen.emit(B.PUSH_LOCAL, limit)
            gen.adjust(2)
            cmp_sel = "<=" if up else ">="
            gen.emit(B.LE if up else B.GE, gen.literal(self.u.symbol(cmp_sel), ("sym", cmp_sel)))
            gen.adjust(-1)
            j = gen.emit_jump(B.JUMP_IF_FALSE)
            gen.adjust(-1)
            gen.emit(B.PUSH_LOCAL, counter)
            gen.emit(B.POP_LOCAL, arg)
            self.inline_block(args[-1], scope, gen, [arg])  # type: ignore
            gen.emit(B.POP)
            gen.adjust(-1)
            gen.emit(B.PUSH_LOCAL, counter)
            if step is not None:
                gen.emit(B.PUSH_LOCAL, step)
            else:
                gen.emit(B.PUSH_CONST, gen.literal(1, ("int", int, 1)))
            gen.adjust(2)
            step_sel = "+" if up else "-"
            gen.emit(B.ADD if up else B.SUB,
                     gen.literal(self.u.symbol(step_sel), ("sym", step_sel)))
            gen.emit(B.POP_LOCAL, counter)
            gen.adjust(-2)
            gen.emit(B.JUMP_BACK, top)
            gen.patch(j)
            return True
        if sel in ("ifNil:", "ifNotNil:") and self.is_block(args[0], 0):
            self.compile_expr(rcvr, scope, gen)
            gen.emit(B.DUP)
            gen.adjust(1)
            j = gen.emit_jump(B.JUMP_IF_NOT_NIL if sel == "ifNil:" else B.JUMP_IF_NIL)
            gen.adjust(-1)
            gen.emit(B.POP)
            gen.adjust(-1)
            self.inline_block(args[0], scope, gen)  # type: ignore
            gen.patch(j)
            return True
        if sel in ("ifNil:ifNotNil:", "ifNotNil:ifNil:") and self.is_block(args[0], 0) \
                and self.is_block(args[1], 0):
            jump = B.JUMP_IF_NOT_NIL if sel == "ifNil:ifNotNil:" else B.JUMP_IF_NIL
            self.inline_two_way(rcvr, args, jump, scope, gen)
            return True
        return False
