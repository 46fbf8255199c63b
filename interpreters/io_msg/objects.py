"""The Io object model: maps (hidden classes), objects, and the primitive value kinds.

Every Io value is an :class:`IoObject` (or a subclass).  An object's slots live in a list
(``slots``) whose layout is described by its :class:`Map`.  Maps are immutable: adding a slot
moves the object to another map (found through a cached transition), so objects built the same
way share a map, and the JIT can promote the map and fold slot-index lookups.

A map also records the object's protos (as a tuple), so "where is slot ``name`` found when not
on the object itself" is a pure function of (map, name, global lookup version).  The version is
a quasi-immutable field: it is bumped whenever an object that serves as somebody's proto changes
shape (slot added or removed, protos changed), which is rare once a program has set up its
prototypes, and the JIT drops code that depended on it.

The *values* of a proto's slots (its methods, mostly) are folded the same way: a second
quasi-immutable version, ``VALUES_VERSION``, is bumped whenever a slot of a proto is written,
so what a slot found through the protos holds is a pure function of (holder, index, values
version) and a trace sees the method itself as a constant.  A proto whose slots are written
often (a counter kept in a prototype) would invalidate that code again and again: after
``PROTO_WRITES_FOLDED`` writes its slots are read plainly instead, and writing them no longer
bumps the version.
"""

from __future__ import annotations

import weakref
from typing import Any, Dict, List, Optional, Tuple

import metatrace
from metatrace import elidable, promote


class VersionTag:
    """A fresh object per version; only its identity matters."""

    __slots__ = ()


class LookupVersion:
    _immutable_fields_ = ("tag?",)

    def __init__(self) -> None:
        self.tag = VersionTag()

    def bump(self) -> None:
        self.tag = VersionTag()


LOOKUP_VERSION = LookupVersion()
VALUES_VERSION = LookupVersion()  # slot writes of protos (see the module docstring)
PROTO_WRITES_FOLDED = 8
# proto -> how often its existing slots were written (only protos written at all are here)
_PROTO_WRITES: "weakref.WeakKeyDictionary[Any, int]" = weakref.WeakKeyDictionary()


class _Volatile:
    """``proto_value``'s answer for a slot to be read plainly."""

    __slots__ = ()


VOLATILE = _Volatile()


@elidable
def proto_value(holder: Any, idx: int, version: Any) -> Any:
    """Slot ``idx`` of ``holder`` (found through somebody's protos) as of ``version``, or
    VOLATILE if it must be read plainly: ``holder`` is not a proto (its writes do not bump the
    version) or its slots are written often."""
    m = holder.map
    if not m.is_proto_map or m.volatile:
        return VOLATILE
    return holder.slots[idx]


@metatrace.dont_look_inside
def note_proto_write(obj: Any) -> None:
    """An existing slot of proto ``obj`` (not volatile) is about to be written: code that
    folded its values is dropped; at the PROTO_WRITES_FOLDED-th such write the proto moves to a
    volatile map (its slots are read plainly, writing them drops nothing any more)."""
    n = _PROTO_WRITES.get(obj, 0) + 1
    _PROTO_WRITES[obj] = n
    VALUES_VERSION.bump()
    if n >= PROTO_WRITES_FOLDED:
        set_map(obj, obj.map.as_volatile())

class Map:
    """Hidden class: slot layout + protos.  Never mutated after creation (caches aside).
    ``activatable`` marks a plain object made activatable with ``setIsActivatable(true)``: read
    from a slot, it runs its ``activate`` slot (C Io keeps that flag per object and copies it to
    clones; here objects so marked have maps of their own)."""

    _immutable_fields_ = ("indexes", "names[*]", "protos[*]", "is_proto_map", "activatable",
                          "volatile")

    def __init__(self, names: Tuple[str, ...], protos: Tuple[Any, ...], is_proto_map: bool,
                 activatable: bool = False, volatile: bool = False) -> None:
        self.names = names
        self.indexes: Dict[str, int] = {}
        for i, nm in enumerate(names):
            self.indexes[nm] = i
        self.protos = protos
        self.is_proto_map = is_proto_map
        self.activatable = activatable
        # a proto whose slots are written often: read plainly, writes bump nothing (see
        # VALUES_VERSION in the module docstring)
        self.volatile = volatile
        self.transitions: Dict[str, "Map"] = {}
        self.proto_cache: Dict[str, Tuple[Any, Any, int]] = {}
        self.other: Dict[Any, "Map"] = {}

    @elidable
    def index_of(self, name: str) -> int:
        return self.indexes.get(name, -1)

    @elidable
    def with_added(self, name: str) -> "Map":
        m = self.transitions.get(name)
        if m is None:
            m = Map(self.names + (name,), self.protos, self.is_proto_map, self.activatable,
                    self.volatile)
            self.transitions[name] = m
        return m

    def with_removed(self, name: str) -> "Map":
        names = tuple(n for n in self.names if n != name)
        return _map_for(names, self.protos, self.is_proto_map, self.activatable, self.volatile)

    def with_protos(self, protos: Tuple[Any, ...]) -> "Map":
        return _map_for(self.names, protos, self.is_proto_map, self.activatable, self.volatile)

    def as_proto_map(self) -> "Map":
        return _map_for(self.names, self.protos, True, self.activatable, self.volatile)

    def with_activatable(self, activatable: bool) -> "Map":
        return _map_for(self.names, self.protos, self.is_proto_map, activatable, self.volatile)

    def as_volatile(self) -> "Map":
        return _map_for(self.names, self.protos, self.is_proto_map, self.activatable, True)

    @elidable
    def proto_lookup(self, name: str, version: Any) -> Tuple[Any, int]:
        """(holder, index) of ``name`` through the protos, or (None, -1).  Pure given version."""
        entry = self.proto_cache.get(name)
        if entry is not None and entry[0] is version:
            return entry[1], entry[2]
        holder, idx = _search_protos(self.protos, name)
        self.proto_cache[name] = (version, holder, idx)
        return holder, idx


_MAPS: Dict[Tuple[Any, ...], Map] = {}


def _map_for(names: Tuple[str, ...], protos: Tuple[Any, ...], is_proto_map: bool,
             activatable: bool = False, volatile: bool = False) -> Map:
    """Canonical map for a layout; empty layouts are looked up in a table, others walk
    transitions from the root so that equal layouts share a map."""
    key = (protos, is_proto_map, activatable, volatile)
    root = _MAPS.get(key)
    if root is None:
        root = Map((), protos, is_proto_map, activatable, volatile)
        _MAPS[key] = root
    m = root
    for nm in names:
        m = m.with_added(nm)
    return m


def root_map(protos: Tuple[Any, ...], activatable: bool = False) -> Map:
    return _map_for((), protos, False, activatable)


class ObjectActivation:
    """Whether any plain object was ever made activatable (C Io installs Object's activate
    function at the first ``setIsActivatable``): quasi-immutable, so until then reading a
    plain object from a slot costs nothing extra in compiled code."""

    _immutable_fields_ = ("enabled?",)

    def __init__(self) -> None:
        self.enabled = False


OBJECT_ACTIVATION = ObjectActivation()


def _search_protos(protos: Tuple[Any, ...], name: str) -> Tuple[Any, int]:
    seen = set()
    stack = list(reversed(protos))
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        m = obj.map
        idx = m.indexes.get(name, -1)
        if idx >= 0:
            return obj, idx
        if type(obj) is IoLocals:
            stack.append(obj.scope)
        else:
            for p in reversed(m.protos):
                stack.append(p)
    return None, -1


# --------------------------------------------------------------------------- objects


class IoObject:
    __slots__ = ("map", "slots", "__weakref__")
    # the classes' default_map is set once when a runtime boots (a trace never outlives the
    # runtime whose message trees are its greens)
    _immutable_fields_ = ("default_map",)
    kind = "Object"

    def __init__(self, map: Map, slots: Optional[List[Any]] = None) -> None:
        self.map = map
        self.slots = slots if slots is not None else []

    def __repr__(self) -> str:
        return "<Io %s %x>" % (self.kind, id(self))


def mark_proto(obj: IoObject) -> None:
    if not obj.map.is_proto_map:
        obj.map = obj.map.as_proto_map()


def set_map(obj: IoObject, newmap: Map) -> None:
    if obj.map.is_proto_map:
        LOOKUP_VERSION.bump()
    obj.map = newmap


@metatrace.unroll_safe
def lookup(obj: IoObject, name: str) -> Any:
    """The value of slot ``name`` seen from ``obj`` (through protos), or None."""
    while True:
        m = promote(obj.map)
        idx = m.index_of(name)
        if idx >= 0:
            return obj.slots[idx]
        if type(obj) is IoLocals:
            if name == "call":
                return obj.get_call()
            obj = obj.scope
            continue
        holder, idx = m.proto_lookup(name, promote(LOOKUP_VERSION.tag))
        if holder is None:
            return None
        value = proto_value(holder, idx, promote(VALUES_VERSION.tag))
        if value is VOLATILE:
            return holder.slots[idx]
        return value


def lookup_holder(obj: IoObject, name: str) -> Any:
    """The object that holds slot ``name`` as seen from ``obj``, or None (not JIT-critical)."""
    while True:
        if obj.map.index_of(name) >= 0:
            return obj
        if type(obj) is IoLocals:
            obj = obj.scope
            continue
        holder, _ = _search_protos(obj.map.protos, name)
        return holder


def lookup_after(holder: IoObject, name: str) -> Any:
    """For resend/super: the slot ``name`` found in the protos of ``holder``."""
    h, idx = _search_protos(holder.map.protos, name)
    if h is None:
        return None, None
    return h.slots[idx], h


def get_own_slot(obj: IoObject, name: str) -> Any:
    idx = promote(obj.map).index_of(name)
    if idx >= 0:
        return obj.slots[idx]
    return None


def set_slot(obj: IoObject, name: str, value: Any) -> None:
    m = promote(obj.map)
    idx = m.index_of(name)
    if idx >= 0:
        if m.is_proto_map and not m.volatile:
            note_proto_write(obj)
        obj.slots[idx] = value
        return
    set_map(obj, m.with_added(name))
    slots = obj.slots
    if slots is None:
        slots = []
        obj.slots = slots
    slots.append(value)


def remove_slot(obj: IoObject, name: str) -> None:
    m = obj.map
    idx = m.index_of(name)
    if idx < 0:
        return
    newslots = obj.slots[:idx] + obj.slots[idx + 1:]
    set_map(obj, m.with_removed(name))
    obj.slots = newslots


def set_protos(obj: IoObject, protos: List[Any]) -> None:
    for p in protos:
        mark_proto(p)
    set_map(obj, obj.map.with_protos(tuple(protos)))


def protos_of(obj: IoObject) -> List[Any]:
    if type(obj) is IoLocals:
        return [obj.scope]
    return list(obj.map.protos)


class IoNumber(IoObject):
    __slots__ = ("value",)
    _immutable_fields_ = ("value",)  # an Io Number is a value: nothing writes it after __init__
    kind = "Number"
    default_map: Map = None  # type: ignore[assignment]

    def __init__(self, value: float) -> None:
        self.map = IoNumber.default_map
        self.slots = None  # type: ignore[assignment]
        self.value = value


class IoSeq(IoObject):
    """Io Sequence.  Immutable ones (symbols/strings) keep ``value`` as a Python str; mutable ones
    also keep a str (replaced on every change) which is simple and fast enough in CPython."""

    __slots__ = ("value", "mutable")
    _immutable_fields_ = ("mutable",)  # a Sequence never changes kind; asMutable copies
    kind = "Sequence"
    default_map: Map = None  # type: ignore[assignment]

    def __init__(self, value: str, mutable: bool = False) -> None:
        self.map = IoSeq.default_map
        self.slots = None  # type: ignore[assignment]
        self.value = value
        self.mutable = mutable


@elidable
def frozen_value(seq: IoSeq) -> str:
    """The text of an immutable Sequence: a constant when the Sequence is (a literal, a
    slot name), so slot indices computed from it fold in traces."""
    return seq.value


class IoList(IoObject):
    __slots__ = ("items",)
    kind = "List"
    default_map: Map = None  # type: ignore[assignment]

    def __init__(self, items: List[Any], map: Optional[Map] = None) -> None:
        self.map = map if map is not None else IoList.default_map
        self.slots = []
        self.items = items


class IoMap(IoObject):
    __slots__ = ("items",)
    kind = "Map"
    default_map: Map = None  # type: ignore[assignment]

    def __init__(self, items: Dict[str, Any], map: Optional[Map] = None) -> None:
        self.map = map if map is not None else IoMap.default_map
        self.slots = []
        self.items = items


class IoMessage(IoObject):
    """A message: name, argument messages, next message.  Message trees are the interpreter's
    code, so the JIT treats them as constants; the fields are quasi-immutable so that a program
    that rewrites a message (setName/setArguments/setNext) invalidates compiled code."""

    __slots__ = ("name", "args", "next", "cached", "line", "label", "is_eol")
    _immutable_fields_ = ("name?", "args?[*]", "next?", "cached?", "line", "label", "is_eol?")
    kind = "Message"
    default_map: Map = None  # type: ignore[assignment]

    def __init__(self, name: str, args: List["IoMessage"], line: int = 0,
                 label: str = "", cached: Any = None) -> None:
        self.map = IoMessage.default_map
        self.slots = None  # type: ignore[assignment]
        self.name = name
        self.args = args
        self.next: Optional[IoMessage] = None
        self.cached = cached
        self.line = line
        self.label = label
        self.is_eol = name == ";"

    def __repr__(self) -> str:
        return "<Message %s>" % self.name


class IoBlock(IoObject):
    __slots__ = ("body", "argnames", "scope", "activatable", "pass_stops", "locals_map",
                 "is_method")
    _immutable_fields_ = ("body?", "argnames?[*]", "scope?", "locals_map?", "activatable?", "pass_stops?")
    kind = "Block"
    default_map: Map = None  # type: ignore[assignment]

    def __init__(self, body: Optional[IoMessage], argnames: List[str], scope: Any,
                 is_method: bool, map: Optional[Map] = None) -> None:
        self.map = map if map is not None else IoBlock.default_map
        self.slots = []
        self.body = body
        self.argnames = argnames
        self.scope = scope  # None for methods (scope = receiver)
        self.is_method = is_method
        self.activatable = is_method
        self.pass_stops = False
        self.locals_map = root_locals_map(tuple(["self"] + argnames))


_LOCALS_MAPS: Dict[Tuple[str, ...], Map] = {}


def root_locals_map(names: Tuple[str, ...]) -> Map:
    m = _LOCALS_MAPS.get(names)
    if m is None:
        m = _map_for(names, (), False)
        _LOCALS_MAPS[names] = m
    return m


class IoCFunction(IoObject):
    """A primitive: ``fn(target, locals, message)`` evaluates its arguments itself (lazily)."""

    __slots__ = ("fn", "name", "owner")
    _immutable_fields_ = ("fn", "name", "owner")
    kind = "CFunction"
    default_map: Map = None  # type: ignore[assignment]

    def __init__(self, fn: Any, name: str, owner: str) -> None:
        self.map = IoCFunction.default_map
        self.slots = None  # type: ignore[assignment]
        self.fn = fn
        self.name = name
        self.owner = owner


class IoLocals(IoObject):
    """The locals of a block activation.  slots[0] is ``self``; the block's arguments follow.
    Lookups that miss go to ``scope`` (the receiver for a method, the defining context for a
    block).  The Call object is made only when the program asks for ``call``."""

    __slots__ = ("scope", "target", "message", "sender", "block", "call", "slot_context")
    # what the activation was made with; ``call`` and ``slot_context`` are set later
    _immutable_fields_ = ("scope", "target", "message", "sender", "block")
    kind = "Locals"

    def __init__(self, map: Map, slots: List[Any], scope: Any, target: Any, message: Any,
                 sender: Any, block: Any) -> None:
        self.map = map
        self.slots = slots
        self.scope = scope
        self.target = target
        self.message = message
        self.sender = sender
        self.block = block
        self.call = None
        self.slot_context = None

    def get_call(self) -> Any:
        c = self.call
        if c is None:
            c = IoCall(self.sender, self.target, self.message, self.block, self.slot_context)
            self.call = c
        return c


class IoCall(IoObject):
    __slots__ = ("sender", "target", "message", "activated", "slot_context", "stop")
    kind = "Call"
    default_map: Map = None  # type: ignore[assignment]

    def __init__(self, sender: Any, target: Any, message: Any, activated: Any,
                 slot_context: Any) -> None:
        self.map = IoCall.default_map
        self.slots = None  # type: ignore[assignment]
        self.sender = sender
        self.target = target
        self.message = message
        self.activated = activated
        self.slot_context = slot_context
        self.stop = None


class IoFile(IoObject):
    __slots__ = ("path", "handle", "mode")
    kind = "File"


class IoDate(IoObject):
    __slots__ = ("t",)
    kind = "Date"


class IoCoroutine(IoObject):
    __slots__ = ("glet", "parent", "result", "exception", "running", "finished", "actor_queue",
                 "run_target", "run_message", "run_locals", "label", "recent")
    kind = "Coroutine"


# ------------------------------------------------------------------- control flow signals


class IoError(Exception):
    """An Io exception travelling through Python frames.  ``exc`` is the Io Exception object;
    ``frames`` collects (target-type, message) pairs as it unwinds, for the Io-level stack."""

    def __init__(self, exc: Any, message: Optional[str] = None) -> None:
        Exception.__init__(self)
        self.exc = exc
        self.message = message  # used when exc is made lazily (e.g. stack overflow)
        self.frames: List[Tuple[Any, Any]] = []


class StopSignal(Exception):
    pass


class ReturnSignal(StopSignal):
    def __init__(self, value: Any) -> None:
        self.value = value


class BreakSignal(StopSignal):
    def __init__(self, value: Any) -> None:
        self.value = value


class ContinueSignal(StopSignal):
    pass


class ExitSignal(Exception):
    def __init__(self, code: int) -> None:
        Exception.__init__(self, code)
        self.code = code
