"""The pure PSP parser (mod_python._psp_parse): every syntax form, the
indentation rules, escaping, includes, line numbers and syntax errors."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python._psp_parse import (
    PSPSyntaxError,
    compile_page,
    names_used,
    parse,
)


class FakeReq:
    def __init__(self) -> None:
        self.out: list[str] = []

    def write(self, data: str, flush: int = 1) -> None:
        self.out.append(data)


def render(text: str, filename: str | None = None, **names: Any) -> str:
    page = parse(text, filename)
    req = FakeReq()
    exec(compile_page(page), {"req": req, **names})  # noqa: S102
    return "".join(req.out)


def test_plain_text_only():
    assert render("hello\nworld\n") == "hello\nworld\n"


def test_empty_page():
    assert parse("").source == ""
    assert render("") == ""


def test_expression():
    assert render("<p><%= 1 + 2 %></p>") == "<p>3</p>"
    assert render("<%= name %>", name="x") == "x"


def test_multiline_expression_and_comment_inside():
    assert render("<%= (1 +\n  2) # add\n%>!") == "3!"


def test_code_block_statements():
    assert render("<% x = 5 %>x=<%= x %>") == "x=5"


def test_comment_removed():
    assert render("a<%-- <% nothing %> --%>b") == "ab"


def test_one_line_block_indents_following_text():
    out = render("<% for i in range(3): %><%= i %>,<% %>end")
    assert out == "0,1,2,end"


def test_documented_indentation_example():
    text = (
        "<html>\n"
        "<%\n"
        "for n in range(3):\n"
        "    # This indent will persist\n"
        "%>\n"
        "<p>This paragraph will be\n"
        "repeated 3 times.</p>\n"
        "<%\n"
        "# This line will cause the block to end\n"
        "%>\n"
        "This line will only be shown once.<br>\n"
        "</html>\n"
    )
    out = render(text)
    assert out.count("repeated 3 times.") == 3
    assert out.count("only be shown once") == 1


def test_nested_blocks_with_colon_rule():
    text = (
        "<% for i in range(4): %>"
        "<% if i % 2: %>odd<% %>"
    )
    # "<% %>" goes back to the top level: only the if's body is in the loop
    # ... and the loop body is just the if
    assert render(text) == "oddodd"


def test_if_else():
    text = "<% if flag: %>yes<%\nelse:\n%>no<% %>."
    assert render(text, flag=True) == "yes."
    assert render(text, flag=False) == "no."


def test_empty_body_gets_pass():
    assert render("<% if True: %><% %>after") == "after"


def test_multiline_code_keeps_indentation():
    text = "<%\nfor i in range(2):\n    for j in range(2):\n        pass\n%><%= i %><%= j %>;<% %>"
    # after the block the current indentation is 8 spaces (inside both loops)
    assert render(text) == "00;01;10;11;"


def test_declaration_runs_first_at_top_level():
    text = "<% for i in range(2): %><%! COUNT = 10 %><%= COUNT + i %>,<% %>"
    page = parse(text)
    assert page.source.splitlines()[0] == "COUNT = 10"
    assert render(text) == "10,11,"


def test_backslashes_in_text_stay_literal():
    text = r"a\nb \t \d \x41 \\ \"q\" 'single' " + '"double"'
    assert render(text) == text


def test_quotes_and_triple_quotes_in_text():
    text = "'''\"\"\" it's \"fine\""
    assert render(text) == text


def test_non_ascii_text():
    assert render("caf\u00e9 \u20ac <%= '\u00fc' %>") == "caf\u00e9 \u20ac \u00fc"


def test_crlf_and_cr_line_endings():
    assert render("a\r\nb\rc<%= 1 %>") == "a\r\nb\rc1"
    page = parse("x\r\ny\r<%= boom %>")
    with pytest.raises(NameError) as info:
        exec(compile_page(page), {"req": FakeReq()})  # noqa: S102
    assert traceback.extract_tb(info.value.__traceback__)[-1].lineno == 3


def test_percent_gt_in_text_is_text():
    assert render("50%> of <b>") == "50%> of <b>"


def test_include(tmp_path: Path):
    (tmp_path / "inc.psp").write_text("included <%= value %>\n")
    main = tmp_path / "main.psp"
    main.write_text('<% value = 7 %>top\n<%@ include file="inc.psp" %>bottom')
    page = parse(main.read_text(), str(main))
    assert page.includes == [str(tmp_path / "inc.psp")]
    req = FakeReq()
    exec(compile_page(page), {"req": req})  # noqa: S102
    assert "".join(req.out) == "top\nincluded 7\nbottom"


def test_include_missing_file_is_syntax_error(tmp_path: Path):
    main = tmp_path / "main.psp"
    with pytest.raises(PSPSyntaxError) as info:
        parse('line1\n<%@ include file="nope.psp" %>', str(main))
    assert info.value.lineno == 2
    assert "nope.psp" in str(info.value)


def test_include_cycle_is_bounded(tmp_path: Path):
    loop = tmp_path / "loop.psp"
    loop.write_text('x<%@ include file="loop.psp" %>')
    with pytest.raises(PSPSyntaxError, match="nested deeper"):
        parse(loop.read_text(), str(loop))


def test_unsupported_directive():
    with pytest.raises(PSPSyntaxError, match="unsupported directive"):
        parse('<%@ page language="python" %>')


def test_unterminated_code_names_opening_line():
    with pytest.raises(PSPSyntaxError) as info:
        parse("a\nb\n<% x = 1\nc\n", "page.psp")
    assert info.value.lineno == 3
    assert str(info.value).startswith("page.psp:3: ")


def test_unterminated_comment():
    with pytest.raises(PSPSyntaxError, match="unterminated comment"):
        parse("a <%-- b")


def test_empty_expression():
    with pytest.raises(PSPSyntaxError, match="empty expression"):
        parse("<%=  %>")


def test_python_syntax_error_names_psp_line():
    page = parse("line 1\nline 2\n<% x = = 1 %>\nline 4\n", "bad.psp")
    with pytest.raises(PSPSyntaxError) as info:
        compile_page(page)
    assert info.value.lineno == 3
    assert info.value.filename == "bad.psp"
    assert str(info.value).startswith("bad.psp:3: ")
    assert isinstance(info.value, SyntaxError)


def test_syntax_error_in_include_names_included_file(tmp_path: Path):
    (tmp_path / "inc.psp").write_text("ok\n<% if %>\n")
    main = tmp_path / "main.psp"
    page = parse('<%@ include file="inc.psp" %>', str(main))
    with pytest.raises(PSPSyntaxError) as info:
        compile_page(page)
    assert info.value.filename == str(tmp_path / "inc.psp")
    assert info.value.lineno == 2


def test_traceback_lines_point_into_psp():
    text = "line 1\n<% a = 1 %>\nline 3\n\n<%= undefined_name %>\n"
    page = parse(text, "page.psp")
    with pytest.raises(NameError) as info:
        exec(compile_page(page), {"req": FakeReq()})  # noqa: S102
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert frame.filename == "page.psp"
    assert frame.lineno == 5


def test_traceback_in_multiline_block():
    text = "<%\nx = 1\ny = 2\nraise ValueError('boom')\n%>"
    with pytest.raises(ValueError) as info:
        exec(compile_page(parse(text, "p.psp")), {"req": FakeReq()})  # noqa: S102
    assert traceback.extract_tb(info.value.__traceback__)[-1].lineno == 4


def test_names_used_finds_session_and_form():
    code = compile_page(parse("<% def f():\n    return session %><%= form %>"))
    names = names_used(code)
    assert "session" in names and "form" in names
    assert "session" not in names_used(compile_page(parse("no session here")))


def test_generated_source_is_readable():
    src = parse('<p><%= x %></p>').source
    assert src == "req.write('<p>', 0)\nreq.write(str(x), 0)\nreq.write('</p>', 0)\n"


# -- merged writes (compile_page) ------------------------------------------

def _calls(text: str, **names: Any) -> list[str]:
    req = FakeReq()
    exec(compile_page(parse(text, "m.psp")), {"req": req, **names})  # noqa: S102
    return req.out


def test_text_and_simple_expressions_go_out_in_one_write():
    out = _calls("<p><%= x %> and <%= n %></p>", x="a", n=3)
    assert out == ["<p>a and 3</p>"]


def test_merge_stops_at_code_blocks():
    out = _calls("a<%= x %><% req.write('!') %>b<%= x %>", x="x")
    assert out == ["ax", "!", "bx"]


def test_non_str_value_keeps_order_of_side_effects():
    class Nested:
        def __init__(self, req: FakeReq) -> None:
            self.req = req

        def __str__(self) -> str:   # like str(PSP): writes, returns ""
            self.req.write("[nested]", 0)
            return ""

    req = FakeReq()
    code = compile_page(parse("before <%= obj %> after", "m.psp"))
    exec(code, {"req": req, "obj": Nested(req)})  # noqa: S102
    assert "".join(req.out) == "before [nested] after"
    assert req.out[:2] == ["before ", "[nested]"]


def test_non_str_value_is_evaluated_once():
    class Counter:
        reads = 0

        @property
        def price(self) -> float:
            Counter.reads += 1
            return 9.5

    out = _calls("a<%= c.price %>b<%= n %>c", c=Counter(), n=3)
    assert "".join(out) == "a9.5b3c"
    assert Counter.reads == 1


def test_other_values_use_str():
    assert "".join(_calls("<%= v %>|<%= b %>|<%= f %>", v=None, b=True,
                          f=1.5)) == "None|True|1.5"


def test_exception_in_merged_run_keeps_partial_output_and_line():
    req = FakeReq()
    code = compile_page(parse("head\n<%= x %>\n<%= missing.attr %>\ntail", "m.psp"))
    with pytest.raises(NameError) as info:
        exec(code, {"req": req, "x": "X"})  # noqa: S102
    assert "".join(req.out) == "head\nX\n"
    assert info.value.__context__ is None
    frames = traceback.extract_tb(info.value.__traceback__)
    assert frames[-1].filename == "m.psp" and frames[-1].lineno == 3


def test_calls_are_not_merged():
    out = _calls("a<%= f() %>b", f=lambda: "F")
    assert out == ["a", "F", "b"]


def test_page_rebinding_str_is_not_merged():
    out = _calls("<% str = repr %>a<%= x %>b", x="x")
    assert out == ["a", "'x'", "b"]


def test_merged_runs_inside_blocks():
    out = _calls("<% for i in range(2): %>[<%= i %>]<% %>.")
    assert out == ["[0]", "[1]", "."]
