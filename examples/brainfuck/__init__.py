"""brainfuck: a Brainfuck interpreter with metatrace hints (tape in a bytearray)."""
