"""JitCode: the register IR that the tracer and the blackhole interpreter both execute.

A jitcode is a list of instructions (tuples whose first item is the opcode name), a register
file whose first registers hold constants, an exception table and per-instruction liveness.
Instruction forms (``d`` = destination register, other letters = source registers)::

    move d s                      binop d OP a b         inplace d OP a b
    unop d OP a                   compare d OP a b       goto T
    goto_if_not a T               goto_if a T            getattr d obj NAME
    setattr obj NAME v            getitem d obj i        setitem obj i v
    delitem obj i                 build_tuple d [r..]    build_list d [r..]
    build_dict d [k v ..]         build_set d [r..]      build_slice d lo hi step
    unpack [d..] s                getglobal d NAME       getderef d INDEX
    call d f [args] KWNAMES       callmeth d obj NAME [args] KWNAMES
    return a                      raise a                exc_match d exc typ
    getiter d seq                 for_iter d it T        range_check a b step
    (range_check checks the counter ``a`` and limit ``b`` of a range loop as range() does and
    makes them exact ints, in place)
    merge_point                   can_enter_jit          nop
    check_bound a NAME            (UnboundLocalError if local ``a`` holds UNBOUND)
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple


class _Unbound:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unbound>"


UNBOUND = _Unbound()

# opcode -> (positions of destination operands, positions of source operands); list operands
# (lists of registers) are expanded.  Positions count from 1 (0 is the opcode).
_DEFS_USES: Dict[str, Tuple[Tuple[int, ...], Tuple[int, ...]]] = {
    "move": ((1,), (2,)),
    "binop": ((1,), (3, 4)),
    "inplace": ((1,), (3, 4)),
    "unop": ((1,), (3,)),
    "compare": ((1,), (3, 4)),
    "goto": ((), ()),
    "goto_if_not": ((), (1,)),
    "goto_if": ((), (1,)),
    "getattr": ((1,), (2,)),
    "setattr": ((), (1, 3)),
    "getitem": ((1,), (2, 3)),
    "setitem": ((), (1, 2, 3)),
    "delitem": ((), (1, 2)),
    "build_tuple": ((1,), (2,)),
    "build_list": ((1,), (2,)),
    "build_dict": ((1,), (2,)),
    "build_set": ((1,), (2,)),
    "build_slice": ((1,), (2, 3, 4)),
    "unpack": ((1,), (2,)),
    "getglobal": ((1,), ()),
    "getderef": ((1,), ()),
    "call": ((1,), (2, 3)),
    "callmeth": ((1,), (2, 4)),
    "return": ((), (1,)),
    "raise": ((), (1,)),
    "exc_match": ((1,), (2, 3)),
    "getiter": ((1,), (2,)),
    "for_iter": ((1,), (2,)),
    "range_check": ((1, 2), (1, 2, 3)),
    "merge_point": ((), ()),
    "can_enter_jit": ((), ()),
    "nop": ((), ()),
    "check_bound": ((), (1,)),
}

NO_RAISE = {"move", "goto", "goto_if_not", "goto_if", "nop", "merge_point", "can_enter_jit",
            "build_tuple", "build_list", "getderef"}
JUMPS = {"goto": 1, "goto_if_not": 2, "goto_if": 2, "for_iter": 3}


def _regs(ins: tuple, positions: Tuple[int, ...]) -> List[int]:
    out: List[int] = []
    for p in positions:
        x = ins[p]
        if isinstance(x, (list, tuple)):
            out.extend(r for r in x if r >= 0)
        elif isinstance(x, int) and x >= 0:
            out.append(x)
    return out


def defs_uses(ins: tuple) -> Tuple[List[int], List[int]]:
    d, u = _DEFS_USES[ins[0]]
    return _regs(ins, d), _regs(ins, u)


class JitCode:
    """The compiled form of one Python function (see module docstring)."""

    def __init__(self, name: str, func: Any) -> None:
        self.name = name
        self.func = func
        self.filename = ""
        self.firstlineno = 0
        self.code: List[tuple] = []
        self.lines: List[int] = []
        self.nregs = 0
        self.init_regs: List[Any] = []
        self.const_regs: FrozenSet[int] = frozenset()
        self.param_regs: List[int] = []
        self.regnames: Dict[int, str] = {}
        self.exc_table: List[Tuple[int, int, int, int]] = []  # (start, end, handler, exc_reg)
        self.live: List[FrozenSet[int]] = []  # registers live before each pc (constants excluded)
        self._live_sorted: Dict[int, Tuple[int, ...]] = {}  # live_sorted's answers
        self.has_loop = False
        # portal only
        self.merge_point_pc = -1
        self.green_regs: List[int] = []
        self.red_regs: List[int] = []
        self.green_names: List[str] = []
        self.red_names: List[str] = []
        self.can_enter_jit_pcs: List[int] = []

    def __repr__(self) -> str:
        return "<JitCode %s>" % self.name

    def handler_for(self, pc: int) -> Optional[Tuple[int, int]]:
        """(handler pc, exception register) of the innermost try region around ``pc``."""
        for start, end, handler, reg in self.exc_table:
            if start <= pc < end:
                return handler, reg
        return None

    def line_of(self, pc: int) -> int:
        if 0 <= pc < len(self.lines):
            return self.lines[pc]
        return self.firstlineno

    def _succs(self, pc: int, ins: tuple) -> List[Tuple[int, int]]:
        """Successor edges of ``pc`` as (target pc, register the edge defines or -1)."""
        op = ins[0]
        s: List[Tuple[int, int]] = []
        if op not in ("goto", "return", "raise"):
            s.append((pc + 1, -1))
        if op in JUMPS:
            s.append((ins[JUMPS[op]], -1))
        if op not in NO_RAISE:
            h = self.handler_for(pc)
            if h is not None:
                s.append(h)
        return [x for x in s if x[0] < len(self.code)]

    def prune_bound_checks(self, unbound_const: int) -> None:
        """Turn each ``check_bound`` of a local that is bound on every path to it into a ``nop``
        (a forward 'maybe unbound' analysis: locals start unbound, except parameters;
        ``move r <UNBOUND const>`` unbinds, as after an ``except ... as name:`` block)."""
        n = len(self.code)
        if not any(ins[0] == "check_bound" for ins in self.code):
            return
        locals_ = set(self.regnames) - set(self.param_regs) - set(self.const_regs)
        state: List[Optional[FrozenSet[int]]] = [None] * (n + 1)
        state[0] = frozenset(locals_)
        work = [0]
        while work:
            pc = work.pop()
            cur = state[pc]
            assert cur is not None
            ins = self.code[pc]
            defs, _ = defs_uses(ins)
            out = set(cur) - set(defs)
            if ins[0] == "move" and ins[2] == unbound_const and ins[1] in locals_:
                out.add(ins[1])
            after = frozenset(out)
            for target, kill in self._succs(pc, ins):
                # an exception edge leaves before the instruction's own results are written
                new = cur - {kill} if kill >= 0 else after
                old = state[target]
                if old is None or not new <= old:
                    state[target] = new if old is None else old | new
                    work.append(target)
        code = list(self.code)
        for pc, ins in enumerate(code):
            if ins[0] == "check_bound" and (state[pc] is None or ins[1] not in state[pc]):
                code[pc] = ("nop",)
        self.code = code

    def drop_nops(self) -> None:
        """Remove ``nop`` instructions (the pruned bound checks: a third of a portal's code),
        renumbering jump targets, the exception table, the line table and the merge points:
        every instruction costs a dispatch in the tracer and the blackhole interpreter."""
        code = self.code
        n = len(code)
        if not any(ins[0] == "nop" for ins in code):
            return
        new_of = [0] * (n + 1)  # a removed pc maps to the next instruction kept
        j = 0
        for pc in range(n):
            new_of[pc] = j
            if code[pc][0] != "nop":
                j += 1
        new_of[n] = j
        out: List[tuple] = []
        lines: List[int] = []
        for pc, ins in enumerate(code):
            if ins[0] == "nop":
                continue
            k = JUMPS.get(ins[0])
            if k is not None:
                ins = ins[:k] + (new_of[ins[k]],) + ins[k + 1:]
            out.append(ins)
            lines.append(self.line_of(pc))
        self.code = out
        self.lines = lines
        self.exc_table = [(new_of[a], new_of[b], new_of[h], reg) for a, b, h, reg in self.exc_table
                          if new_of[b] > new_of[a]]
        if self.merge_point_pc >= 0:
            self.merge_point_pc = new_of[self.merge_point_pc]
        self.can_enter_jit_pcs = [new_of[pc] for pc in self.can_enter_jit_pcs]

    def compute_liveness(self) -> None:
        n = len(self.code)
        succs = [self._succs(pc, ins) for pc, ins in enumerate(self.code)]
        du = [defs_uses(ins) for ins in self.code]
        if self.merge_point_pc >= 0:
            # the merge point reads every green and red (the JIT takes them there), even one
            # the loop body never reads again: resume data must keep them
            du[self.merge_point_pc] = ((), tuple(self.green_regs) + tuple(self.red_regs))
        consts = self.const_regs
        live: List[FrozenSet[int]] = [frozenset()] * (n + 1)
        changed = True
        while changed:
            changed = False
            for pc in range(n - 1, -1, -1):
                out: set = set()
                for target, kill in succs[pc]:
                    if kill >= 0:
                        out |= live[target] - {kill}
                    else:
                        out |= live[target]
                defs, uses = du[pc]
                new = frozenset(r for r in ((out - set(defs)) | set(uses)) if r not in consts)
                if new != live[pc]:
                    live[pc] = new
                    changed = True
        self.live = live[:n]
        self._live_sorted = {}

    def live_at(self, pc: int) -> FrozenSet[int]:
        """Registers whose values a frame stopped at ``pc`` must keep (before or after it)."""
        if pc < len(self.live):
            after = self.live[pc + 1] if pc + 1 < len(self.live) else frozenset()
            return self.live[pc] | after
        return frozenset()

    def live_sorted(self, pc: int) -> Tuple[int, ...]:
        """``live_at(pc)`` in register order (what a snapshot lists), computed once per pc."""
        regs = self._live_sorted.get(pc)
        if regs is None:
            regs = self._live_sorted[pc] = tuple(sorted(self.live_at(pc)))
        return regs

    def dump(self) -> str:
        lines = []
        for pc, ins in enumerate(self.code):
            parts = []
            for x in ins[1:]:
                parts.append(repr(x))
            lines.append("%4d  %-14s %s   # line %d" % (pc, ins[0], " ".join(parts), self.line_of(pc)))
        for start, end, handler, reg in self.exc_table:
            lines.append("  try [%d, %d) -> %d (exc in r%d)" % (start, end, handler, reg))
        return "\n".join(lines)


def sequence_of_regs(x: Any) -> Sequence[int]:
    return x if isinstance(x, (list, tuple)) else (x,)
