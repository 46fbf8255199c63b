"""The SOM object model.

Representation (chosen so the JIT can unbox the common values):

=============  ============================================================
SOM            Python
=============  ============================================================
Integer        ``int`` (arbitrary precision for free)
Double         ``float``
true / false   ``True`` / ``False``
nil            ``None``
String         ``str`` (SOM strings are immutable)
Symbol         :class:`SSymbol` (interned, compared by identity)
Array          :class:`SArray` (a Python list plus an identity hash)
other objects  :class:`SObject`, :class:`SClass`, :class:`SBlock`, :class:`SMethod`,
               :class:`SPrimitive`
=============  ============================================================
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

import metatrace

_hash_counter = [0]


def next_identity_hash() -> int:
    """Deterministic identity hashes (same across runs, JIT on or off)."""
    _hash_counter[0] += 1
    return (_hash_counter[0] * 2654435761) & 0x3FFFFFFF


class SAbstractObject:
    __slots__ = ()


class SObject(SAbstractObject):
    __slots__ = ("clazz", "fields", "hash")
    _immutable_fields_ = ("clazz",)

    def __init__(self, clazz: "SClass", num_fields: int) -> None:
        self.clazz = clazz
        self.fields = [None] * num_fields
        self.hash = 0


class SArray(SAbstractObject):
    """An Array.  ``owner`` is set only for a class's method array (``Class>>methods``), so
    that storing into it redefines methods, as in SOM."""

    __slots__ = ("storage", "hash", "owner")

    def __init__(self, storage: List[Any]) -> None:
        self.storage = storage
        self.hash = 0
        self.owner: Optional[SClass] = None


class SSymbol(SAbstractObject):
    """An interned symbol; ``num_args`` is its arity as a selector."""

    __slots__ = ("string", "num_args", "hash")
    _immutable_fields_ = ("string", "num_args")

    def __init__(self, string: str) -> None:
        self.string = string
        self.num_args = selector_arity(string)
        self.hash = 0

    def __repr__(self) -> str:
        return "#" + self.string


def selector_arity(s: str) -> int:
    if not s:
        return 0
    c = s[0]
    if c.isalpha() or c == "_":
        return s.count(":")
    return 1


class SClass(SAbstractObject):
    """A class (or metaclass).  ``fields`` holds the class-side field values.

    ``version`` is quasi-immutable: method lookup is elidable for a given version, and every
    change to a method dictionary or superclass anywhere bumps the versions of all classes,
    which invalidates compiled code that folded a lookup.
    """

    __slots__ = ("clazz", "name", "superclass", "instance_fields", "methods", "methods_array",
                 "fields", "hash", "version", "cache", "universe", "selectors")
    _immutable_fields_ = ("clazz", "name", "superclass?", "version?", "instance_fields?")

    def __init__(self, universe: Any, name: "SSymbol", clazz: Optional["SClass"]) -> None:
        self.universe = universe
        self.clazz = clazz  # the metaclass (for a metaclass: Metaclass)
        self.name = name
        self.superclass: Optional[SClass] = None
        self.instance_fields: List[SSymbol] = []
        self.methods: Dict[SSymbol, Any] = {}
        self.methods_array = SArray([])
        self.methods_array.owner = self
        self.selectors: List[SSymbol] = []  # the selector each methods_array slot defines
        self.fields: List[Any] = []
        self.hash = 0
        self.version = 0
        self.cache: Dict[SSymbol, Any] = {}

    def num_instance_fields(self) -> int:
        return len(self.instance_fields)

    def lookup(self, selector: "SSymbol") -> Any:
        return _lookup(self, selector, self.version)

    def lookup_uncached(self, selector: "SSymbol") -> Any:
        cls: Optional[SClass] = self
        while cls is not None:
            m = cls.methods.get(selector)
            if m is not None:
                return m
            cls = cls.superclass
        return None

    def add_method(self, invokable: Any) -> None:
        old = self.methods.get(invokable.signature)
        self.methods[invokable.signature] = invokable
        invokable.holder = self
        items = self.methods_array.storage
        if old is not None and old in items:
            items[items.index(old)] = invokable
        else:
            items.append(invokable)
            self.selectors.append(invokable.signature)
        self.universe.classes_changed()

    def methods_array_changed(self) -> None:
        """Someone stored into ``Class>>methods``: rebuild the dictionary from the array."""
        methods: Dict[SSymbol, Any] = {}
        for sel, m in zip(self.selectors, self.methods_array.storage):
            if isinstance(m, (SMethod, SPrimitive)):
                methods[sel] = m
        self.methods = methods
        self.universe.classes_changed()

    def has_method(self, selector: "SSymbol") -> bool:
        return selector in self.methods

    def is_metaclass(self) -> bool:
        return self.clazz is not None and self.clazz is self.universe.metaclass_class

    def __repr__(self) -> str:
        return "<SClass %s>" % self.name.string


@metatrace.elidable
def _lookup(cls: SClass, selector: SSymbol, version: int) -> Any:
    cache = cls.cache
    m = cache.get(selector)
    if m is None:
        m = cls.lookup_uncached(selector)
        if m is not None:
            cache[selector] = m
    return m


class SMethod(SAbstractObject):
    """A compiled method or block body.

    ``code`` is a flat list of ints (opcode, operands...); see bytecodes.py.  Frames keep
    arguments, then locals, then the operand stack in one list of ``frame_size`` slots.
    """

    __slots__ = ("clazz", "signature", "holder", "code", "literals", "num_args", "num_locals",
                 "frame_size", "catches_nlr", "is_block", "lines", "hash", "outer_method",
                 "block_class")
    _immutable_fields_ = ("signature", "holder", "code[*]", "literals[*]", "num_args",
                          "num_locals", "frame_size", "catches_nlr", "is_block", "block_class")

    def __init__(self, signature: SSymbol, num_args: int, num_locals: int, code: List[int],
                 literals: List[Any], frame_size: int, catches_nlr: bool, is_block: bool,
                 lines: List[int], clazz: Optional[SClass]) -> None:
        self.clazz = clazz
        self.signature = signature
        self.holder: Optional[SClass] = None
        self.code = code
        self.literals = literals
        self.num_args = num_args
        self.num_locals = num_locals
        self.frame_size = frame_size
        self.catches_nlr = catches_nlr
        self.is_block = is_block
        self.lines = lines
        self.hash = 0
        self.outer_method: Optional[SMethod] = None
        self.block_class: Optional[SClass] = None

    def source_line(self, pc: int) -> int:
        if 0 <= pc < len(self.lines):
            return self.lines[pc]
        return 0

    def __repr__(self) -> str:
        holder = self.holder.name.string if self.holder is not None else "?"
        return "<SMethod %s>>%s>" % (holder, self.signature.string)


class SPrimitive(SAbstractObject):
    """A method implemented in Python: ``fn(frame, receiver, *args) -> result``.

    ``is_restart`` marks Block>>restart, which the dispatch loop implements itself.
    """

    __slots__ = ("clazz", "signature", "holder", "fn", "num_args", "is_restart", "hash",
                 "is_empty")
    _immutable_fields_ = ("signature", "holder", "fn", "num_args", "is_restart")

    def __init__(self, signature: SSymbol, fn: Callable[..., Any], clazz: Optional[SClass],
                 is_restart: bool = False, is_empty: bool = False) -> None:
        self.clazz = clazz
        self.signature = signature
        self.holder: Optional[SClass] = None
        self.fn = fn
        self.num_args = signature.num_args
        self.is_restart = is_restart
        self.is_empty = is_empty
        self.hash = 0

    def __repr__(self) -> str:
        holder = self.holder.name.string if self.holder is not None else "?"
        return "<SPrimitive %s>>%s>" % (holder, self.signature.string)


class SBlock(SAbstractObject):
    """A closure: a block method plus the frame it was created in."""

    __slots__ = ("clazz", "method", "context", "hash")
    _immutable_fields_ = ("clazz", "method", "context")

    def __init__(self, method: SMethod, context: Any, clazz: SClass) -> None:
        self.clazz = clazz
        self.method = method
        self.context = context
        self.hash = 0
