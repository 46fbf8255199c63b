"""Decimal text <-> SOM integers of any size.

SOM integers are unbounded (LargeIntegers), but CPython 3.11+ refuses ``int(text)`` and
``str(n)`` beyond 4300 digits unless the process-wide limit is raised.  These helpers take the
fast builtin path for ordinary numbers and split longer ones into pieces below the limit, so
the VM never changes interpreter-wide settings (and runs unchanged on Python 3.9 and PyPy,
which have no limit).
"""

from __future__ import annotations

PIECE = 4000  # decimal digits converted at once: below CPython's default limit of 4300


def text_to_int(text: str) -> int:
    """``int(text)`` for a string of ASCII digits with an optional sign, of any length."""
    if len(text) <= PIECE:
        return int(text)
    sign = 1
    if text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if not (text.isascii() and text.isdigit()):
        raise ValueError("invalid integer literal")
    return sign * _digits_to_int(text)


def _digits_to_int(digits: str) -> int:
    if len(digits) <= PIECE:
        return int(digits)
    half = len(digits) // 2
    low = digits[half:]
    return _digits_to_int(digits[:half]) * 10 ** len(low) + _digits_to_int(low)


def int_to_text(n: int) -> str:
    """``str(n)`` for an integer of any size."""
    try:
        return str(n)
    except ValueError:  # CPython's digit limit
        pass
    if n < 0:
        return "-" + _int_to_digits(-n)
    return _int_to_digits(n)


def _int_to_digits(n: int) -> str:
    # 0.30103 digits per bit, so n has about that many decimal digits
    digits = int(n.bit_length() * 0.30103)
    if digits <= PIECE:
        return str(n)
    half = digits // 2
    high, low = divmod(n, 10 ** half)
    low_text = _int_to_digits(low) if low else "0"
    return _int_to_digits(high) + low_text.rjust(half, "0")
