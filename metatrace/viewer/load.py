"""Reading a trace log and saying precisely what is wrong with a bad one.

The viewer is the tool people open when something already went wrong, so a truncated or foreign
file must produce one clear line, ``FILE: WHERE: WHAT``, rather than a traceback.

Everything is checked here, once, before any renderer sees the document: the bytes (size, UTF-8),
the JSON text (syntax, nesting depth, NaN and infinities, huge numbers), then the structure
against the JSON Schema shipped with the producer (walked by our own small validator, so the
messages carry exact paths like ``traces[0].ops[3].guard.id``), then what a schema cannot say
(trace ids used twice, 64-bit integers, broken surrogate pairs).  A document that passes may be
indexed by the renderers wherever the schema says a key is required and trusted to have the
type the schema gives.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import os
import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

FORMAT = "metatrace-trace"
VERSION = 1
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "trace_format.schema.json")
MAX_BYTES = int(float(os.environ.get("METATRACE_VIEW_MAX_MB", "1024")) * 2 ** 20)
MAX_DEPTH = 100  # JSON nesting; a real log has fewer than 10 levels
MAX_INT = 2 ** 63 - 1


class LogError(Exception):
    """A trace log that cannot be used.  ``str()`` is the one line for the user,
    ``FILE: WHERE: WHAT``, where WHERE is ``file``, ``line L col C`` (the JSON text), ``top level``
    or a path into the document such as ``traces[0].ops[3].guard.id``."""

    def __init__(self, path: str, where: str, what: str) -> None:
        super().__init__("%s: %s: %s" % (path, where, what))
        self.path = path
        self.where = where
        self.what = what


@functools.lru_cache(maxsize=None)
def _schema_text() -> str:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return f.read()


def schema() -> Dict[str, Any]:
    """The shipped JSON Schema (a fresh copy: callers may change it)."""
    return json.loads(_schema_text())


@functools.lru_cache(maxsize=None)
def _cached_schema() -> Dict[str, Any]:
    return schema()


def load_log(path: str) -> Dict[str, Any]:
    """Read and validate the trace log at ``path``; raise :class:`LogError` if it is unusable."""
    path = os.fspath(path)
    raw = _read(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise LogError(path, _byte_position(raw, e.start),
                       "not UTF-8 text%s; a trace log is the JSON written by METATRACE_LOG"
                       % _encoding_hint(raw))
    return parse_log(text, path)


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_BYTES:
                raise LogError(path, "file", _too_big(size))
            raw = f.read(MAX_BYTES + 1)
    except LogError:
        raise
    except FileNotFoundError:
        raise LogError(path, "file", "no such file; write a trace log with METATRACE_LOG=%s or "
                                     "--jit-log" % path) from None
    except IsADirectoryError:
        raise LogError(path, "file", "is a directory, not a trace log") from None
    except OSError as e:
        raise LogError(path, "file", "cannot read it: %s" % (e.strerror or e)) from None
    except MemoryError:
        raise LogError(path, "file", "not enough memory to read it") from None
    if len(raw) > MAX_BYTES:  # a pipe or device whose size fstat does not know
        raise LogError(path, "file", _too_big(len(raw)))
    return raw


def _too_big(size: int) -> str:
    return ("%d bytes, more than the %d this viewer reads (set METATRACE_VIEW_MAX_MB to raise "
            "the limit)" % (size, MAX_BYTES))


def _byte_position(raw: bytes, pos: int) -> str:
    line = raw.count(b"\n", 0, pos) + 1
    start = raw.rfind(b"\n", 0, pos) + 1
    col = len(raw[start:pos].decode("utf-8", "replace")) + 1
    return "line %d col %d" % (line, col)


def _encoding_hint(raw: bytes) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return " (it is UTF-16)"
    if b"\0" in raw[:4096]:
        return " (it looks binary)"
    return ""


def parse_log(text: str, path: str = "<log>") -> Dict[str, Any]:
    """Parse and validate a trace log given as text (``path`` only names it in messages)."""
    if text.startswith("\ufeff"):  # a byte order mark some editors add; not part of the JSON
        text = text[1:]
    if not text.strip():
        raise LogError(path, "file", "empty; the program probably did not exit normally, so the "
                                     "log was never written")
    outside = _STRING_RE.sub("", text)  # the JSON text without its strings
    _check_nesting(text, outside, path)
    try:
        doc = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as e:
        raise LogError(path, "line %d col %d" % (e.lineno, e.colno), _json_error(text, e))
    except _BadNumber as e:
        raise LogError(path, _text_position(text, e.token), "%s is not a number JSON allows"
                                                            % e.token[:40])
    except RecursionError:  # _check_nesting keeps us far from this; in case it did not
        raise LogError(path, "top level", "nested too deeply (more than %d levels)" % MAX_DEPTH)
    except ValueError:  # an integer with more digits than int() converts (Python 3.11+)
        m = re.search(r"\d{%d,}" % (_MAX_DIGITS + 1), text)
        raise LogError(path, _position(text, m.start()) if m else "top level",
                       "a number with more than %d digits" % _MAX_DIGITS) from None
    # only a 19-digit number or a \uD800-\uDFFF escape can make _bad_value find something
    validate(doc, path, scan=bool(_LONG_INT_RE.search(outside) or _SURROGATE_RE.search(text)))
    return doc


class _BadNumber(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _no_constant(name: str) -> Any:
    raise _BadNumber(name)


def _finite_float(s: str) -> float:
    v = float(s)
    if math.isinf(v) or math.isnan(v):
        raise _BadNumber(s)
    return v


def _json_error(text: str, e: json.JSONDecodeError) -> str:
    # json reports a string cut off by the end of the text where the string starts
    if e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string"):
        return ("the JSON ends early (%s): the file is truncated; was the program killed "
                "before the log was completely written?" % e.msg)
    return "not valid JSON: %s" % e.msg


def _position(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return "line %d col %d" % (line, pos - text.rfind("\n", 0, pos))


# a JSON string, or any one bracket
_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.S)
_STRING_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET_RE = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _check_nesting(text: str, outside: str, path: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` before ``json`` (and every recursive walk
    after it) can run out of stack.  The quick count ignores strings wholesale; only when it
    says "too deep" is the text tokenised properly to find where."""
    brackets = _NOT_BRACKET_RE.sub("", outside)
    if not brackets or max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets))) \
            <= MAX_DEPTH:
        return
    depth = 0
    for m in _TOKEN_RE.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise LogError(path, _position(text, m.start()),
                               "nested more than %d levels deep; a trace log has fewer than 10"
                               % MAX_DEPTH)
        elif c in "]}":
            depth -= 1


def _text_position(text: str, token: str) -> str:
    """Where ``token`` (a number or constant json refused) first stands outside a string."""
    pat = re.compile(r'"(?:[^"\\]|\\.)*"|(?<![\w.+-])(%s)(?![\w.])' % re.escape(token), re.S)
    for m in pat.finditer(text):
        if m.group(1) is not None:
            return _position(text, m.start(1))
    return "top level"


def validate(doc: Any, path: str = "<log>", scan: bool = True) -> None:
    """Check ``doc`` is a trace log this viewer understands; raise :class:`LogError` if not.

    This is the one place that decides: after it, the renderers may index any field the schema
    requires and rely on the type it gives."""
    if not isinstance(doc, dict):
        raise LogError(path, "top level", "not a metatrace trace log: a JSON %s, not an object "
                       "with \"format\": \"%s\"" % (_json_type(doc), FORMAT))
    fmt = doc.get("format")
    if fmt != FORMAT:
        if "format" not in doc:
            raise LogError(path, "top level", "not a metatrace trace log: no \"format\" key "
                                              "(expected \"format\": \"%s\")" % FORMAT)
        raise LogError(path, "format", "not a metatrace trace log: %s, expected \"%s\""
                       % (_short(fmt), FORMAT))
    version = doc.get("version")
    if version != VERSION or isinstance(version, bool):
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise LogError(path, "version", "trace log version %d is newer than this viewer "
                           "understands (version %d); update metatrace" % (version, VERSION))
        raise LogError(path, "version", "unsupported trace log version %s; this viewer reads "
                       "version %d" % (_short(version), VERSION))
    bad = _bad_value(doc) if scan else None
    if bad is not None:
        raise LogError(path, bad[0], bad[1])
    errors = schema_errors(doc)
    if errors:
        where, what = errors[0]
        if len(errors) > 1:
            what += " (and %d more problem%s)" % (len(errors) - 1, "s" if len(errors) > 2 else "")
        raise LogError(path, where, what)
    _check_references(doc, path)


def _check_references(doc: Dict[str, Any], path: str) -> None:
    seen: Dict[int, int] = {}
    for i, t in enumerate(doc["traces"]):
        if t["id"] in seen:
            raise LogError(path, "traces[%d].id" % i, "trace id %d is used twice (also at "
                           "traces[%d].id)" % (t["id"], seen[t["id"]]))
        seen[t["id"]] = i


# -- values no schema keyword rules out ---------------------------------------------------------

_MAX_DIGITS = 4300  # int() refuses longer numbers (sys.get_int_max_str_digits on 3.11+)
_LONG_INT_RE = re.compile(r"[-:,\[\s][0-9]{19}")  # an integer of 19+ digits, not a fraction
_SURROGATE_RE = re.compile(r"\\u[dD][89a-fA-F]")


def _bad_value(doc: Any) -> Optional[Tuple[str, str]]:
    """An integer beyond 64 bits or a string with half a surrogate pair, anywhere in ``doc``.

    Both come through ``json`` and then break the renderers (float arithmetic on counts,
    encoding the output), and neither can be said in the schema."""
    stack: List[Tuple[Any, str]] = [(doc, "")]
    while stack:
        v, where = stack.pop()
        if isinstance(v, dict):
            items = list(v.items())
            for k, item in reversed(items):
                if _has_surrogate(k):
                    return where or "top level", "a key with half a UTF-16 surrogate pair " \
                                                 "(%s), not text" % _short(k)
                stack.append((item, _child(where, k)))
        elif isinstance(v, list):
            for i in range(len(v) - 1, -1, -1):
                stack.append((v[i], "%s[%d]" % (where, i)))
        elif isinstance(v, str):
            if _has_surrogate(v):
                return where or "top level", "half a UTF-16 surrogate pair in %s: not text" \
                                             % _short(v)
        elif isinstance(v, int) and not isinstance(v, bool) and not -MAX_INT - 1 <= v <= MAX_INT:
            return where or "top level", "%s does not fit in 64 bits" % _short(v)
    return None


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _child(where: str, key: Any) -> str:
    """The path of ``key`` under ``where``: ``traces[0].ops``, or ``stats["a b"]`` for a key
    that is not a plain name (a colon in it is escaped, so ``FILE: WHERE: WHAT`` still splits)."""
    if isinstance(key, int):
        return "%s[%d]" % (where, key)
    if _IDENT_RE.match(key):
        return "%s.%s" % (where, key) if where else key
    return "%s[%s]" % (where, json.dumps(key).replace(":", "\\u003a"))


def schema_errors(doc: Any) -> List[Tuple[str, str]]:
    """``[(path, message)]`` for every place ``doc`` breaks the schema, shallowest first; the
    path is ``top level`` or like ``traces[0].ops[2]``.

    Our own walk over the shipped schema (the subset of JSON Schema it uses) rather than
    ``jsonschema``: the same messages whether or not that is installed, and several times faster
    on big logs.  The tests check that it agrees with ``jsonschema``."""
    sch = _cached_schema()
    errs = [(_depth(w), _where_text(w), _message(kw, expected, v, ""))
            for w, (kw, expected, v) in _walk(doc, sch, sch, ())]
    errs.sort(key=lambda e: e[:2])
    return [(w or "top level", m) for _, w, m in errs]


def _depth(where: Where) -> int:
    n = 0
    while where:
        where = where[0]
        n += 1
    return n


def _jsonschema_errors(doc: Any, sch: Dict[str, Any]) -> List[Tuple[str, str]]:
    """The same as :func:`schema_errors`, by ``jsonschema`` (for the tests)."""
    import jsonschema

    cls = jsonschema.validators.validator_for(sch)
    out = []
    for err in cls(sch).iter_errors(doc):
        where = ""
        for part in err.absolute_path:
            where = _child(where, part)
        out.append((where or "top level", _message(err.validator, err.validator_value,
                                                   err.instance, err.message)))
    return out


def _message(keyword: str, expected: Any, value: Any, default: str) -> str:
    if keyword == "required":
        missing = [k for k in expected if not (isinstance(value, dict) and k in value)]
        return "missing required key%s %s" % ("s" if len(missing) > 1 else "",
                                              ", ".join('"%s"' % k for k in missing))
    if keyword == "type":
        want = expected if isinstance(expected, list) else [expected]
        return "expected %s, found %s %s" % (" or ".join(want), _json_type(value), _short(value))
    if keyword == "enum":
        return "expected one of %s, found %s" % (", ".join(json.dumps(v) for v in expected),
                                                  _short(value))
    if keyword == "const":
        return "expected %s, found %s" % (json.dumps(expected), _short(value))
    if keyword == "minimum":
        return "expected a number >= %s, found %s" % (expected, _short(value))
    if keyword == "oneOf":
        return "expected a value name (a string like \"i3\") or {\"const\": ...}, found %s" \
            % _short(value)
    return default


_TYPE_NAMES = {type(None): "null", bool: "boolean", int: "integer", float: "number",
               str: "string", list: "array", dict: "object"}


def _json_type(v: Any) -> str:
    name = _TYPE_NAMES.get(type(v))
    if name is not None:
        return name
    for cls, name in _TYPE_NAMES.items():  # subclasses (never from json.loads)
        if isinstance(v, cls) and cls is not type(None):
            return name
    return "object"


def _short(v: Any, limit: int = 40) -> str:
    """``v`` as JSON, cut to ``limit`` characters, without writing out all of a big value."""
    text = _preview(v, limit + 1)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _preview(v: Any, budget: int) -> str:
    if isinstance(v, (list, dict)):
        items = v.items() if isinstance(v, dict) else v
        out = "{" if isinstance(v, dict) else "["
        for i, item in enumerate(items):
            if len(out) > budget:
                return out
            if i:
                out += ", "
            if isinstance(v, dict):
                out += json.dumps(str(item[0])) + ": "
                item = item[1]
            out += _preview(item, budget - len(out))
        return out + ("}" if isinstance(v, dict) else "]")
    if isinstance(v, str) and len(v) > budget:
        v = v[:budget]
    return json.dumps(v, default=repr)


# -- the subset of JSON Schema the trace log schema uses -----------------------------

def _is_type(v: Any, t: str) -> bool:
    jt = _json_type(v)
    return jt == t or (t == "number" and jt == "integer")


Where = Tuple[Any, ...]  # () for the top level, else (parent, key): built cheaply, named on error


def _where_text(where: Where) -> str:
    keys: List[Any] = []
    while where:
        where, key = where
        keys.append(key)
    text = ""
    for key in reversed(keys):
        text = _child(text, key)
    return text


def _walk(v: Any, sch: Dict[str, Any], root: Dict[str, Any], where: Where
          ) -> Iterator[Tuple[Where, Tuple[str, Any, Any]]]:
    """Each place ``v`` breaks ``sch``: ``(where, (keyword, expected, value))``; the message is
    made only for the errors reported (``oneOf`` tries alternatives and drops theirs)."""
    while "$ref" in sch:
        ref = sch["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        sch = target
    if "type" in sch:
        want = sch["type"]
        jt = _json_type(v)
        if not (jt == want or (jt == "integer" and want == "number") or (
                isinstance(want, list) and (jt in want or (jt == "integer" and "number" in want)))):
            yield where, ("type", want, v)
            return
    if "const" in sch and (v != sch["const"] or type(v) is not type(sch["const"])):
        yield where, ("const", sch["const"], v)
    if "enum" in sch and v not in sch["enum"]:
        yield where, ("enum", sch["enum"], v)
    if "minimum" in sch and _is_type(v, "number") and v < sch["minimum"]:
        yield where, ("minimum", sch["minimum"], v)
    if "oneOf" in sch:
        ok = sum(1 for alt in sch["oneOf"] if not any(True for _ in _walk(v, alt, root, where)))
        if ok != 1:
            yield where, ("oneOf", sch["oneOf"], v)
    if isinstance(v, dict):
        required = sch.get("required")
        if required:
            missing = [k for k in required if k not in v]
            if missing:
                yield where, ("required", missing, v)
        props = sch.get("properties")
        if props:
            for k, sub in props.items():
                if k in v and sub:
                    fast = _leaf_types(sub)
                    if fast is None or type(v[k]) not in fast:
                        yield from _walk(v[k], sub, root, (where, k))
        extra = sch.get("additionalProperties")
        if isinstance(extra, dict):
            for k, item in v.items():
                if not props or k not in props:
                    yield from _walk(item, extra, root, (where, k))
    elif isinstance(v, list):
        items = sch.get("items")
        if isinstance(items, dict) and items:
            fast = _leaf_types(items)
            for i, item in enumerate(v):
                if fast is None or type(item) not in fast:
                    yield from _walk(item, items, root, (where, i))


_LEAF: Dict[int, Any] = {}
_PY_TYPES = {"null": (type(None),), "boolean": (bool,), "integer": (int,),
             "number": (int, float), "string": (str,), "array": (list,), "object": (dict,)}


def _leaf_types(sch: Dict[str, Any]) -> Optional[frozenset]:
    """For a schema that only says ``type`` (``{"type": "string"}``): the Python types that
    pass it, so the walk can skip the call for the many values that do; else ``None``.
    Keyed by the schema dict's id (the schema is loaded once and kept)."""
    hit = _LEAF.get(id(sch))
    if hit is None or hit[0] is not sch:
        t = sch.get("type")
        types = None
        if t is not None and not set(sch) - {"type", "description"}:
            names = t if isinstance(t, list) else [t]
            types = frozenset(c for n in names for c in _PY_TYPES[n])
        hit = _LEAF[id(sch)] = (sch, types)  # holding sch keeps its id from being reused
    return hit[1]


def first_error(doc: Any) -> Optional[str]:
    """The first schema problem of ``doc`` as ``"PATH: message"``, or ``None``."""
    errs = schema_errors(doc)
    return "%s: %s" % errs[0] if errs else None
