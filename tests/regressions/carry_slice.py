import metatrace
from metatrace import jit_merge_point


class Frame:
    def __init__(self):
        self.regs = [1, [1, 2, 3, 4], 0]


@metatrace.jit(greens=["pc"], reds=["frame", "i"])
def run(frame):
    pc = 0
    i = 0
    while True:
        jit_merge_point(pc=pc, frame=frame, i=i)
        regs = frame.regs
        regs[2] = regs[1][1:3]      # a slice of a list read from a carried location
        i += 1
        if i > 100:
            return regs[2]
