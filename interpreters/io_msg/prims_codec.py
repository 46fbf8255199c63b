"""List asEncodedList / List fromEncodedList: C Io's compact binary form of a list of nils,
Numbers and Sequences (other objects go by a reference id the caller hands out).

The encoding is a byte Sequence (each character a byte, 0-255).  Each item is three bytes --
kind (0 nil, 1 Number, 2 Sequence, 3 reference), encoding, item type (C Io's UArray codes) --
then, for a Number, its value as a little-endian float32 (so it keeps float32 precision, as
in C Io); for a Sequence, its size in bytes (uint32) and its bytes; for a reference, the id
(uint32) that ``referenceIdForObject(item)``, sent to the caller, returned.  Decoding sends
``objectForReferenceId(id)`` to the caller for each reference.
"""

from __future__ import annotations

import struct
from typing import Any, List, Tuple

from . import evaluator as ev
from .evaluator import S
from .objects import IoList, IoMessage, IoNumber, IoSeq
from .runtime import prim

NIL, NUMBER, SYMBOL, REFERENCE = 0, 1, 2, 3
# C Io's CENCODING and CTYPE codes
ENC_ASCII, ENC_UTF8, ENC_UCS2, ENC_UCS4, ENC_NUMBER = 0, 1, 2, 3, 4
TYPE_UINT8, TYPE_UINT16, TYPE_UINT32, TYPE_FLOAT32 = 0, 1, 2, 8


def _seq_bytes(text: str) -> Tuple[int, bytes]:
    if all(ord(c) < 128 for c in text):
        return ENC_ASCII, text.encode("ascii")
    return ENC_UTF8, text.encode("utf-8", "surrogatepass")


def _send(loc: Any, name: str, arg: Any, m: IoMessage) -> Any:
    msg = IoMessage(name, [IoMessage("<arg>", [], m.line, m.label, arg)], m.line, m.label)
    return ev.send(loc, loc, msg)


@prim("List", "asEncodedList")
def list_as_encoded_list(target: Any, loc: Any, m: IoMessage) -> Any:
    out = bytearray()
    for item in target.items:
        t = type(item)
        if item is S.nil:
            out += bytes((NIL, 0, 0))
        elif t is IoNumber:
            out += bytes((NUMBER, ENC_NUMBER, TYPE_FLOAT32))
            out += struct.pack("<f", _float32(item.value))
        elif t is IoSeq:
            enc, data = _seq_bytes(item.value)
            out += bytes((SYMBOL, enc, TYPE_UINT8))
            out += struct.pack("<I", len(data)) + data
        else:
            ref = _send(loc, "referenceIdForObject", item, m)
            if type(ref) is not IoNumber or not 0 <= ref.value < 2 ** 32:
                raise S.runtime.error("referenceIdForObject() must return a Number from 0 to "
                                      "2**32 - 1, not %s" % S.runtime.type_name(ref), target, m)
            out += bytes((REFERENCE, 0, 0)) + struct.pack("<I", int(ref.value))
    return IoSeq(out.decode("latin-1"), True)


def _float32(x: float) -> float:
    """x rounded to float32; out of range becomes an infinity, as a C cast does."""
    try:
        struct.pack("<f", x)
        return x
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")


def _decode_text(data: bytes, enc: int, item_type: int) -> str:
    if enc == ENC_UCS2 or (enc == ENC_NUMBER and item_type == TYPE_UINT16):
        return data.decode("utf-16-le", "replace")
    if enc == ENC_UCS4 or (enc == ENC_NUMBER and item_type == TYPE_UINT32):
        return data.decode("utf-32-le", "replace")
    if enc in (ENC_ASCII, ENC_UTF8):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


@prim("List", "fromEncodedList")
def list_from_encoded_list(target: Any, loc: Any, m: IoMessage) -> Any:
    text = S.runtime.str_arg(target, loc, m, 0)
    try:
        d = text.encode("latin-1")
    except UnicodeEncodeError:
        raise S.runtime.error("fromEncodedList: the argument is not an encoded list (it holds "
                              "characters above 255)", target, m)
    items: List[Any] = []
    i, n = 0, len(d)
    # as C Io, a truncated entry ends the list
    while i + 3 <= n:
        kind, enc, item_type = d[i], d[i + 1], d[i + 2]
        i += 3
        if kind == NIL:
            items.append(S.nil)
        elif kind == NUMBER:
            if i + 4 > n:
                break
            items.append(IoNumber(struct.unpack_from("<f", d, i)[0]))
            i += 4
        elif kind == SYMBOL:
            if i + 4 > n:
                break
            size = struct.unpack_from("<I", d, i)[0]
            i += 4
            if i + size > n:
                break
            items.append(IoSeq(_decode_text(d[i:i + size], enc, item_type)))
            i += size
        elif kind == REFERENCE:
            if i + 4 > n:
                break
            ref = struct.unpack_from("<I", d, i)[0]
            i += 4
            items.append(_send(loc, "objectForReferenceId", IoNumber(float(ref)), m))
        else:
            raise S.runtime.error("fromEncodedList: unknown item kind %d at byte %d"
                                  % (kind, i - 3), target, m)
    return IoList(items)
