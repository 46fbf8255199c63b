"""get_function_ast finds a function's source from one parse of its file (not inspect's
tokenizing of the file for every function): the same lines as inspect, and inspect's way for
what the parse does not say (a lambda, a function with no file)."""

import inspect
import textwrap
import types

import pytest

import interpreters.smalltalk_bc.interpreter as som_interp
import interpreters.smalltalk_bc.objects as som_objects
import examples.stacklang.interp as stack_interp
from metatrace.annotate import codewriter
from metatrace.annotate.codewriter import Unsupported, get_function_ast


def _functions(*modules):
    for mod in modules:
        for obj in list(vars(mod).values()):
            found = [obj] + (list(vars(obj).values()) if isinstance(obj, type) else [])
            for f in found:
                f = getattr(f, "__wrapped__", f)
                if isinstance(f, types.FunctionType) and f.__module__ == mod.__name__:
                    yield f


def _decorated(x):
    return x


class Outer:
    @staticmethod
    @_decorated
    def twice_decorated(a):
        def inner(b):
            return b + 1
        return inner(a)

    if True:
        def in_a_branch(self):
            try:
                pass
            finally:
                def in_finally():
                    return 3
            return in_finally()


def test_same_lines_as_inspect():
    funcs = list(_functions(som_interp, som_objects, stack_interp)) + [
        Outer.twice_decorated, Outer.in_a_branch]
    assert len(funcs) > 60
    for f in funcs:
        span = codewriter._def_span(f)
        lines, start = inspect.getsourcelines(f)
        assert span is not None, f.__qualname__
        assert span[1] == start, f.__qualname__
        assert "".join(span[0]).rstrip() == "".join(lines).rstrip(), f.__qualname__


def test_nested_defs_are_found():
    inner = Outer.twice_decorated.__code__.co_consts
    code = next(c for c in inner if isinstance(c, types.CodeType) and c.co_name == "inner")
    f = types.FunctionType(code, globals())
    node, filename, offset = get_function_ast(f)
    assert node.name == "inner" and filename == __file__
    assert node.lineno + offset == code.co_firstlineno


def test_no_tokenizing_for_a_function_in_a_file(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("inspect.getsourcelines called")
    monkeypatch.setattr(inspect, "getsourcelines", refuse)
    node, filename, offset = get_function_ast(som_interp.Frame.__init__)
    assert node.name == "__init__" and filename == som_interp.__file__
    # parsed where it stands: the file's own line numbers, nothing to add
    assert offset == 0 and node.lineno == som_interp.Frame.__init__.__code__.co_firstlineno


def test_lambda_and_sourceless_functions_keep_their_errors():
    f = lambda x: x  # noqa: E731
    with pytest.raises(Unsupported, match="lambda"):
        get_function_ast(f)
    ns = {}
    exec(compile(textwrap.dedent("""
        def made():
            return 1
    """), "<no file>", "exec"), ns)
    with pytest.raises(Unsupported, match="source code not available"):
        get_function_ast(ns["made"])


def test_the_file_parse_says_nothing_of_other_code(tmp_path, capsys):
    # one parse of the whole file: a warning the parser draws elsewhere in it (an invalid escape) is not printed
    path = tmp_path / "warned.py"
    path.write_text("def fine(x):\n    return x + 1\n\n\ndef odd(x):\n    return '\\d' + x\n")
    import warnings

    ns = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(path.read_text(), str(path), "exec"), ns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        node, filename, offset = get_function_ast(ns["fine"])
    assert node.name == "fine" and offset == 0
    assert [str(w.message) for w in caught] == []
