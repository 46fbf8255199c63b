"""The VM's global state: symbols, globals, the classpath and class loading, bootstrapping."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

import metatrace

from . import interpreter as I
from . import primitives
from .compiler import Compiler
from .lexer import CompileError, decode_source
from .objects import SArray, SClass, SObject, SSymbol
from .parser import ClassDef, parse_class

LIB_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib", "Smalltalk")

# the classes the VM itself needs, created before any SOM code is loaded
CORE_CLASSES = ["Object", "Class", "Metaclass", "Nil", "Array", "Method", "Primitive", "String",
                "Symbol", "Integer", "Double", "Boolean", "True", "False", "Block", "Block1",
                "Block2", "Block3", "System"]


class GlobalCell:
    """One global variable.  Its value is quasi-immutable: compiled code reads it as a
    constant, and assigning it (``system global:put:``, class loading) invalidates that code."""

    __slots__ = ("name", "value")
    _immutable_fields_ = ("name", "value?")

    def __init__(self, name: SSymbol) -> None:
        self.name = name
        self.value: Any = None


class Universe:
    _immutable_fields_ = (
        "integer_class?", "double_class?", "true_class?", "false_class?", "nil_class?",
        "string_class?", "array_class?", "symbol_class?", "sym_dnu", "sym_escaped_block",
        "sym_unknown_global")

    def __init__(self, classpath: Optional[List[str]] = None, use_stdlib: bool = True) -> None:
        I.U = self
        self.classpath = [p for p in (classpath or []) if p]
        if use_stdlib:
            self.classpath.append(LIB_DIR)
        self.symbols: Dict[str, SSymbol] = {}
        self.cells: Dict[SSymbol, GlobalCell] = {}
        self.all_classes: List[SClass] = []
        self.source_files: Dict[SClass, str] = {}
        self.sym_dnu = self.symbol("doesNotUnderstand:arguments:")
        self.sym_escaped_block = self.symbol("escapedBlock:")
        self.sym_unknown_global = self.symbol("unknownGlobal:")
        self.sym_initialize = self.symbol("initialize:")
        self.bootstrapping = True
        self.method_class: Any = None
        self.primitive_class: Any = None
        self._block_classes: Dict[int, Any] = {}
        self.bootstrap()
        self.bootstrapping = False

    # -- symbols and globals ---------------------------------------------------------------
    def symbol(self, s: str) -> SSymbol:
        sym = self.symbols.get(s)
        if sym is None:
            sym = SSymbol(s)
            self.symbols[s] = sym
        return sym

    def cell(self, name: SSymbol) -> GlobalCell:
        return _global_cell(self, name)

    def get_global(self, name: SSymbol) -> Any:
        c = self.cells.get(name)
        return c.value if c is not None else None

    def set_global(self, name: SSymbol, value: Any) -> None:
        self.cell(name).value = value

    def global_value(self, frame: Any, name: SSymbol) -> Any:
        """PUSH_GLOBAL: a defined global, else a class from the classpath, else
        ``unknownGlobal:`` sent to self."""
        value = self.cell(name).value
        if value is None:
            return self.global_slow(frame, name)
        return value

    @metatrace.dont_look_inside
    def global_slow(self, frame: Any, name: SSymbol) -> Any:
        if name.string in ("true", "false", "nil"):
            return {"true": True, "false": False, "nil": None}[name.string]
        cls = self.load_class(name)
        if cls is not None:
            return cls
        return I.send_to(frame, frame.receiver, self.sym_unknown_global, [name])

    # -- classes ---------------------------------------------------------------------------
    def new_class_pair(self, name: str) -> SClass:
        meta = SClass(self, self.symbol(name + " class"), None)
        cls = SClass(self, self.symbol(name), meta)
        self.all_classes.append(cls)
        self.all_classes.append(meta)
        return cls

    def bootstrap(self) -> None:
        core = {}
        for name in CORE_CLASSES:
            core[name] = self.new_class_pair(name)
        self.object_class = core["Object"]
        self.class_class = core["Class"]
        self.metaclass_class = core["Metaclass"]
        self.nil_class = core["Nil"]
        self.array_class = core["Array"]
        self.method_class = core["Method"]
        self.primitive_class = core["Primitive"]
        self.symbol_class = core["Symbol"]
        self.string_class = core["String"]
        self.integer_class = core["Integer"]
        self.double_class = core["Double"]
        self.boolean_class = core["Boolean"]
        self.true_class = core["True"]
        self.false_class = core["False"]
        self.block_class_ = core["Block"]
        self.system_class = core["System"]
        for n in (1, 2, 3):
            self._block_classes[n - 1] = core["Block%d" % n]
        for cls in list(core.values()):
            cls.clazz.clazz = self.metaclass_class
        for name, cls in core.items():
            self.set_global(self.symbol(name), cls)
        # load the core classes' definitions from the classpath, superclasses first
        for name in CORE_CLASSES:
            self.load_class_into(core[name])
        self.system_object = SObject(self.system_class, len(self.system_class.instance_fields))
        self.set_global(self.symbol("system"), self.system_object)
        self.set_global(self.symbol("true"), True)
        self.set_global(self.symbol("false"), False)
        for n in (4,):
            self.block_class(n - 1)

    def block_class(self, num_args: int) -> Any:
        cls = self._block_classes.get(num_args)
        if cls is None:
            cls = self.load_class(self.symbol("Block%d" % (num_args + 1)))
            if cls is None:
                cls = self.block_class_
            self._block_classes[num_args] = cls
        return cls

    def find_class_file(self, name: str) -> Optional[str]:
        for d in self.classpath:
            path = os.path.join(d, name + ".som")
            if os.path.isfile(path):
                return path
        return None

    def load_class(self, name: SSymbol) -> Any:
        """The class named ``name``: already loaded, or loaded now from the classpath (nil if
        there is no such file)."""
        existing = self.get_global(name)
        if isinstance(existing, SClass):
            return existing
        path = self.find_class_file(name.string)
        if path is None:
            return None
        cdef = self.parse_file(path, name.string)
        return self.define_class(cdef, None)

    def parse_file(self, path: str, expected: Optional[str]) -> ClassDef:
        with open(path, "rb") as f:
            source = decode_source(f.read(), path)
        cdef = parse_class(source, path)
        if expected is not None and cdef.name != expected:
            raise CompileError(path, cdef.line, cdef.col,
                               "file defines class '%s' but should define '%s'"
                               % (cdef.name, expected))
        return cdef

    def load_class_into(self, cls: SClass) -> None:
        path = self.find_class_file(cls.name.string)
        if path is None:
            raise CompileError(cls.name.string + ".som", 1, 1,
                               "core class %s not found on the classpath %s"
                               % (cls.name.string, os.pathsep.join(self.classpath)))
        cdef = self.parse_file(path, cls.name.string)
        self.define_class(cdef, cls)

    def load_file_class(self, path: str) -> SClass:
        """Load the class defined in ``path`` (the name comes from the file)."""
        name = os.path.splitext(os.path.basename(path))[0]
        existing = self.get_global(self.symbol(name))
        if isinstance(existing, SClass):
            return existing
        cdef = self.parse_file(path, name)
        return self.define_class(cdef, None)

    def define_class(self, cdef: ClassDef, cls: Optional[SClass]) -> SClass:
        superclass: Optional[SClass]
        if cdef.superclass == "nil":
            superclass = None
        else:
            sname = cdef.superclass or "Object"
            superclass = self.load_class(self.symbol(sname))
            if superclass is None:
                raise CompileError(cdef.filename, cdef.line, cdef.col,
                                   "superclass '%s' of '%s' not found on the classpath"
                                   % (sname, cdef.name))
        if cls is None:
            cls = self.new_class_pair(cdef.name)
            cls.clazz.clazz = self.metaclass_class
        meta = cls.clazz
        cls.superclass = superclass
        if superclass is not None:
            meta.superclass = superclass.clazz
            inherited = list(superclass.instance_fields)
            inherited_class = list(superclass.clazz.instance_fields)
        else:
            meta.superclass = self.class_class
            inherited = []
            inherited_class = list(self.class_class.instance_fields)
        for own, inh, side in ((cdef.instance_fields, inherited, "instance"),
                               (cdef.class_fields, inherited_class, "class")):
            for n in own:
                if self.symbol(n) in inh:
                    raise CompileError(cdef.filename, cdef.line, cdef.col,
                                       "%s field '%s' of %s is already defined in a superclass"
                                       % (side, n, cdef.name))
        cls.instance_fields = inherited + [self.symbol(n) for n in cdef.instance_fields]
        meta.instance_fields = inherited_class + [self.symbol(n) for n in cdef.class_fields]
        cls.fields = [None] * len(meta.instance_fields)
        self.source_files[cls] = cdef.filename
        self.source_files[meta] = cdef.filename
        self.set_global(cls.name, cls)
        compiler = Compiler(self, cdef.filename)
        for holder, mdefs in ((cls, cdef.instance_methods), (meta, cdef.class_methods)):
            names = [f.string for f in holder.instance_fields]
            seen = set()
            for mdef in mdefs:
                if mdef.selector in seen:
                    raise CompileError(cdef.filename, mdef.line, mdef.col,
                                       "method '%s' defined twice in %s"
                                       % (mdef.selector, holder.name.string))
                seen.add(mdef.selector)
                sym = self.symbol(mdef.selector)
                if mdef.is_primitive:
                    inv: Any = primitives.make_primitive(self, holder, sym)
                else:
                    inv = compiler.compile_method(mdef, holder, names)
                inv.holder = holder
                holder.methods[sym] = inv
                holder.methods_array.storage.append(inv)
                holder.selectors.append(sym)
        return cls

    def classes_changed(self) -> None:
        """A method dictionary or superclass changed: drop every lookup cache and bump every
        class's (quasi-immutable) version, which invalidates compiled code depending on it."""
        for c in self.all_classes:
            c.version += 1
            c.cache = {}

    def source_file_of(self, cls: Any) -> str:
        return os.path.basename(self.source_files.get(cls, "?"))

    # -- running ---------------------------------------------------------------------------
    def run_main(self, args: List[str]) -> Any:
        """Send ``initialize:`` with the command line to the system object, as SOM does."""
        arr = SArray(list(args))
        method = self.system_class.lookup(self.sym_initialize)
        if method is None:
            raise I.SomError("System>>initialize: is missing from the class library")
        return I.invoke_with_args(method, self.system_object, [arr], None)


@metatrace.elidable
def _global_cell(u: Universe, name: SSymbol) -> GlobalCell:
    c = u.cells.get(name)
    if c is None:
        c = GlobalCell(name)
        u.cells[name] = c
    return c
