"""Bad trace logs give one clear message naming what and where, a non-zero exit, no traceback."""

from __future__ import annotations

import builtins
import copy
import json
import os
import subprocess
import sys

import pytest

from metatrace.viewer import load
from metatrace.viewer.cli import summary_main, view_main
from metatrace.viewer.load import LogError, load_log

from .conftest import ROOT, SMALL


def small() -> dict:
    with open(SMALL) as f:
        return json.load(f)


def write(tmp_path, doc, name="log.json") -> str:
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(p)


def error_of(path: str) -> str:
    with pytest.raises(LogError) as ei:
        load_log(path)
    return str(ei.value)


def test_real_logs_validate(logs):
    for name, path in logs.items():
        doc = load_log(path)
        assert doc["format"] == "metatrace-trace", name


def test_truncated_file_names_line_and_column(tmp_path, logs):
    text = open(logs["sieve"]).read()
    cut = text[: len(text) // 2]
    msg = error_of(write(tmp_path, cut))
    line = cut.count("\n") + 1
    assert "truncated" in msg
    assert "log.json: line %d col " % line in msg and msg.count("\n") == 0


def test_syntax_error_in_the_middle(tmp_path):
    text = json.dumps(small(), indent=1).replace('"kind": "loop"', '"kind": loop', 1)
    msg = error_of(write(tmp_path, text))
    line = next(ln for ln in text.splitlines() if '"kind": loop' in ln)
    bad_line = text.splitlines().index(line) + 1
    col = line.index("loop") + 1
    assert "log.json: line %d col %d: not valid JSON" % (bad_line, col) in msg


def test_empty_and_missing_files(tmp_path):
    assert error_of(write(tmp_path, "")).endswith("log.json: file: empty; the program probably "
                                                  "did not exit normally, so the log was never "
                                                  "written")
    assert "nope.json: file: no such file" in error_of(str(tmp_path / "nope.json"))
    assert ": file: is a directory" in error_of(str(tmp_path))
    p = tmp_path / "bin.json"
    p.write_bytes(b"\xff\xfe\x00")
    assert "bin.json: line 1 col 1: not UTF-8 text (it is UTF-16)" in error_of(str(p))
    p.write_bytes(b'{\n "format": "caf\xe9"}')
    assert "bin.json: line 2 col 16: not UTF-8 text;" in error_of(str(p))


def test_wrong_format_and_version(tmp_path):
    assert "log.json: top level: not a metatrace trace log: a JSON array" in error_of(
        write(tmp_path, "[1, 2]"))
    assert 'top level: not a metatrace trace log: no "format" key' in error_of(
        write(tmp_path, {"traces": []}))
    doc = small()
    doc["format"] = "pypylog"
    assert 'format: not a metatrace trace log: "pypylog", expected' in error_of(
        write(tmp_path, doc))
    doc = small()
    doc["version"] = 2
    assert "log.json: version: trace log version 2 is newer" in error_of(write(tmp_path, doc))
    for bad in ("1", True, 1.0, None):
        doc["version"] = bad
        assert "log.json: version: " in error_of(write(tmp_path, doc))


def _broken_docs():
    d = small()
    del d["traces"][0]["ops"][2]["op"]
    yield d, "traces[0].ops[2]", 'missing required key "op"'
    d = small()
    d["traces"][1]["kind"] = "tree"
    yield d, "traces[1].kind", 'expected one of "loop", "bridge", found "tree"'
    d = small()
    d["traces"][0]["ops"][10]["guard"]["failures"] = -3
    yield d, "traces[0].ops[10].guard.failures", "expected a number >= 0"
    d = small()
    d["traces"][0]["ops"][4]["args"][0] = 12
    yield d, "traces[0].ops[4].args[0]", "expected a value name"
    d = small()
    del d["stats"]
    yield d, "top level", 'missing required key "stats"'
    d = small()
    d["traces"][0]["inputargs"][0]["type"] = "x"
    yield d, "traces[0].inputargs[0].type", "found \"x\""
    d = small()
    d["traces"][1]["id"] = 1
    yield d, "traces[1].id", "used twice"
    d = small()
    d["traces"][0]["ops"][2]["source"]["file"] = ["a", "b"]
    yield d, "traces[0].ops[2].source.file", 'expected string, found array ["a", "b"]'
    d = small()
    d["stats"]["tracing_s"] = "fast"
    yield d, "stats.tracing_s", 'expected number, found string "fast"'
    d = small()
    d["aborts"][0]["source"] = {"file": 3}
    yield d, "aborts[0].source.file", "expected string, found integer 3"
    d = small()
    d["stats"]["aborts_by_reason"]["odd: key"] = "many"
    yield d, 'stats.aborts_by_reason["odd\\u003a key"]', 'expected integer, found string'
    d = small()
    d["traces"][0]["entries"] = 10 ** 20
    yield d, "traces[0].entries", "does not fit in 64 bits"
    d = small()
    d["traces"][0]["location"] = "\udc80"
    yield d, "traces[0].location", "half a UTF-16 surrogate pair"


@pytest.mark.parametrize("fallback", [False, True], ids=["with-jsonschema", "without"])
def test_missing_or_wrong_fields_name_the_json_path(tmp_path, monkeypatch, fallback):
    """One line ``FILE: PATH: WHAT``, the same whether or not jsonschema is installed."""
    if fallback:
        real_import = builtins.__import__

        def no_jsonschema(name, *a, **k):
            if name == "jsonschema":
                raise ImportError("no jsonschema")
            return real_import(name, *a, **k)

        monkeypatch.setattr(builtins, "__import__", no_jsonschema)
    for doc, where, what in _broken_docs():
        path = write(tmp_path, doc)
        msg = error_of(path)
        assert msg.startswith("%s: %s: " % (path, where)), msg
        assert what in msg and "\n" not in msg, msg


def test_own_validator_agrees_with_jsonschema(docs):
    """The loader walks the schema itself; jsonschema is the reference it must agree with."""
    sch = load.schema()
    for name, doc in docs.items():
        assert load.schema_errors(doc) == [], name
        assert load._jsonschema_errors(doc, sch) == [], name
    bad = copy.deepcopy(docs["small"])
    bad["traces"][0]["ops"][0]["res"] = 5
    bad["aborts"][0]["reason"] = None
    bad["stats"]["compiling_s"] = []
    mine = sorted(load.schema_errors(bad))
    theirs = sorted(load._jsonschema_errors(bad, sch))
    assert mine == theirs
    assert [w for w, _ in mine] == ["aborts[0].reason", "stats.compiling_s",
                                    "traces[0].ops[0].res"]


def test_many_errors_are_capped(tmp_path):
    doc = small()
    for op in doc["traces"][0]["ops"]:
        del op["args"]
    msg = error_of(write(tmp_path, doc))
    assert msg.endswith('traces[0].ops[0]: missing required key "args" (and %d more problems)'
                        % (len(doc["traces"][0]["ops"]) - 1))


def test_cli_reports_bad_logs_without_traceback(tmp_path, capsys):
    path = write(tmp_path, '{"format": "metatrace-trace", "version": 1, "traces": [')
    assert view_main([path, "-o", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(path + ": line 1 col ") and "truncated" in err and err.count("\n") == 1
    assert not (tmp_path / "x.svg").exists()
    assert summary_main([path]) == 2
    assert capsys.readouterr().err == err


def test_command_line_end_to_end_bad_log(tmp_path):
    doc = small()
    del doc["traces"][0]["location"]
    path = write(tmp_path, doc)
    for cmd in ("view", "summary"):
        p = subprocess.run([sys.executable, "-m", "metatrace", cmd, path], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 2, p
        assert "Traceback" not in p.stderr
        assert p.stderr == '%s: traces[0]: missing required key "location"\n' % path
    assert not os.path.exists(os.path.splitext(path)[0] + ".svg")
