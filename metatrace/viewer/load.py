"""Reading a trace log and saying precisely what is wrong with a bad one.

The viewer is the tool people open when something already went wrong, so a truncated or foreign
file must produce one clear sentence (what, where, what to do) rather than a traceback.  The
JSON Schema shipped with the producer is the reference; when ``jsonschema`` is not installed we
walk the same schema with a small validator of our own so the messages stay the same.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List, Optional, Tuple

FORMAT = "metatrace-trace"
VERSION = 1
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                           "trace_format.schema.json")
MAX_ERRORS = 5
JSONSCHEMA_MAX_OPS = 20000  # beyond this many ops, validate with our own (faster) walk


class LogError(Exception):
    """A trace log that cannot be used; ``str()`` is the message for the user."""


def schema() -> Dict[str, Any]:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def load_log(path: str) -> Dict[str, Any]:
    """Read and validate the trace log at ``path``; raise :class:`LogError` if it is unusable."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise LogError("%s: no such file; write a trace log with METATRACE_LOG=%s or --jit-log"
                       % (path, path))
    except OSError as e:
        raise LogError("%s: cannot read: %s" % (path, e.strerror or e))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise LogError("%s: not a text file (byte %d is not UTF-8); a trace log is JSON written "
                       "by METATRACE_LOG" % (path, e.start))
    return parse_log(text, path)


def parse_log(text: str, path: str = "<log>") -> Dict[str, Any]:
    """Parse and validate a trace log given as text (``path`` only names it in messages)."""
    if not text.strip():
        raise LogError("%s: the file is empty; the program probably did not exit normally, so "
                       "the log was never written" % path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise LogError(_json_error_message(path, text, e))
    validate(doc, path)
    return doc


def _json_error_message(path: str, text: str, e: json.JSONDecodeError) -> str:
    where = "%s:%d:%d" % (path, e.lineno, e.colno)
    if e.pos >= len(text.rstrip()):
        return ("%s: the JSON ends early (%s): the file is truncated; was the program killed "
                "before the log was completely written?" % (where, e.msg))
    return "%s: not valid JSON: %s" % (where, e.msg)


def validate(doc: Any, path: str = "<log>") -> None:
    """Check ``doc`` is a trace log this viewer understands; raise :class:`LogError` if not."""
    if not isinstance(doc, dict):
        raise LogError("%s: not a metatrace trace log: the top level is a JSON %s, not an object "
                       "with \"format\": \"%s\"" % (path, _json_type(doc), FORMAT))
    fmt = doc.get("format")
    if fmt != FORMAT:
        if fmt is None:
            raise LogError("%s: not a metatrace trace log: it has no \"format\" key (expected "
                           "\"format\": \"%s\")" % (path, FORMAT))
        raise LogError("%s: not a metatrace trace log: \"format\" is %s, expected \"%s\""
                       % (path, _short(fmt), FORMAT))
    version = doc.get("version")
    if version != VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise LogError("%s: trace log version %d is newer than this viewer understands "
                           "(version %d); update metatrace" % (path, version, VERSION))
        raise LogError("%s: unsupported trace log version %s; this viewer reads version %d"
                       % (path, _short(version), VERSION))
    errors = schema_errors(doc)
    if errors:
        lines = ["%s: the trace log does not match its schema (docs/trace-format.md):" % path]
        for where, msg in errors[:MAX_ERRORS]:
            lines.append("  at %s: %s" % (where, msg))
        if len(errors) > MAX_ERRORS:
            lines.append("  ... and %d more" % (len(errors) - MAX_ERRORS))
        raise LogError("\n".join(lines))
    _check_references(doc, path)


def _check_references(doc: Dict[str, Any], path: str) -> None:
    seen: Dict[int, int] = {}
    for i, t in enumerate(doc["traces"]):
        if t["id"] in seen:
            raise LogError("%s: at $.traces[%d].id: trace id %d is used twice (also at "
                           "$.traces[%d])" % (path, i, t["id"], seen[t["id"]]))
        seen[t["id"]] = i


def schema_errors(doc: Any) -> List[Tuple[str, str]]:
    """``[(json_path, message)]`` for every place ``doc`` breaks the schema, shallowest first.

    ``jsonschema`` does the work when it is installed and the log is of ordinary size; for big
    logs (it needs ~0.3 s per MB) and without it, our own walk over the same schema gives the
    same paths and messages several times faster."""
    sch = schema()
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        use_jsonschema = False
    else:
        use_jsonschema = _size(doc) <= JSONSCHEMA_MAX_OPS
    if use_jsonschema:
        errs = _jsonschema_errors(doc, sch)
    else:
        errs = list(_walk(doc, sch, sch, "$"))
    errs.sort(key=lambda e: (e[0].count(".") + e[0].count("["), e[0]))
    return errs


def _size(doc: Any) -> int:
    traces = doc.get("traces") if isinstance(doc, dict) else None
    if not isinstance(traces, list):
        return 0
    return sum(len(t.get("ops") or ()) + len(t.get("unoptimized_ops") or ())
               for t in traces if isinstance(t, dict))


def _jsonschema_errors(doc: Any, sch: Dict[str, Any]) -> List[Tuple[str, str]]:
    import jsonschema

    cls = jsonschema.validators.validator_for(sch)
    out = []
    for err in cls(sch).iter_errors(doc):
        out.append((_path(err.absolute_path), _message(err.validator, err.validator_value,
                                                       err.instance, err.message)))
    return out


def _path(parts: Any) -> str:
    s = "$"
    for p in parts:
        s += "[%d]" % p if isinstance(p, int) else ".%s" % p
    return s


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


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def _short(v: Any) -> str:
    s = json.dumps(v, default=repr)
    return s if len(s) <= 40 else s[:37] + "..."


# -- fallback: the subset of JSON Schema the trace log schema uses -----------------------------

def _is_type(v: Any, t: str) -> bool:
    jt = _json_type(v)
    return jt == t or (t == "number" and jt == "integer")


def _walk(v: Any, sch: Dict[str, Any], root: Dict[str, Any], where: str) -> Iterator[Tuple[str, str]]:
    if "$ref" in sch:
        ref = sch["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        yield from _walk(v, target, root, where)
        return
    if "type" in sch:
        want = sch["type"] if isinstance(sch["type"], list) else [sch["type"]]
        if not any(_is_type(v, t) for t in want):
            yield where, _message("type", sch["type"], v, "")
            return
    if "const" in sch and v != sch["const"]:
        yield where, _message("const", sch["const"], v, "")
    if "enum" in sch and v not in sch["enum"]:
        yield where, _message("enum", sch["enum"], v, "")
    if "minimum" in sch and _is_type(v, "number") and v < sch["minimum"]:
        yield where, _message("minimum", sch["minimum"], v, "")
    if "oneOf" in sch:
        ok = sum(1 for alt in sch["oneOf"] if not any(True for _ in _walk(v, alt, root, where)))
        if ok != 1:
            yield where, _message("oneOf", sch["oneOf"], v, "")
    if isinstance(v, dict):
        missing = [k for k in sch.get("required", ()) if k not in v]
        if missing:
            yield where, _message("required", missing, v, "")
        props = sch.get("properties", {})
        for k, sub in props.items():
            if k in v:
                yield from _walk(v[k], sub, root, "%s.%s" % (where, k))
        extra = sch.get("additionalProperties")
        if isinstance(extra, dict):
            for k, item in v.items():
                if k not in props:
                    yield from _walk(item, extra, root, "%s.%s" % (where, k))
    if isinstance(v, list) and isinstance(sch.get("items"), dict):
        for i, item in enumerate(v):
            yield from _walk(item, sch["items"], root, "%s[%d]" % (where, i))


def first_error(doc: Any) -> Optional[str]:
    """The first schema problem of ``doc`` as ``"at PATH: message"``, or ``None``."""
    errs = schema_errors(doc)
    return "at %s: %s" % errs[0] if errs else None
