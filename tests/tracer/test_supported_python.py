"""Every construct of docs/supported-python.md, JIT on vs off.

Each case is a snippet that computes ``r`` from the loop counter ``i`` (and ``flag``, true every
fifth iteration).  It is run in a hot loop three ways, in a module generated from the snippets
(the JIT reads source, so it must be a real file):

- ``p_<case>``: the snippet written in the portal itself;
- ``q_<case>``: the snippet in a helper ``h_<case>`` that the portal calls (inlined);
- both with ``flag`` tested first, so the guard on it fails inside the helper / the portal's
  iteration and the blackhole interpreter (``trace_eagerness`` huge) or a bridge
  (``trace_eagerness=1``) runs the snippet.

The results (or the exception) with the JIT at ``threshold=2`` must equal those of the same
module loaded with the JIT off, and a loop must have been compiled.  Constructs the codewriter
does not model are helper-only cases: the helper must be a residual call, still right.
"""

from __future__ import annotations

import re
import textwrap

import pytest

import metatrace
from metatrace.testing import compiled_traces, load_module, op_counts, reset

HEADER = '''
import sys
import metatrace
from metatrace import jit_merge_point, unroll_safe


class Obj:
    def __init__(self, a, b=2):
        self.a = a
        self.b = b

    def meth(self, x, y=10):
        return self.a * 100 + x * 10 + y

    def chain(self):
        return self


class Slotted:
    __slots__ = ("x", "y")

    def __init__(self, x):
        self.x = x


class Prop:
    def __init__(self, v):
        self._v = v

    @property
    def v(self):
        return self._v * 2

    @v.setter
    def v(self, value):
        self._v = value + 1


class Seq:
    def __init__(self, n):
        self.items = list(range(n))
        self.log = []

    def __getitem__(self, k):
        self.log.append(("get", k))
        return self.items[k]

    def __setitem__(self, k, v):
        self.log.append(("set", k, v))
        self.items[k] = v

    def __delitem__(self, k):
        self.log.append(("del", k))
        del self.items[k]

    def __len__(self):
        return len(self.items)

    def __contains__(self, x):
        self.log.append(("in", x))
        return x in self.items

    def __iter__(self):
        return iter(self.items)


class Num:
    def __init__(self, v):
        self.v = v

    def __add__(self, o):
        return Num(self.v + (o.v if isinstance(o, Num) else o))

    def __radd__(self, o):
        return Num(o + self.v + 1000)

    def __iadd__(self, o):
        self.v += 7
        return self

    def __lt__(self, o):
        return self.v < (o.v if isinstance(o, Num) else o)

    def __eq__(self, o):
        return isinstance(o, Num) and o.v == self.v

    def __hash__(self):
        return hash(self.v)

    def __bool__(self):
        return self.v != 0

    def __neg__(self):
        return Num(-self.v)

    def __repr__(self):
        return "Num(%r)" % (self.v,)


class Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


class Idx:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


class Base:
    def who(self):
        return "base"


class Derived(Base):
    def who(self):
        return "derived:" + Base.who(self)


class Other:
    pass


class MyError(Exception):
    pass


class SubError(MyError):
    pass


class Ctx:
    def __init__(self, log):
        self.log = log

    def __enter__(self):
        self.log.append("enter")
        return self

    def __exit__(self, *a):
        self.log.append("exit")
        return False


class Sup(Base):
    def who(self):
        return "sup:" + super().who()


def kw(a, b=2, c=3):
    return a * 100 + b * 10 + c


def side(log, v):
    log.append(v)
    return v


def raiser(exc):
    raise exc


def gen(k):
    yield from range(k)


def star(*args, **kwargs):
    return (args, sorted(kwargs.items()))

'''

PORTAL = '''
@metatrace.jit(greens=["pc"], reds="auto", name="p_{name}")
def p_{name}(n):
    pc = 0
    out = []
    i = 0
    while True:
        jit_merge_point(pc=pc, n=n, out=out, i=i)
        flag = i % 5 == 3
        if flag:
            i = i + 0
        try:
{body}
        except Exception as e:
            r = ("exc", type(e).__name__, str(e))
        out.append(r)
        i += 1
        if i >= n:
            return out
'''

HELPER = '''
@unroll_safe
def h_{name}(i, flag):
    if flag:
        i = i + 0
{body}
    return r


@metatrace.jit(greens=["pc"], reds="auto", name="q_{name}")
def q_{name}(n):
    pc = 0
    out = []
    i = 0
    while True:
        jit_merge_point(pc=pc, n=n, out=out, i=i)
        flag = i % 5 == 3
        try:
            r = h_{name}(i, flag)
        except Exception as e:
            r = ("exc", type(e).__name__, str(e))
        out.append(r)
        i += 1
        if i >= n:
            return out
'''


class Case:
    def __init__(self, name, body, portal=True, residual=False, n=20):
        self.name = name
        self.body = textwrap.dedent(body).strip("\n")
        self.portal = portal  # also written in the portal itself
        self.residual = residual  # unsupported: the helper must be a residual call
        self.n = n


CASES = []


def case(name, body, **kw):
    CASES.append(Case(name, body, **kw))


def _each(exprs):
    """A body that appends each expression's value (or its exception's class) to ``r``."""
    lines = ["r = []"]
    for e in exprs:
        lines.append("try:\n    r.append(%s)\nexcept Exception as e:\n    r.append(type(e).__name__)" % e)
    return "\n".join(lines)


# -- calls ------------------------------------------------------------------------------------
case("call_kw_defaults", "r = (kw(i), kw(i, c=i), kw(b=i, a=1), kw(i, 5, 6), kw(i, b=i % 3))")
case("call_method_kw", """
    o = Obj(i, b=i + 1)
    r = (o.meth(1), o.meth(1, y=i), o.meth(x=2), o.a, o.b, o.chain().meth(i, i))
""")
case("call_bad_args", _each(["kw()", "kw(1, 2, 3, 4)", "kw(1, a=2)", "kw(1, d=2)", "Obj()"]))
case("call_bound_method_value", """
    o = Obj(i)
    m = o.meth
    r = (m(1), m(2, y=3))
""")

# -- attributes -------------------------------------------------------------------------------
case("attr_get_set", """
    o = Obj(i)
    o.a = o.a + 1
    o.c = i * 2
    o.a += i
    r = (o.a, o.b, o.c, getattr(o, "a"), getattr(o, "zz", "dflt"), getattr(o, "b", None))
""")
case("attr_errors", _each(["Obj(i).zz", "getattr(Obj(i), 'zz')", "Slotted(i).y", "(i if i < 0 else None).x"]))
case("attr_slots_property", """
    s = Slotted(i)
    s.y = i + 1
    p = Prop(i)
    a = p.v
    p.v = i
    r = (s.x, s.y, a, p.v, p._v)
""")
case("attr_class_and_module", "r = (Obj.meth(Obj(1), i), sys.maxsize > 0, Derived().who())")

# -- items ------------------------------------------------------------------------------------
case("item_list", """
    L = [0, 1, 2, 3, 4]
    L[i % 5] = i
    L[-1] = 9
    L[-2] += i
    x = L[i % 5 - 5]
    del L[i % 3]
    del L[-1]
    r = (L, x, L[0])
""")
case("item_dict", """
    d = {"a": 1, i: i}
    d[i % 3] = i * i
    d["a"] += 1
    del d["a"]
    r = (d, d[i % 3], d.get(99, "none"))
""")
case("item_errors", _each(["[1, 2][i % 4]", "{1: 2}[i % 2]", "(1,)[i]", "'ab'[i % 3]",
                           "[1][(i,)]", "Obj(i)[0]"]))
case("item_del_errors", """
    L = [1, 2]
    d = {0: 1}
    r = []
    try:
        del L[i % 4]
    except IndexError as e:
        r.append(str(e))
    try:
        del d[i % 2]
    except KeyError as e:
        r.append(repr(e))
    r.append((L, d))
""")
case("item_user_class", """
    s = Seq(5)
    s[i % 5] = -i
    x = s[i % 4]
    del s[0]
    s[1] += 3
    c = (i % 6) in s
    r = (x, s.items, s.log, c, len(s))
""")
case("item_str_tuple", """
    t = (i, "x", 2.5)
    s = "hello" * (i % 2 + 1)
    r = (t[i % 3], t[-1], s[i % 5], s[-(i % 5) - 1])
""")

# -- slices -----------------------------------------------------------------------------------
case("slice_read_forms", """
    s = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    k = i % 7 - 3
    r = (s[1:], s[:k], s[k:], s[::2], s[::-1], s[-3:], s[1:-1], s[k:k + 3], s[::k or 1],
         s[-1:-8:-2], s[:], s[None:None:None], s[k::-1], s[100:], s[-100:2], s[2:1])
""")
case("slice_str_tuple", """
    t = (0, 1, 2, 3, 4, 5)
    s = "abcdefgh"
    k = i % 5 - 2
    r = (t[k:], t[::-2], s[k:k + 2], s[::3], s[::-1], s[-2::-2], t[k::k or 1])
""")
case("slice_write_delete", """
    s = [0, 1, 2, 3, 4, 5, 6, 7]
    s[1:3] = [i, i, i]
    s[::2] = [-1] * len(s[::2])
    del s[::3]
    del s[-2:]
    s[:0] = ["head"]
    r = s
""")
case("slice_errors", _each(["[1, 2, 3][::0]", "[1, 2][::(i % 2)]", "(1, 2)['a':]",
                            "[0, 1, 2].__setitem__(slice(None, None, 2), [1])"]))
case("slice_user_class", """
    s = Seq(6)
    x = s[1:i % 4]
    s[::2] = [7, 8, 9]
    r = (x, s.items, s.log)
""")

# -- operators --------------------------------------------------------------------------------
_BIN = ["a + b", "a - b", "a * b", "a / b", "a // b", "a % b", "a ** b", "a << b", "a >> b",
        "a & b", "a | b", "a ^ b", "a < b", "a <= b", "a == b", "a != b", "a > b", "a >= b",
        "-a", "+a", "~a", "not a", "a is b", "a is not b"]
_OPERANDS = {
    "int": ("i - 20", "i % 7 - 3"),
    "int_const": ("i - 20", "3"),
    "float": ("(i - 20) * 0.5", "(i % 7 - 3) * 1.5"),
    "float_int_const": ("(i - 20) * 0.25", "2"),
    "int_float_const": ("i - 20", "0.5"),
    "bigint": ("10 ** 20 + i", "-(2 ** 70) + i % 3"),
    "int64_edge": ("2 ** 63 - 3 + i % 6", "i % 5 - 2"),
    "int64_mul": ("3037000499 + i", "3037000499 - i", ["a * b", "a + b", "a - b", "-a * b", "a * b < 2 ** 63",
                                                       "a * b * a", "a // 7 * b", "(a * b) % 1000"]),
    "float_bigconst": ("i * 1.0", "2 ** 53 + 1"),
    "bool": ("i % 2 == 0", "i % 3 == 0"),
    "bool_int": ("i % 2 == 1", "i % 4 - 1"),
    "int_float": ("i % 9 - 4", "(i % 4) * 0.5"),
    "str": ("'ab' * (i % 3)", "'b'"),
    "str_int": ("'xy'", "i % 3 - 1"),
    "none_int": ("None", "i"),
    "list_int": ("[1, i]", "i % 3"),
    "tuple_tuple": ("(1, i)", "(1, i % 3)"),
    "user": ("Num(i % 3)", "Num(1)"),
    "user_int": ("Num(i)", "i % 4"),
    "int_user": ("i % 4", "Num(i)"),
}
for _tname, (_a, _b, *_ops) in _OPERANDS.items():
    case("op_" + _tname, "a = %s\nb = %s\n" % (_a, _b) + _each(_ops[0] if _ops else _BIN + ["a @ b", "divmod(a, b)"]))
    case("inplace_" + _tname, "a = %s\nb = %s\nr = []\n" % (_a, _b) + "\n".join(
        "x = a\ntry:\n    x %s= b\n    r.append(x)\nexcept Exception as e:\n    r.append(type(e).__name__)" % o
        for o in (["+", "-", "*"] if _ops else ["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^"])))
case("inplace_list_identity", """
    L = [i]
    M = L
    L += [1, 2]
    L *= 2
    t = (i,)
    u = t
    t += (1,)
    nm = Num(i)
    m = nm
    nm += 1
    r = (L, M is L, t, u is t, nm is m, nm.v)
""")
case("float_specials", _each(["1e308 * 10", "-(1e308 * 10)", "(1e308 * 10) - (1e308 * 10)",
                              "0.0 == -0.0", "1 / (i * 0.0)", "float('nan') == float('nan')",
                              "2.0 ** 0.5 == (i % 1 + 2) ** 0.5", "(-8.0) ** (1 / 3)",
                              "i * 0.1 + 0.2", "10 ** 400 * 1.0", "float(10 ** 400)",
                              "float(i) / 3", "abs(-i * 1.5)", "int(i * 2.7)", "round(i * 0.5)"]))
case("is_identity", """
    o = Obj(i)
    L = [o]
    x = 10 ** 20 + i
    y = x
    r = (L[0] is o, o is Obj(i), None is None, (i > 3) is True, y is x, x is not y,
         i is i, [] is [], o is not None, type(o) is Obj)
""")
case("in_containers", """
    k = i % 6
    s = Seq(4)
    r = (k in [1, 2, 3], k not in (0, 5), k in {1: 0, 4: 0}, "b" in "abc" * (k % 2),
         k in {2, 3}, k in range(1, 4), k in s, k not in s, s.log, 1.0 in [k], Num(1) in [Num(k)])
""")
case("in_errors", _each(["1 in 5", "'a' in ['a'] in [['a']]", "[] in {1: 2}", "1 in None"]))
case("not_truth", """
    vals = [0, 1, 0.0, 2.5, "", "x", [], [0], {}, None, Obj(1), Sized(i % 2), Num(i % 3), (), (0,)]
    v = vals[i % len(vals)]
    r = (not v, not not v, bool(v))
""")
case("and_or_values", """
    k = i % 4
    log = []
    r = (k and "yes", k or "no", [] or {} or (), k and k + 1 and k + 2, 0 and 1 / 0,
         1 or 1 / 0, side(log, k) or side(log, 9), side(log, k) and side(log, 8),
         Num(k % 2) or "num-false", "" or Sized(k) or "last", log)
""")
case("chained_compare", """
    log = []
    k = i % 7
    r = (0 < side(log, k) < 4, 1 <= k <= 5 != k, k < 3 > side(log, 1) < 2,
         1 < side(log, 2) > side(log, k), log, 'a' < 'b' <= 'b' == 'b',
         k in [1, 2] in [[1, 2]], None is None is not k)
""")
case("chained_compare_errors", _each(["1 < side([], 'x') < 2", "0 < i < Obj(1)",
                                      "i < 3 < None"]))
case("ifexp", """
    k = i % 4
    r = ("a" if k else ("b" if i % 2 else []), (1 / 0) if k > 9 else k, k if Num(k % 2) else -k)
""")

# -- control flow -----------------------------------------------------------------------------
case("if_elif_else", """
    vals = [0, 1, 0.0, "", "x", [], [0], None, Obj(1), Sized(i % 2), Num(i % 3), {}, 2 ** 70]
    v = vals[i % len(vals)]
    if v:
        r = "first"
    elif i % 2:
        r = "second"
    elif not v and i % 3:
        r = "third"
    else:
        r = "else"
""")
case("while_break_continue_else", """
    k = 0
    acc = []
    while k < i % 7:
        k += 1
        if k == 2:
            continue
        if k == 5:
            break
        acc.append(k)
    else:
        acc.append("else")
    j = 3
    while j:
        j -= 1
    else:
        acc.append("else2")
    r = acc
""")
case("for_range_forms", """
    acc = []
    j = None
    m = i % 5
    for j in range(m):
        acc.append(j)
    for j in range(m, 8, 3):
        acc.append(j)
    for j in range(10, m, -3):
        acc.append(j)
    for j in range(m - 2, m - 6, -1):
        acc.append(j)
    for j in range(5, 2):
        acc.append("never")
    for j in range(0):
        acc.append("never")
    for j in range(2, -1, -1):
        j = j * 100
        acc.append(j)
    for j in range(10 ** 20, 10 ** 20 + 2):
        acc.append(j)
    for j in range(True, 3):
        acc.append(j)
    r = (acc, j)
""")
case("for_range_index_objects", """
    acc = []
    j = None
    for j in range(Idx(i % 3), Idx(5)):
        acc.append(j)
    for j in range(False, True):
        acc.append(j)
    r = (acc, type(j).__name__)
""")
case("for_range_variable_step", """
    acc = []
    st = -(i % 3) - 1
    for j in range(10, 0, st):
        acc.append(j)
    lim = 3
    for j in range(lim):
        lim = 0
        acc.append(j)
    r = acc
""")
case("for_range_errors", _each(["0"]) + """
try:
    for j in range(2.5):
        pass
except TypeError as e:
    r.append(str(e))
try:
    for j in range(1, "x"):
        pass
except TypeError as e:
    r.append(str(e))
try:
    for j in range(0, 3, 0):
        pass
except ValueError as e:
    r.append(str(e))
""")
case("for_iterables", """
    acc = []
    for x in [i, "a", None]:
        acc.append(x)
    for c in "xy" * (i % 2):
        acc.append(c)
    for k in {"k1": 1, "k2": 2}:
        acc.append(k)
    for x in (i % 3, 2):
        acc.append(x)
    for x in Seq(i % 3):
        acc.append(x)
    for x in gen(i % 3):
        acc.append(x)
    for a, b in [(1, 2), (i, i)]:
        acc.append(a - b)
    for x in []:
        acc.append("never")
    r = acc
""")
case("for_break_continue_else", """
    acc = []
    for j in range(i % 6):
        if j == 1:
            continue
        if j == 3:
            break
        acc.append(j)
    else:
        acc.append("else")
    for x in [1, 2, 3]:
        if x == i % 4:
            acc.append("found")
            break
    else:
        acc.append("not found")
    for j in range(3):
        for k in range(3):
            if k == j:
                break
            acc.append((j, k))
        else:
            acc.append("inner else")
    r = acc
""")
case("for_iter_errors", _each(["0"]) + """
try:
    for x in 5:
        pass
except TypeError as e:
    r.append(str(e))
try:
    for a, b in [(1, 2), (i,)]:
        r.append(a)
except ValueError as e:
    r.append(str(e))
""")

# -- exceptions -------------------------------------------------------------------------------
case("try_except_else_finally", """
    acc = []
    for k in range(4):
        try:
            acc.append("try")
            if k == 1:
                raise MyError("m%d" % k)
            if k == 2:
                raise SubError
            if k == 3:
                acc.append(1 // (i - i))
        except SubError as e:
            acc.append(("sub", type(e).__name__))
        except (KeyError, MyError) as e:
            acc.append(("my", str(e)))
        except ZeroDivisionError:
            acc.append("zde")
        else:
            acc.append("else")
        finally:
            acc.append("finally")
    r = acc
""")
case("try_finally_paths", """
    acc = []
    for k in range(4):
        try:
            if k == 0:
                continue
            if k == 2:
                break
            acc.append(k)
        finally:
            acc.append(("f", k))
    try:
        try:
            raise KeyError(i)
        finally:
            acc.append("inner finally")
    except KeyError as e:
        acc.append(("caught", e.args))
    r = acc
""")
case("try_exception_in_handler_and_else", """
    acc = []
    try:
        try:
            raise ValueError(1)
        except ValueError:
            acc.append("h")
            raise KeyError(2)
    except KeyError as e:
        acc.append(e.args)
    try:
        try:
            acc.append("body")
        except ValueError:
            acc.append("no")
        else:
            raise MyError("from else")
    except MyError as e:
        acc.append(str(e))
    r = acc
""")
case("raise_forms", _each(["raiser(MyError)", "raiser(MyError('x'))", "raiser(3)"]) + """
try:
    raise MyError
except MyError as e:
    r.append(("class", type(e).__name__, e.args))
try:
    raise SubError(i, "x")
except MyError as e:
    r.append(("inst", e.args))
try:
    raise 3
except TypeError as e:
    r.append(str(e))
try:
    raise Obj
except TypeError as e:
    r.append(str(e))
""")
case("bare_raise", """
    acc = []
    try:
        try:
            raise MyError(i)
        except MyError:
            acc.append("h1")
            raise
    except MyError as e:
        acc.append(e.args)
    try:
        try:
            raise KeyError("outer")
        except KeyError:
            try:
                raise ValueError("inner")
            except ValueError:
                acc.append("inner handled")
            raise
    except Exception as e:
        acc.append(repr(e))
    try:
        try:
            raise IndexError(3)
        finally:
            acc.append("fin")
    except IndexError as e:
        acc.append(e.args)
    r = acc
""")
case("exception_name_unbound_after_handler", _each(["0"]) + """
try:
    raise KeyError(1)
except KeyError as err:
    r.append("h")
try:
    r.append(err)
except NameError as e:
    r.append(type(e).__name__)
""")
case("unbound_local", _each(["0"]) + """
for j in range(i % 2):
    pass
try:
    r.append(j)
except NameError as e:
    r.append(type(e).__name__)
""", portal=False)
case("assert_forms", _each(["0"]) + """
try:
    assert i % 3, "msg %d" % i
    r.append("ok")
except AssertionError as e:
    r.append(("AE", e.args))
try:
    assert i % 2
    r.append("ok2")
except AssertionError as e:
    r.append(("AE2", e.args))
assert True
""")

# -- unpacking --------------------------------------------------------------------------------
case("unpack_forms", """
    a, b = i, i + 1
    (c, d), e = [(1, 2), 3]
    [f, (g, h)] = (4, [5, i])
    a, b = b, a
    x = y = (i, 9)
    p, q = x
    s = Seq(2)
    u, v = s
    m, n2 = "ab"
    r = (a, b, c, d, e, f, g, h, p, q, u, v, m, n2, y)
""")
case("unpack_errors", _each(["0"]) + """
try:
    a, b = [1, 2, 3][: i % 4]
    r.append((a, b))
except ValueError as e:
    r.append(str(e))
try:
    a, b = 5
except TypeError as e:
    r.append(str(e))
""")

# -- displays ---------------------------------------------------------------------------------
case("displays", """
    log = []
    t = (side(log, i), side(log, 2))
    L = [side(log, 3), i, [i]]
    d = {side(log, "k1"): side(log, "v1"), "k2": i}
    s = {i, 1, side(log, 5)}
    r = (t, L, d, s, log, (), [], {}, (i,), {i}, {(1, 2)}, {"ab"})
""")
case("display_duplicates", """
    d = {1: "a", 1.0: "b", True: "c", i % 2: "d"}
    s = {1, 1.0, True, i % 2}
    d2 = {"k": i, "k": i + 1}
    r = (d, list(d.keys()), s, d2)
""")
case("display_key_types", """
    d = {1: "a", 1.0: "b"}
    s = {1.0, 1}
    r = (list(map(type, d)), list(map(type, s)), d, s)
""")
case("display_errors", _each(["{[]: 1}", "{[i]}", "{1: 2, (i, []): 3}", "{Obj(i), []}"]))
case("display_set_single", "r = ({(i, 2)}, {'abc'}, {i}, {frozenset([i])})")

# -- builtins ---------------------------------------------------------------------------------
case("builtin_len", _each(["len([1] * (i % 3))", "len('abc')", "len((1, 2))", "len({1: 2})",
                           "len({i, 1})", "len(Sized(i % 4))", "len(Seq(i % 3))", "len(5)",
                           "len(Sized(-1))", "len(range(i))", "len(b'xy')"]))
case("builtin_isinstance", """
    vals = [1, True, 1.5, "s", None, Obj(1), Derived(), [], (1,), Num(2)]
    v = vals[i % len(vals)]
    r = (isinstance(v, int), isinstance(v, (int, float)), isinstance(v, Base),
         isinstance(v, (Other, (Base, str))), isinstance(v, object), isinstance(v, bool),
         isinstance(v, (list, tuple, Obj)))
""")
case("builtin_isinstance_errors", _each(["isinstance(1, 2)", "isinstance(1, (int, 2))"]))
case("builtin_type", """
    vals = [1, True, 1.5, "s", None, Obj(1), Derived(), 10 ** 30]
    v = vals[i % len(vals)]
    r = (type(v), type(v) is int, type(v).__name__, type(v) == bool)
""")
case("builtin_getattr", """
    o = Obj(i)
    name = "ab"[i % 2]
    r = (getattr(o, "a"), getattr(o, "b", 5), getattr(o, "zz", i), getattr(o, name, "none"),
         getattr(Obj, "meth") is Obj.meth, getattr(o, "meth")(1))
""")
case("builtin_pure_folded", """
    r = (abs(-3), min(4, 2), max(i, 3), chr(65), ord("a"), int("12"), str(i), float("1.5"),
         bool(i % 2), hash("x") == hash("x"), divmod(i, 7), round(2.5), repr(i), int(i * 1.5),
         min([i, 3]), max("ab"), abs(-i))
""")

# -- not supported: the helper is a residual call ---------------------------------------------
case("unsupported_generator", """
    def g(k):
        yield k
        yield k + 1
    r = list(g(i))
""", portal=False, residual=True)
case("unsupported_comprehension", """
    r = ([x * 2 for x in range(i % 4)], {x: x for x in "ab"}, {x % 2 for x in range(i)},
         sum(x for x in range(i)))
""", portal=False, residual=True)
case("unsupported_lambda", "f = lambda x: x + i\nr = f(3)", portal=False, residual=True)
case("unsupported_nested_def", "def f(x):\n    return x + i\nr = f(1)", portal=False, residual=True)
case("unsupported_with", """
    log = []
    with Ctx(log) as c:
        log.append(c is not None)
    r = log
""", portal=False, residual=True)
case("unsupported_fstring", "r = (f'{i}-{i * 2:03d}', f'{Num(i)!r}')", portal=False, residual=True)
case("unsupported_star_call", "args = (1, i)\nr = (kw(*args), star(*args, x=i), kw(**{'a': i}))",
     portal=False, residual=True)
case("unsupported_walrus", "r = [(k := i * 2), k + 1]", portal=False, residual=True)
case("unsupported_starred_assign", "a, *b = (i, 1, 2)\n*c, d = [i]\nr = (a, b, c, d)",
     portal=False, residual=True)
case("unsupported_raise_from", """
    try:
        try:
            raise KeyError(i)
        except KeyError as e:
            raise ValueError("v") from e
    except ValueError as e:
        r = (repr(e.__cause__), e.__suppress_context__)
""", portal=False, residual=True)
case("unsupported_super", "r = Sup().who()", portal=False)
case("unsupported_super_direct", """
    class Local(Base):
        def who(self):
            return super().who() + str(i)
    r = Local().who()
""", portal=False, residual=True)
case("unsupported_global", "global COUNTER\nr = i", portal=False, residual=True)
case("unsupported_import", "import math\nr = math.floor(i / 3)", portal=False, residual=True)
case("unsupported_del_local", "x = i\ndel x\nr = 1", portal=False, residual=True)
case("unsupported_match", """
    match i % 3:
        case 0:
            r = "zero"
        case _:
            r = "other"
""", portal=False, residual=True)
case("unsupported_display_star", "r = ([*range(i % 3)], (*'ab', i), {**{'a': i}}, {*'ab'})",
     portal=False, residual=True)
case("unsupported_star_args_def", "r = star(i, y=i)", portal=False)


# -- reduced regression cases of bugs this file found ------------------------------------------
case("regress_set_display_two_items", "r = len({i, 1})")  # was traced as set(i, 1): TypeError


def _source(c):
    parts = [HEADER]
    if c.portal:
        parts.append(PORTAL.format(name=c.name, body=textwrap.indent(c.body, " " * 12)))
    parts.append(HELPER.format(name=c.name, body=textwrap.indent(c.body, " " * 4)))
    return "".join(parts)


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    """case name -> (module with the JIT off, module with the JIT on), one file per case."""
    base = tmp_path_factory.mktemp("supported")
    loaded = {}

    def get(c):
        if c.name not in loaded:
            path = base / ("sp_%s.py" % c.name)
            path.write_text(_source(c))
            off = load_module(str(path), "sp_off_" + c.name, jit=False)
            on = load_module(str(path), "sp_on_" + c.name, jit=True)
            loaded[c.name] = off, on
        return loaded[c.name]

    return get


def _run(portal, n):
    """What running ``portal`` gives, as text: the two modules' classes are distinct objects
    (``Num(1) == Num(1)`` is false across them), so results are compared by repr."""
    try:
        out = ("ok", portal(n))
    except Exception as e:  # noqa: B902 - compare whatever escapes
        out = ("raised", type(e).__name__, str(e))
    text = repr(out).replace(portal.__module__, "M")
    return re.sub(r" at 0x[0-9a-f]+", " at 0x", text)


CONFIGS = {
    # a bridge is traced from the first failure of a guard (tier 1 only)
    "bridges": dict(threshold=2, trace_eagerness=1, backend="python"),
    # guards never get bridges: the blackhole interpreter finishes each failing iteration
    "blackhole": dict(threshold=2, trace_eagerness=100000, backend="auto"),
}


def _params(c):
    kinds = (["portal"] if c.portal else []) + ["helper"]
    combos = [(kind, cfg) for cfg in CONFIGS for kind in kinds]
    if c.name.startswith(("op_", "inplace_")) and c.portal:
        # the operator families are many similar cases: each gets the portal with bridges
        # and the helper finished by the blackhole interpreter
        combos = [("portal", "bridges"), ("helper", "blackhole")]
    return [pytest.param(c, kind, cfg, id="%s-%s-%s" % (c.name, kind, cfg)) for kind, cfg in combos]


@pytest.mark.parametrize("c, kind, cfg", [p for c in CASES for p in _params(c)])
def test_construct(modules, c, kind, cfg):
    off, on = modules(c)
    name = ("p_" if kind == "portal" else "q_") + c.name
    plain = _run(getattr(off, name), c.n)
    portal = getattr(on, name)
    reset(portal)
    drv = portal.jitdriver
    saved = drv.get_params()
    for k, v in CONFIGS[cfg].items():
        drv.set_param(k, v)
    try:
        jitted = _run(portal, c.n)
        again = _run(portal, c.n)  # now entering the compiled loop (and its bridges) at once
    finally:
        for k, v in saved.items():
            drv.set_param(k, v)
    assert jitted == plain
    assert again == plain
    st = drv.stats()
    assert compiled_traces(portal, "loop"), "no loop compiled: %s" % (st["aborts_by_reason"],)
    assert st["loop_entries"] >= 1
    assert st["guard_failures"] >= 1
    if cfg == "blackhole":
        assert st["blackholes"] >= 1
    ws = drv.runtime
    helper = getattr(on, "h_" + c.name)
    if kind == "helper" and c.residual:
        assert helper.__code__ in ws.residual_notes
        assert op_counts(portal).get("call", 0) >= 1
    elif kind == "helper":
        assert helper.__code__ not in ws.residual_notes, ws.residual_notes.get(helper.__code__)


def test_every_documented_construct_has_a_case():
    names = {c.name for c in CASES}
    for prefix in ("call_", "attr_", "item_", "slice_", "op_", "inplace_", "is_", "in_", "not_",
                   "and_or", "chained", "ifexp", "if_", "while_", "for_range", "for_iter",
                   "try_", "raise", "bare_raise", "assert", "unpack", "display", "builtin_len",
                   "builtin_isinstance", "builtin_type", "builtin_getattr", "unsupported_generator",
                   "unsupported_comprehension", "unsupported_lambda", "unsupported_with",
                   "unsupported_fstring", "unsupported_star", "unsupported_walrus",
                   "unsupported_starred_assign", "unsupported_raise_from", "unsupported_super"):
        assert any(n.startswith(prefix) for n in names), prefix


def test_unsupported_construct_in_the_portal_is_an_error(tmp_path):
    src = HEADER + PORTAL.format(name="bad", body=textwrap.indent("r = [x for x in range(i)]", " " * 12))
    path = tmp_path / "sp_bad.py"
    path.write_text(src)
    with pytest.raises(metatrace.PortalError, match="comprehension"):
        load_module(str(path), "sp_bad_on", jit=True)


def _plain_function(a, b):
    c = a + b
    for j in range(3):
        c += j
    return c, j if a else c


def _maybe_unbound(a):
    if a:
        x = 1
    return x


def test_bound_checks_only_where_a_local_may_be_unbound():
    from metatrace.annotate.codewriter import CodeWriter

    jc = CodeWriter(_plain_function).compile()
    # parameters and locals assigned on every path get no check; ``j`` after the loop may be
    # unbound (range(3) is not known to run) and keeps one
    checks = [ins for ins in jc.code if ins[0] == "check_bound"]
    assert [ins[2] for ins in checks] == ["j"]
    jc = CodeWriter(_maybe_unbound).compile()
    assert [ins[2] for ins in jc.code if ins[0] == "check_bound"] == ["x"]
