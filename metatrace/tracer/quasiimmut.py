"""Immutable and quasi-immutable fields (``_immutable_fields_``, ``_immutable_``).

A quasi-immutable field (``"version?"``) is folded to a constant by the tracer when read from a
constant object, under a ``guard_not_invalidated``.  To notice writes, the first time the JIT
folds such a field the declaring class gets a data descriptor for it that stores the value where
it was (the instance ``__dict__`` or the ``__slots__`` member) and, on every write, invalidates
the compiled code that depends on that object's field.
"""

from __future__ import annotations

import weakref
from typing import Any, Dict, List, Optional, Tuple

from ..log import LOG
from .. import hooks


_MemberDescriptor = type(type("_S", (), {"__slots__": ("x",)}).__dict__["x"])


class FieldInfo:
    __slots__ = ("name", "quasi", "array")

    def __init__(self, name: str, quasi: bool, array: bool) -> None:
        self.name = name
        self.quasi = quasi
        self.array = array


_info_cache: Dict[type, Dict[str, FieldInfo]] = {}


def immutable_fields(cls: type) -> Dict[str, FieldInfo]:
    """Field name -> FieldInfo for everything ``cls`` (or a base) declares immutable."""
    try:
        return _info_cache[cls]
    except KeyError:
        pass
    out: Dict[str, FieldInfo] = {}
    for klass in reversed(cls.__mro__):
        decl = klass.__dict__.get("_immutable_fields_")
        if decl:
            if isinstance(decl, str):
                decl = (decl,)
            for spec in decl:
                spec = spec.strip()
                array = spec.endswith("[*]")
                if array:
                    spec = spec[:-3]
                quasi = spec.endswith("?")
                if quasi:
                    spec = spec[:-1]
                out[spec] = FieldInfo(spec, quasi, array)
    _info_cache[cls] = out
    return out


def is_immutable_class(cls: type) -> bool:
    return any(k.__dict__.get("_immutable_", False) is True for k in cls.__mro__)


class InvalidationToken:
    """Shared by a compiled tree's ``guard_not_invalidated`` ops; set ``invalid`` on a write."""

    __slots__ = ("invalid", "reason", "owner", "__weakref__")

    def __init__(self) -> None:
        self.invalid = False
        self.reason = ""
        self.owner: Any = None

    def invalidate(self, reason: str) -> None:
        if not self.invalid:
            self.invalid = True
            self.reason = reason
            owner = self.owner
            if owner is not None:
                owner.on_invalidated(reason)


# (id(obj), field) -> list of weak references to tokens; obj kept weakly where possible
_deps: Dict[Tuple[int, str], List["weakref.ref[InvalidationToken]"]] = {}


def add_dependency(obj: Any, name: str, token: InvalidationToken) -> None:
    install_watcher(type(obj), name)
    _deps.setdefault((id(obj), name), []).append(weakref.ref(token))


def notify_write(obj: Any, name: str) -> None:
    refs = _deps.pop((id(obj), name), None)
    if not refs:
        return
    reason = "%s.%s written" % (type(obj).__name__, name)
    for r in refs:
        token = r()
        if token is not None and not token.invalid:
            token.invalidate(reason)
            tree = token.owner
            info = {"reason": reason, "field": name, "class": type(obj).__name__,
                    "tree": getattr(tree, "id", None),
                    "traces": [t.id for t in getattr(tree, "traces", ())],
                    "location": getattr(getattr(tree, "root", None), "location", None)}
            LOG.add_invalidation(info)
            hooks.fire("on_invalidate", info)


class _QuasiField:
    """Data descriptor that watches writes of one quasi-immutable field."""

    def __init__(self, name: str, inner: Optional[Any]) -> None:
        self.name = name
        self.inner = inner  # the __slots__ member descriptor, if the field lives in a slot

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        if self.inner is not None:
            return self.inner.__get__(obj, objtype)
        try:
            return obj.__dict__[self.name]
        except KeyError:
            raise AttributeError("%r object has no attribute %r" % (type(obj).__name__, self.name))

    def __set__(self, obj: Any, value: Any) -> None:
        if self.inner is not None:
            self.inner.__set__(obj, value)
        else:
            obj.__dict__[self.name] = value
        notify_write(obj, self.name)

    def __delete__(self, obj: Any) -> None:
        if self.inner is not None:
            self.inner.__delete__(obj)
        else:
            try:
                del obj.__dict__[self.name]
            except KeyError:
                raise AttributeError(self.name)
        notify_write(obj, self.name)


class _QuasiSlot(property):
    """The watcher of a quasi-immutable field kept in a ``__slots__`` member: reads go straight
    to the member (a C-level property getter: as fast as a plain slot, which matters while the
    interpreter runs), writes and deletes notify the code that folded the field."""

    def __init__(self, name: str, inner: Any) -> None:
        def set_field(obj: Any, value: Any) -> None:
            inner.__set__(obj, value)
            notify_write(obj, name)

        def del_field(obj: Any) -> None:
            inner.__delete__(obj)
            notify_write(obj, name)

        super().__init__(inner.__get__, set_field, del_field)
        self.name = name
        self.inner = inner


def install_watcher(cls: type, name: str) -> None:
    for klass in cls.__mro__:
        decl = immutable_fields(klass).get(name)
        if decl is None:
            continue
        # install on the class that declares the field (and is highest in the MRO)
        owner = klass
        for base in klass.__mro__[1:]:
            if name in immutable_fields(base):
                owner = base
        current = owner.__dict__.get(name)
        if isinstance(current, (_QuasiField, _QuasiSlot)):
            return
        inner = current if current is not None and hasattr(current, "__set__") else None
        if type(inner) is _MemberDescriptor:
            setattr(owner, name, _QuasiSlot(name, inner))
        else:
            setattr(owner, name, _QuasiField(name, inner))
        return
