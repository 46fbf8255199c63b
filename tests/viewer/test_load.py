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
    assert "log.json:%d:" % line in msg


def test_syntax_error_in_the_middle(tmp_path):
    text = json.dumps(small(), indent=1).replace('"kind": "loop"', '"kind": loop', 1)
    msg = error_of(write(tmp_path, text))
    bad_line = text.splitlines().index(next(ln for ln in text.splitlines()
                                            if '"kind": loop' in ln)) + 1
    assert "not valid JSON" in msg and "log.json:%d:" % bad_line in msg


def test_empty_and_missing_files(tmp_path):
    assert "empty" in error_of(write(tmp_path, ""))
    assert "no such file" in error_of(str(tmp_path / "nope.json"))
    p = tmp_path / "bin.json"
    p.write_bytes(b"\xff\xfe\x00")
    assert "not a text file" in error_of(str(p))


def test_wrong_format_and_version(tmp_path):
    assert "top level is a JSON array" in error_of(write(tmp_path, "[1, 2]"))
    assert 'no "format" key' in error_of(write(tmp_path, {"traces": []}))
    doc = small()
    doc["format"] = "pypylog"
    assert '"format" is "pypylog"' in error_of(write(tmp_path, doc))
    doc = small()
    doc["version"] = 2
    assert "version 2 is newer" in error_of(write(tmp_path, doc))
    doc["version"] = "1"
    assert "unsupported trace log version" in error_of(write(tmp_path, doc))


def _broken_docs():
    d = small()
    del d["traces"][0]["ops"][2]["op"]
    yield d, "$.traces[0].ops[2]", 'missing required key "op"'
    d = small()
    d["traces"][1]["kind"] = "tree"
    yield d, "$.traces[1].kind", 'expected one of "loop", "bridge", found "tree"'
    d = small()
    d["traces"][0]["ops"][10]["guard"]["failures"] = -3
    yield d, "$.traces[0].ops[10].guard.failures", "expected a number >= 0"
    d = small()
    d["traces"][0]["ops"][4]["args"][0] = 12
    yield d, "$.traces[0].ops[4].args[0]", "expected a value name"
    d = small()
    del d["stats"]
    yield d, "$", 'missing required key "stats"'
    d = small()
    d["traces"][0]["inputargs"][0]["type"] = "x"
    yield d, "$.traces[0].inputargs[0].type", "found \"x\""
    d = small()
    d["traces"][1]["id"] = 1
    yield d, "$.traces[1].id", "used twice"


@pytest.mark.parametrize("fallback", [False, True], ids=["jsonschema", "own-checks"])
def test_missing_or_wrong_fields_name_the_json_path(tmp_path, monkeypatch, fallback):
    if fallback:
        real_import = builtins.__import__

        def no_jsonschema(name, *a, **k):
            if name == "jsonschema":
                raise ImportError("no jsonschema")
            return real_import(name, *a, **k)

        monkeypatch.setattr(builtins, "__import__", no_jsonschema)
    for doc, where, what in _broken_docs():
        msg = error_of(write(tmp_path, doc))
        assert "at %s:" % where in msg, msg
        assert what in msg, msg


def test_fallback_validator_agrees_with_jsonschema(docs):
    sch = load.schema()
    for name, doc in docs.items():
        assert list(load._walk(doc, sch, sch, "$")) == [], name
    bad = copy.deepcopy(docs["small"])
    bad["traces"][0]["ops"][0]["res"] = 5
    bad["aborts"][0]["reason"] = None
    mine = sorted(load._walk(bad, sch, sch, "$"))
    theirs = sorted(load._jsonschema_errors(bad, sch))
    assert [w for w, _ in mine] == [w for w, _ in theirs]


def test_many_errors_are_capped(tmp_path):
    doc = small()
    for op in doc["traces"][0]["ops"]:
        del op["args"]
    msg = error_of(write(tmp_path, doc))
    assert "... and %d more" % (len(doc["traces"][0]["ops"]) - load.MAX_ERRORS) in msg


def test_cli_reports_bad_logs_without_traceback(tmp_path, capsys):
    path = write(tmp_path, '{"format": "metatrace-trace", "version": 1, "traces": [')
    assert view_main([path, "-o", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("metatrace view: ") and "truncated" in err
    assert not (tmp_path / "x.svg").exists()
    assert summary_main([path]) == 2
    assert "metatrace summary: " in capsys.readouterr().err


def test_command_line_end_to_end_bad_log(tmp_path):
    doc = small()
    del doc["traces"][0]["location"]
    path = write(tmp_path, doc)
    for cmd in ("view", "summary"):
        p = subprocess.run([sys.executable, "-m", "metatrace", cmd, path], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 2, p
        assert "Traceback" not in p.stderr
        assert 'at $.traces[0]: missing required key "location"' in p.stderr
    assert not os.path.exists(os.path.splitext(path)[0] + ".svg")
