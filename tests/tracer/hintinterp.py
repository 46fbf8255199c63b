"""A portal whose loop body exercises one hint per green 'which' (read by test_hints.py)."""

import metatrace
from metatrace import (dont_look_inside, elidable, isconstant, isvirtual, jit_merge_point,
                       look_inside_iff, loop_invariant, promote, record_exact_class, unroll_safe,
                       we_are_jitted)

CALLS = []


class Obj:
    _immutable_fields_ = ("const_field", "table[*]", "version?")

    def __init__(self):
        self.k = 5
        self.const_field = 11
        self.table = [3, 4, 5]
        self.version = 1
        self.mutable = 2


SHARED = Obj()


class SlotObj:
    """The same quasi-immutable field kept in a __slots__ member."""

    __slots__ = ("version", "other")
    _immutable_fields_ = ("version?",)

    def __init__(self):
        self.version = 1
        self.other = 0


SHARED_SLOTS = SlotObj()


def drop_and_set_version(v):
    del SHARED_SLOTS.version  # gone, then back: both are writes
    SHARED_SLOTS.version = v


@elidable
def square(x):
    return x * x


@dont_look_inside
def opaque(x):
    return x + 1


def with_loop(x):
    t = 0
    for _j in range(3):
        t += x
    return t


@unroll_safe
def unrolled(x):
    t = 0
    for _j in range(3):
        t += x
    return t


@look_inside_iff(lambda x: x > 0)
def maybe(x):
    return x - 1


@loop_invariant
def invariant():
    CALLS.append(1)
    return 7


def step(which, i, acc, obj):
    if which == "promote":
        k = promote(obj.k)
        return acc + k * 3
    if which == "elidable_const":
        return acc + square(which.__len__() if False else 4)
    if which == "elidable_var":
        return acc + square(i)
    if which == "dont_look_inside":
        return acc + opaque(i)
    if which == "loop_not_unrolled":
        return acc + with_loop(i)
    if which == "unroll_safe":
        return acc + unrolled(i)
    if which == "look_inside_iff_true":
        return acc + maybe(3)
    if which == "look_inside_iff_var":
        return acc + maybe(i)
    if which == "loop_invariant":
        return acc + invariant()
    if which == "we_are_jitted":
        if we_are_jitted():
            return acc + 1
        return opaque(acc)  # the same value, by a residual call
    if which == "isconstant":
        if isconstant(which) and not isconstant(i) and not isvirtual(obj):
            return acc + 1
        return opaque(acc)
    if which == "record_exact_class":
        record_exact_class(obj, Obj)
        return acc + obj.mutable
    if which == "immutable":
        return acc + SHARED.const_field + SHARED.table[2]
    if which == "immutable_var":
        a = obj.const_field
        b = opaque(i)  # may write anything, but not an immutable field
        return acc + a + b + obj.const_field
    if which == "immutable_after_branch":
        t = SHARED.table  # in a register when a bridge starts below
        if i % 4 == 0:
            return acc + t[0]
        return acc + t[2]
    if which == "float_int_const":
        f = float(i)
        if f * 2 - 1 > 10 and 3 < f:
            return acc + 1
        return acc
    if which == "quasi":
        return acc + SHARED.version
    if which == "quasi_write":
        if i == 300:
            SHARED.version = SHARED.version + 1
        return acc + SHARED.version
    if which == "quasi_slot":
        return acc + SHARED_SLOTS.version
    if which == "quasi_slot_write":
        if i == 300:
            SHARED_SLOTS.version = SHARED_SLOTS.version + 1
        if i == 600:
            drop_and_set_version(7)
        return acc + SHARED_SLOTS.version
    return acc


@metatrace.jit(greens=["which"], reds=["i", "n", "acc", "obj"], name="hints")
def loop(which, n, obj):
    i = 0
    acc = 0
    while i < n:
        jit_merge_point(which=which, i=i, n=n, acc=acc, obj=obj)
        acc = step(which, i, acc, obj)
        i += 1
    return acc
