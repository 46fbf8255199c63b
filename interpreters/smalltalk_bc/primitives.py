"""Primitives: ``fn(frame, receiver, *args) -> result``, looked up by class and selector.

Every ``= primitive`` declaration of SOM's standard library has an entry here; a few extra
ones (comparisons, ``abs``, ``max:`` ...) back methods our own library declares primitive.
Integer and Double primitives keep SOM's semantics: unbounded integers, ``/`` truncating
integer division, ``//`` double division, ``%`` with the divisor's sign, ``rem:`` with the
dividend's, IEEE doubles (division by zero gives an infinity).
"""

from __future__ import annotations

import gc
import math
import os
import sys
import time
from typing import Any, Callable, Dict

from . import interpreter as I
from .bigint import int_to_text, text_to_int
from .interpreter import SomError, SomExit, class_of
from .objects import (SAbstractObject, SArray, SBlock, SClass, SMethod, SObject, SPrimitive,
                      SSymbol, next_identity_hash)

_START = time.time()
_PERF_START = time.perf_counter()

# -- helpers ---------------------------------------------------------------------------------


def type_name(x: Any) -> str:
    return class_of(x).name.string


def not_numeric(frame: Any, x: Any) -> SomError:
    return SomError("Expected a numeric type but got type '%s'." % type_name(x), frame)


def to_float(frame: Any, x: int) -> float:
    try:
        return float(x)
    except OverflowError:
        raise SomError("Can't represent as double.", frame)


def string_of(frame: Any, x: Any, what: str = "argument") -> str:
    if type(x) is str:
        return x
    if type(x) is SSymbol:
        return x.string
    raise SomError("Expected a String or Symbol as %s but got type '%s'." % (what, type_name(x)),
                   frame)


def int_arg(frame: Any, x: Any) -> int:
    if type(x) is int:
        return x
    raise SomError("Expected an Integer but got type '%s'." % type_name(x), frame)


def java_string_hash(s: str) -> int:
    h = 0
    for c in s:
        h = (31 * h + ord(c)) & 0xFFFFFFFF
    if h >= 0x80000000:
        h -= 0x100000000
    return h


def identity_hash(x: Any) -> int:
    t = type(x)
    if t is int:
        return x
    if t is float:
        return hash(x)
    if t is str:
        return java_string_hash(x)
    if t is bool:
        return 1231 if x else 1237
    if x is None:
        return 0
    if isinstance(x, SAbstractObject):
        h = x.hash
        if h == 0:
            h = next_identity_hash()
            x.hash = h
        return h
    return 0


def format_double(d: float) -> str:
    if d != d:
        return "NaN"
    if d == math.inf:
        return "inf"
    if d == -math.inf:
        return "-inf"
    s = repr(d)
    if "e" in s:
        mant, _, exp = s.partition("e")
        if "." not in mant:
            mant += ".0"
        return mant + "e" + str(int(exp))
    return s


# -- Integer ---------------------------------------------------------------------------------

def int_add(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int:
        return a + b
    if type(b) is float:
        return to_float(frame, a) + b
    raise not_numeric(frame, b)


def int_sub(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int:
        return a - b
    if type(b) is float:
        return to_float(frame, a) - b
    raise not_numeric(frame, b)


def int_mul(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int:
        return a * b
    if type(b) is float:
        return to_float(frame, a) * b
    raise not_numeric(frame, b)


def int_div(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int:
        if b == 0:
            raise SomError("Division by zero.", frame)
        q = abs(a) // abs(b)
        if (a < 0) != (b < 0):
            q = -q
        return q
    if type(b) is float:
        if b == 0.0:
            raise SomError("Division by zero.", frame)
        r = to_float(frame, a) / b
        if r != r or r in (math.inf, -math.inf):
            raise SomError("Can't represent as integer.", frame)
        return int(r)
    raise not_numeric(frame, b)


def float_divide(x: float, y: float) -> float:
    if y == 0.0:
        if x != x or x == 0.0:
            return math.nan
        neg = (x < 0) != (math.copysign(1.0, y) < 0)
        return -math.inf if neg else math.inf
    return x / y


def int_double_div(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int:
        if b == 0:
            return float_divide(float(a) if abs(a) < (1 << 1000) else math.copysign(1e308, a),
                                0.0)
        try:
            return a / b
        except OverflowError:
            raise SomError("Can't represent as double.", frame)
    if type(b) is float:
        return float_divide(to_float(frame, a), b)
    raise not_numeric(frame, b)


def int_mod(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int:
        if b == 0:
            raise SomError("Division by zero.", frame)
        return a % b
    if type(b) is float:
        return double_mod(frame, to_float(frame, a), b)
    raise not_numeric(frame, b)


def int_rem(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int:
        if b == 0:
            raise SomError("Division by zero.", frame)
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    if type(b) is float:
        return double_mod(frame, to_float(frame, a), b)
    raise not_numeric(frame, b)


def int_and(frame: Any, a: int, b: Any) -> Any:
    return a & int_arg(frame, b)


def int_bitxor(frame: Any, a: int, b: Any) -> Any:
    return a ^ int_arg(frame, b)


def int_shl(frame: Any, a: int, b: Any) -> Any:
    b = int_arg(frame, b)
    if b < 0:
        raise SomError("Negative shift.", frame)
    if b > 1 << 24:
        raise SomError("Shift amount too large.", frame)
    return a << b


def int_ushr(frame: Any, a: int, b: Any) -> Any:
    b = int_arg(frame, b)
    if b < 0:
        raise SomError("Negative shift amount.", frame)
    if b == 0:
        return a
    if a < 0:
        a &= 0xFFFFFFFFFFFFFFFF
    return a >> b


def int_sqrt(frame: Any, a: int) -> Any:
    if a < 0:
        raise SomError("Domain error.", frame)
    r = math.isqrt(a)
    if r * r == a:
        return r
    return math.sqrt(to_float(frame, a))


_rand_state = [74755]


def int_at_random(frame: Any, a: int) -> Any:
    # a deterministic LCG, so runs are reproducible (and identical with the JIT on or off)
    s = (_rand_state[0] * 1309 + 13849) & 0xFFFF
    _rand_state[0] = s
    if a <= 0:
        return 0
    return (s * a) >> 16


def int_eq(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a == b
    return False


def int_lt(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a < b
    raise not_numeric(frame, b)


def int_le(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a <= b
    raise not_numeric(frame, b)


def int_gt(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a > b
    raise not_numeric(frame, b)


def int_ge(frame: Any, a: int, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a >= b
    raise not_numeric(frame, b)


def num_ne(frame: Any, a: Any, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a != b
    return True


def int_as_string(frame: Any, a: int) -> Any:
    return int_to_text(a)


def int_as32_signed(frame: Any, a: int) -> Any:
    return ((a & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000


def int_as32_unsigned(frame: Any, a: int) -> Any:
    return a & 0xFFFFFFFF


def int_as_double(frame: Any, a: int) -> Any:
    return to_float(frame, a)


def int_abs(frame: Any, a: int) -> Any:
    return -a if a < 0 else a


def int_negated(frame: Any, a: int) -> Any:
    return -a


def num_max(frame: Any, a: Any, b: Any) -> Any:
    if type(b) is not int and type(b) is not float:
        raise not_numeric(frame, b)
    return b if a < b else a


def num_min(frame: Any, a: Any, b: Any) -> Any:
    if type(b) is not int and type(b) is not float:
        raise not_numeric(frame, b)
    return b if a > b else a


def int_from_string(frame: Any, cls: Any, s: Any) -> Any:
    text = string_of(frame, s).strip()
    try:
        return text_to_int(text)
    except ValueError:
        return None


def self_prim(frame: Any, a: Any) -> Any:
    return a


# -- Double ----------------------------------------------------------------------------------

def double_arg(frame: Any, b: Any) -> float:
    if type(b) is float:
        return b
    if type(b) is int:
        return to_float(frame, b)
    raise not_numeric(frame, b)


def double_add(frame: Any, a: float, b: Any) -> Any:
    return a + double_arg(frame, b)


def double_sub(frame: Any, a: float, b: Any) -> Any:
    return a - double_arg(frame, b)


def double_mul(frame: Any, a: float, b: Any) -> Any:
    return a * double_arg(frame, b)


def double_div(frame: Any, a: float, b: Any) -> Any:
    return float_divide(a, double_arg(frame, b))


def double_mod(frame: Any, a: float, b: Any) -> Any:
    b = double_arg(frame, b)
    if b == 0.0 or a in (math.inf, -math.inf):
        return math.nan
    return math.fmod(a, b)


def double_sqrt(frame: Any, a: float) -> Any:
    if a < 0:
        return math.nan
    return math.sqrt(a)


def double_round(frame: Any, a: float) -> Any:
    if a != a or a in (math.inf, -math.inf):
        raise SomError("Can't represent as integer.", frame)
    return math.floor(a + 0.5)


def double_as_integer(frame: Any, a: float) -> Any:
    if a != a or a in (math.inf, -math.inf):
        raise SomError("Can't represent as integer.", frame)
    return int(a)


def double_cos(frame: Any, a: float) -> Any:
    return math.cos(a)


def double_sin(frame: Any, a: float) -> Any:
    return math.sin(a)


def double_eq(frame: Any, a: float, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a == b
    return False


def double_lt(frame: Any, a: float, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a < b
    raise not_numeric(frame, b)


def double_le(frame: Any, a: float, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a <= b
    raise not_numeric(frame, b)


def double_gt(frame: Any, a: float, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a > b
    raise not_numeric(frame, b)


def double_ge(frame: Any, a: float, b: Any) -> Any:
    if type(b) is int or type(b) is float:
        return a >= b
    raise not_numeric(frame, b)


def double_as_string(frame: Any, a: float) -> Any:
    return format_double(a)


def double_abs(frame: Any, a: float) -> Any:
    return abs(a)


def double_negated(frame: Any, a: float) -> Any:
    return -a


def double_floor(frame: Any, a: float) -> Any:
    if a != a or a in (math.inf, -math.inf):
        raise SomError("Can't represent as integer.", frame)
    return math.floor(a)


def double_positive_infinity(frame: Any, cls: Any) -> Any:
    return math.inf


def double_from_string(frame: Any, cls: Any, s: Any) -> Any:
    try:
        return float(string_of(frame, s).strip())
    except ValueError:
        return math.nan


# -- String and Symbol -----------------------------------------------------------------------

def str_concatenate(frame: Any, a: Any, b: Any) -> Any:
    return string_of(frame, a, "receiver") + string_of(frame, b)


def str_as_symbol(frame: Any, a: Any) -> Any:
    return I.U.symbol(string_of(frame, a, "receiver"))


def str_hashcode(frame: Any, a: Any) -> Any:
    return java_string_hash(string_of(frame, a, "receiver"))


def str_length(frame: Any, a: Any) -> Any:
    return len(string_of(frame, a, "receiver"))


def str_is_whitespace(frame: Any, a: Any) -> Any:
    s = string_of(frame, a, "receiver")
    return len(s) > 0 and s.isspace()


def str_is_letters(frame: Any, a: Any) -> Any:
    s = string_of(frame, a, "receiver")
    return len(s) > 0 and s.isalpha()


def str_is_digits(frame: Any, a: Any) -> Any:
    s = string_of(frame, a, "receiver")
    return len(s) > 0 and all("0" <= c <= "9" for c in s)


def str_eq(frame: Any, a: Any, b: Any) -> Any:
    if type(b) is str or type(b) is SSymbol:
        return string_of(frame, a, "receiver") == string_of(frame, b)
    return False


def str_substring(frame: Any, a: Any, start: Any, end: Any) -> Any:
    s = string_of(frame, a, "receiver")
    start = int_arg(frame, start)
    end = int_arg(frame, end)
    if start < 1 or end > len(s) or start > end + 1:
        raise SomError("Substring %d..%d out of bounds for a string of length %d."
                       % (start, end, len(s)), frame)
    return s[start - 1:end]


def str_char_at(frame: Any, a: Any, i: Any) -> Any:
    s = string_of(frame, a, "receiver")
    i = int_arg(frame, i)
    if i < 1 or i > len(s):
        raise SomError("Index %d out of bounds for a string of length %d." % (i, len(s)), frame)
    return s[i - 1]


def str_as_string(frame: Any, a: Any) -> Any:
    return string_of(frame, a, "receiver")


# -- Array -----------------------------------------------------------------------------------

def array_at(frame: Any, a: SArray, i: Any) -> Any:
    if type(i) is int:
        storage = a.storage
        if 1 <= i <= len(storage):
            return storage[i - 1]
        raise SomError("Index %d not valid for array of length %d." % (i, len(storage)), frame)
    raise SomError("Array index must be an Integer, got type '%s'." % type_name(i), frame)


def array_at_put(frame: Any, a: SArray, i: Any, v: Any) -> Any:
    if type(i) is int:
        storage = a.storage
        if 1 <= i <= len(storage):
            storage[i - 1] = v
            if a.owner is not None:
                a.owner.methods_array_changed()
            return a
        raise SomError("Index %d not valid for array of length %d." % (i, len(storage)), frame)
    raise SomError("Array index must be an Integer, got type '%s'." % type_name(i), frame)


def array_length(frame: Any, a: SArray) -> Any:
    return len(a.storage)


def array_new(frame: Any, cls: Any, n: Any) -> Any:
    n = int_arg(frame, n)
    if n < 0:
        raise SomError("Array size must not be negative: %s." % int_to_text(n), frame)
    if n > 0x7FFFFFFF:  # SOM arrays are indexed by 32-bit integers, as in the JVM SOMs
        raise SomError("Array size too large: %s." % int_to_text(n), frame)
    return SArray([None] * n)


def array_copy(frame: Any, a: SArray) -> Any:
    return SArray(list(a.storage))


# -- Block -----------------------------------------------------------------------------------

def block_restart(frame: Any, b: Any) -> Any:
    raise AssertionError("Block>>restart is implemented by the dispatch loop")


def block_num_args(frame: Any, b: SBlock) -> Any:
    return b.method.num_args


def block_value3(frame: Any, b: SBlock, x: Any, y: Any, z: Any) -> Any:
    return I.eval_block(frame, b, [x, y, z])


# -- Object ----------------------------------------------------------------------------------

def obj_class(frame: Any, a: Any) -> Any:
    return class_of(a)


def obj_object_size(frame: Any, a: Any) -> Any:
    if type(a) is SObject:
        return 16 + 8 * len(a.fields)
    if type(a) is SArray:
        return 16 + 8 * len(a.storage)
    if type(a) is str:
        return 16 + len(a)
    return 16


def obj_identical(frame: Any, a: Any, b: Any) -> Any:
    ta = type(a)
    if ta is int or ta is float:
        tb = type(b)
        return (tb is int or tb is float) and a == b
    return a is b


def obj_hashcode(frame: Any, a: Any) -> Any:
    return identity_hash(a)


def obj_inspect(frame: Any, a: Any) -> Any:
    out = sys.stdout
    out.write("%s\n" % describe(a))
    if type(a) is SObject:
        for name, value in zip(a.clazz.instance_fields, a.fields):
            out.write("  %s: %s\n" % (name.string, describe(value)))
    return a


def obj_halt(frame: Any, a: Any) -> Any:
    sys.stdout.flush()
    sys.stderr.write("halt: %s\n" % describe(a))
    print_stack_trace(frame, sys.stderr)
    return a


def describe(x: Any) -> str:
    if type(x) is str:
        return "'%s'" % x
    if type(x) is SSymbol:
        return "#" + x.string
    if type(x) is float:
        return format_double(x)
    if type(x) is bool:
        return "true" if x else "false"
    if x is None:
        return "nil"
    if type(x) is int:
        return int_to_text(x)
    if type(x) is SClass:
        return x.name.string
    return "a " + class_of(x).name.string


def args_list(frame: Any, args: Any) -> list:
    if type(args) is not SArray:
        raise SomError("Expected an Array of arguments but got type '%s'." % type_name(args),
                       frame)
    return list(args.storage)


def selector_of(frame: Any, sel: Any) -> SSymbol:
    if type(sel) is SSymbol:
        return sel
    if type(sel) is str:
        return I.U.symbol(sel)
    raise SomError("Expected a Symbol as selector but got type '%s'." % type_name(sel), frame)


def obj_perform(frame: Any, a: Any, sel: Any) -> Any:
    return I.send_to(frame, a, selector_of(frame, sel), [])


def obj_perform_with_args(frame: Any, a: Any, sel: Any, args: Any) -> Any:
    return I.send_to(frame, a, selector_of(frame, sel), args_list(frame, args))


def perform_in(frame: Any, a: Any, sel: SSymbol, cls: Any, args: list) -> Any:
    if type(cls) is not SClass:
        raise SomError("Expected a class but got type '%s'." % type_name(cls), frame)
    invokable = cls.lookup(sel)
    if invokable is None:
        return I.send_to(frame, a, I.U.sym_dnu, [sel, SArray(args)])
    return I.invoke_with_args(invokable, a, args, frame)


def obj_perform_in_superclass(frame: Any, a: Any, sel: Any, cls: Any) -> Any:
    return perform_in(frame, a, selector_of(frame, sel), cls, [])


def obj_perform_with_args_in_superclass(frame: Any, a: Any, sel: Any, args: Any,
                                        cls: Any) -> Any:
    return perform_in(frame, a, selector_of(frame, sel), cls, args_list(frame, args))


def _fields_of(frame: Any, a: Any) -> list:
    if type(a) is SObject or type(a) is SClass:
        return a.fields
    raise SomError("instance of %s has no instance variables" % type_name(a), frame)


def obj_inst_var_at(frame: Any, a: Any, i: Any) -> Any:
    fields = _fields_of(frame, a)
    i = int_arg(frame, i)
    if 1 <= i <= len(fields):
        return fields[i - 1]
    raise SomError("Index %d not valid for an object with %d fields." % (i, len(fields)), frame)


def obj_inst_var_at_put(frame: Any, a: Any, i: Any, v: Any) -> Any:
    fields = _fields_of(frame, a)
    i = int_arg(frame, i)
    if 1 <= i <= len(fields):
        fields[i - 1] = v
        return a
    raise SomError("Index %d not valid for an object with %d fields." % (i, len(fields)), frame)


def obj_inst_var_named(frame: Any, a: Any, name: Any) -> Any:
    fields = _fields_of(frame, a)
    sym = selector_of(frame, name)
    names = class_of(a).instance_fields
    for i in range(len(names) - 1, -1, -1):
        if names[i] is sym:
            return fields[i]
    raise SomError("No instance variable named %s." % sym.string, frame)


# -- Class -----------------------------------------------------------------------------------

def class_name(frame: Any, c: SClass) -> Any:
    return c.name


def class_new(frame: Any, c: SClass) -> Any:
    return SObject(c, len(c.instance_fields))


def class_superclass(frame: Any, c: SClass) -> Any:
    return c.superclass


def class_fields(frame: Any, c: SClass) -> Any:
    return SArray(list(c.instance_fields))


def class_methods(frame: Any, c: SClass) -> Any:
    return c.methods_array


def class_has_method(frame: Any, c: SClass, sel: Any) -> Any:
    return type(sel) is SSymbol and c.has_method(sel)


# -- Method and Primitive --------------------------------------------------------------------

def inv_signature(frame: Any, m: Any) -> Any:
    return m.signature


def inv_holder(frame: Any, m: Any) -> Any:
    return m.holder


def inv_invoke_on_with(frame: Any, m: Any, rcvr: Any, args: Any) -> Any:
    return I.invoke_with_args(m, rcvr, args_list(frame, args) if args is not None else [], frame)


# -- System ----------------------------------------------------------------------------------

def sys_global(frame: Any, s: Any, name: Any) -> Any:
    return I.U.get_global(selector_of(frame, name))


def sys_global_put(frame: Any, s: Any, name: Any, value: Any) -> Any:
    I.U.set_global(selector_of(frame, name), value)
    return s


def sys_has_global(frame: Any, s: Any, name: Any) -> Any:
    return I.U.get_global(selector_of(frame, name)) is not None


def sys_load_file(frame: Any, s: Any, name: Any) -> Any:
    path = string_of(frame, name)
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def sys_load(frame: Any, s: Any, name: Any) -> Any:
    return I.U.load_class(selector_of(frame, name))


def sys_exit(frame: Any, s: Any, code: Any) -> Any:
    if type(code) is not int:
        raise SomError("exit: expects an Integer but got type '%s'." % type_name(code), frame)
    raise SomExit(code)


def sys_print_string(frame: Any, s: Any, text: Any) -> Any:
    sys.stdout.write(string_of(frame, text))
    return s


def sys_print_newline(frame: Any, s: Any) -> Any:
    sys.stdout.write("\n")
    return s


def sys_error_println(frame: Any, s: Any, text: Any) -> Any:
    sys.stdout.flush()
    sys.stderr.write(string_of(frame, text) + "\n")
    return s


def sys_error_print(frame: Any, s: Any, text: Any) -> Any:
    sys.stdout.flush()
    sys.stderr.write(string_of(frame, text))
    return s


def frame_description(f: Any) -> str:
    m = f.method
    holder = m.holder.name.string if m.holder is not None else "?"
    outer = m
    where = ""
    while outer.is_block and outer.outer_method is not None:
        outer = outer.outer_method
        where = "[] in "
    return "%s%s>>#%s (%s:%d)" % (where, holder, outer.signature.string,
                                  getattr(I.U, "source_file_of", lambda c: "?")(m.holder),
                                  m.source_line(f.pc))


def print_stack_trace(frame: Any, out: Any) -> None:
    lines = []
    f = frame
    while f is not None:
        lines.append("  " + frame_description(f))
        f = f.caller
    if len(lines) > 40:
        lines = lines[:20] + ["  ... (%d more frames)" % (len(lines) - 40)] + lines[-20:]
    out.write("Stack trace (most recent call first):\n" + "\n".join(lines) + "\n")


def sys_print_stack_trace(frame: Any, s: Any) -> Any:
    sys.stdout.flush()
    print_stack_trace(frame, sys.stdout)
    return s


def sys_time(frame: Any, s: Any) -> Any:
    return int((time.perf_counter() - _PERF_START) * 1000)


def sys_ticks(frame: Any, s: Any) -> Any:
    return int((time.perf_counter() - _PERF_START) * 1000000) + 1


def sys_full_gc(frame: Any, s: Any) -> Any:
    gc.collect()
    return True


def sys_gc_stats(frame: Any, s: Any) -> Any:
    st = gc.get_stats()
    return SArray([sum(g["collections"] for g in st), 0, 0])


def sys_argv_path_exists(frame: Any, s: Any, path: Any) -> Any:
    return os.path.exists(string_of(frame, path))


Prim = Callable[..., Any]

# class name -> selector -> function.  "X class" for class-side primitives.
TABLE: Dict[str, Dict[str, Prim]] = {
    "Object": {
        "class": obj_class,
        "objectSize": obj_object_size,
        "==": obj_identical,
        "hashcode": obj_hashcode,
        "inspect": obj_inspect,
        "halt": obj_halt,
        "perform:": obj_perform,
        "perform:withArguments:": obj_perform_with_args,
        "perform:inSuperclass:": obj_perform_in_superclass,
        "perform:withArguments:inSuperclass:": obj_perform_with_args_in_superclass,
        "instVarAt:": obj_inst_var_at,
        "instVarAt:put:": obj_inst_var_at_put,
        "instVarNamed:": obj_inst_var_named,
    },
    "Class": {
        "name": class_name,
        "new": class_new,
        "superclass": class_superclass,
        "fields": class_fields,
        "methods": class_methods,
        "hasMethod:": class_has_method,
    },
    "Integer": {
        "+": int_add,
        "-": int_sub,
        "*": int_mul,
        "/": int_div,
        "//": int_double_div,
        "%": int_mod,
        "rem:": int_rem,
        "&": int_and,
        "<<": int_shl,
        ">>>": int_ushr,
        "bitXor:": int_bitxor,
        "sqrt": int_sqrt,
        "atRandom": int_at_random,
        "=": int_eq,
        "<": int_lt,
        "<=": int_le,
        ">": int_gt,
        ">=": int_ge,
        "<>": num_ne,
        "~=": num_ne,
        "asString": int_as_string,
        "as32BitSignedValue": int_as32_signed,
        "as32BitUnsignedValue": int_as32_unsigned,
        "asDouble": int_as_double,
        "asInteger": self_prim,
        "abs": int_abs,
        "negated": int_negated,
        "max:": num_max,
        "min:": num_min,
    },
    "Integer class": {
        "fromString:": int_from_string,
    },
    "Double": {
        "+": double_add,
        "-": double_sub,
        "*": double_mul,
        "//": double_div,
        "%": double_mod,
        "sqrt": double_sqrt,
        "round": double_round,
        "asInteger": double_as_integer,
        "cos": double_cos,
        "sin": double_sin,
        "=": double_eq,
        "<": double_lt,
        "<=": double_le,
        ">": double_gt,
        ">=": double_ge,
        "<>": num_ne,
        "~=": num_ne,
        "asString": double_as_string,
        "abs": double_abs,
        "negated": double_negated,
        "floor": double_floor,
        "max:": num_max,
        "min:": num_min,
    },
    "Double class": {
        "PositiveInfinity": double_positive_infinity,
        "fromString:": double_from_string,
    },
    "String": {
        "concatenate:": str_concatenate,
        "asSymbol": str_as_symbol,
        "hashcode": str_hashcode,
        "length": str_length,
        "isWhiteSpace": str_is_whitespace,
        "isLetters": str_is_letters,
        "isDigits": str_is_digits,
        "=": str_eq,
        "primSubstringFrom:to:": str_substring,
        "charAt:": str_char_at,
    },
    "Symbol": {
        "asString": str_as_string,
    },
    "Array": {
        "at:": array_at,
        "at:put:": array_at_put,
        "length": array_length,
        "copy": array_copy,
    },
    "Array class": {
        "new:": array_new,
    },
    "Block": {
        "value": I.block_value0,
        "restart": block_restart,
        "numArgs": block_num_args,
    },
    "Block1": {"value": I.block_value0},
    "Block2": {"value:": I.block_value1},
    "Block3": {"value:with:": I.block_value2},
    "Block4": {"value:with:with:": block_value3},
    "Method": {
        "signature": inv_signature,
        "holder": inv_holder,
        "invokeOn:with:": inv_invoke_on_with,
    },
    "Primitive": {
        "signature": inv_signature,
        "holder": inv_holder,
        "invokeOn:with:": inv_invoke_on_with,
    },
    "System": {
        "global:": sys_global,
        "global:put:": sys_global_put,
        "hasGlobal:": sys_has_global,
        "loadFile:": sys_load_file,
        "load:": sys_load,
        "exit:": sys_exit,
        "printString:": sys_print_string,
        "printNewline": sys_print_newline,
        "errorPrintln:": sys_error_println,
        "errorPrint:": sys_error_print,
        "printStackTrace": sys_print_stack_trace,
        "time": sys_time,
        "ticks": sys_ticks,
        "fullGC": sys_full_gc,
    },
}


def find(class_name: str, selector: str) -> Any:
    return TABLE.get(class_name, {}).get(selector)


def make_primitive(universe: Any, holder: SClass, selector: SSymbol) -> SPrimitive:
    """The primitive for a ``= primitive`` declaration of ``holder``."""
    fn = find(holder.name.string, selector.string)
    if fn is None:
        cname = holder.name.string
        sname = selector.string

        def fn(frame: Any, rcvr: Any, *args: Any) -> Any:
            raise SomError("primitive %s>>#%s is not implemented by this VM" % (cname, sname),
                           frame)
    prim = SPrimitive(selector, fn, universe.primitive_class,
                      is_restart=fn is block_restart)
    prim.holder = holder
    return prim


def all_primitive_names() -> Any:
    return [(c, s) for c, table in TABLE.items() for s in table]


__all__ = ["TABLE", "make_primitive", "find", "format_double", "identity_hash", "SMethod"]
