"""A tiny interpreter whose loop reads a quasi-immutable field, so that writing the field later
invalidates the compiled loop (a real file: the JIT reads the portal's source)."""

import metatrace
from metatrace import jit_merge_point, promote


class Config:
    _immutable_fields_ = ("version?",)

    def __init__(self) -> None:
        self.version = 1


class Frame:
    def __init__(self, n: int, config: Config) -> None:
        self.acc = 0
        self.n = n
        self.config = config


CONFIG = Config()


def loc(pc, code):
    return "%d: %s" % (pc, code[pc][0])


@metatrace.jit(greens=["pc", "code"], reds=["frame"], get_printable_location=loc, name="qi")
def qi(code, frame):
    """ops: addv (acc += config.version), dec, jnz T, ret."""
    pc = 0
    while True:
        jit_merge_point(pc=pc, code=code, frame=frame)
        op, arg = code[pc]
        pc += 1
        if op == "addv":
            config = promote(frame.config)
            frame.acc = frame.acc + config.version
        elif op == "dec":
            frame.n = frame.n - 1
        elif op == "jnz":
            if frame.n != 0:
                pc = arg
        elif op == "ret":
            return frame.acc


LOOP = (("addv", 0), ("dec", 0), ("jnz", 0), ("ret", 0))


def run(n: int = 3000, rounds: int = 3) -> int:
    """Run the loop ``rounds`` times, bumping the version between rounds: each bump throws
    the compiled loop away and the JIT compiles it again."""
    total = 0
    for _ in range(rounds):
        total += qi(LOOP, Frame(n, CONFIG))
        CONFIG.version = CONFIG.version + 1
    return total
