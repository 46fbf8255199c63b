"""Writes count.b (the benchmark) and count_small.b (for the tests): Brainfuck that counts the
iterations of a triple loop A x B x C in a six-digit decimal counter held on the tape, and prints
the counter after each pass of the outer loop (a table of the multiples of B*C).

    python examples/brainfuck/programs/make_count.py

Tape layout: cells 0-2 are the loop counters a, b, c; then per decimal digit k (units first)
three cells r, t, f at 3 + 3k: r = 10 - digit (so a carry is due when r reaches 0), t and f are
scratch (0 between uses).  One increment of the counter is "r -= 1; if r == 0: r = 10 and
increment the next digit", written with the usual move-and-restore test, so the innermost loop
runs small loops of its own (the JIT sees loops nested four or five deep).
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = 6


class Writer:
    def __init__(self) -> None:
        self.code = []
        self.at = 0

    def go(self, cell: int) -> None:
        d = cell - self.at
        self.code.append(">" * d if d > 0 else "<" * -d)
        self.at = cell

    def emit(self, text: str) -> None:
        self.code.append(text)

    def text(self, width: int = 72) -> str:
        s = "".join(self.code)
        return "\n".join(s[i:i + width] for i in range(0, len(s), width)) + "\n"


def r(k: int) -> int:
    return 3 + 3 * k


def increment(w: Writer, k: int) -> None:
    rk, tk, fk = r(k), r(k) + 1, r(k) + 2
    w.go(rk)
    w.emit("-")
    w.go(fk)
    w.emit("+")  # f = 1: "r is zero" until shown otherwise
    w.go(rk)
    w.emit("[")  # move r to t
    w.go(tk)
    w.emit("+")
    w.go(rk)
    w.emit("-]")
    w.go(tk)
    w.emit("[")  # move it back; r was not zero: f = 0
    w.go(rk)
    w.emit("+")
    w.go(fk)
    w.emit("[-]")
    w.go(tk)
    w.emit("-]")
    w.go(fk)
    w.emit("[")  # r is zero: reset it to 10 and carry
    w.go(rk)
    w.emit("+" * 10)
    if k + 1 < DIGITS:
        increment(w, k + 1)
    w.go(fk)
    w.emit("-]")


def print_counter(w: Writer) -> None:
    for k in reversed(range(DIGITS)):
        rk, tk, fk = r(k), r(k) + 1, r(k) + 2
        w.go(tk)
        w.emit("+" * 58)  # t = '0' + 10 - r = the digit's character
        w.go(rk)
        w.emit("[")
        w.go(tk)
        w.emit("-")
        w.go(fk)
        w.emit("+")
        w.go(rk)
        w.emit("-]")
        w.go(fk)
        w.emit("[")
        w.go(rk)
        w.emit("+")
        w.go(fk)
        w.emit("-]")
        w.go(tk)
        w.emit(".[-]")
    w.go(r(0) + 1)
    w.emit("+" * 10 + ".[-]")  # newline


def program(a: int, b: int, c: int) -> str:
    w = Writer()
    for k in range(DIGITS):
        w.go(r(k))
        w.emit("+" * 10)
    w.go(0)
    w.emit("+" * a + "[")
    w.go(1)
    w.emit("+" * b + "[")
    w.go(2)
    w.emit("+" * c + "[")
    increment(w, 0)
    w.go(2)
    w.emit("-]")
    w.go(1)
    w.emit("-]")
    print_counter(w)
    w.go(0)
    w.emit("-]")
    return w.text()


HEADER = """count%(tag)s: counts a triple loop of %(a)d x %(b)d x %(c)d iterations in a six digit decimal
counter on the tape and prints the counter after each of the %(a)d outer passes
(multiples of %(bc)d); written by examples/brainfuck/programs/make_count
py (do not edit: run it again)

"""


def write(name: str, a: int, b: int, c: int, tag: str) -> None:
    text = HEADER % {"tag": tag, "a": a, "b": b, "c": c, "bc": b * c} + program(a, b, c)
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)


if __name__ == "__main__":
    write("count.b", 40, 50, 50, "")
    write("count_small.b", 3, 4, 5, "_small")
