from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from domain.errors import DomainError
from domain.filters import Filter, FilterSyntaxError, compile_filter
from domain.filters.nodes import And, Comparison, Not, Or

GUID = "a455c695-df98-5678-aaaa-81d3367e5a34"
OPERATOR = "expected a comparison operator (eq, ne, gt, ge, lt, le)"


def constant_of(text):
    comparison = compile_filter(f"x eq {text}").root
    assert isinstance(comparison, Comparison)
    return comparison.right.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("null", None),
        ("true", True),
        ("false", False),
        ("'plain'", "plain"),
        ("'it''s'", "it's"),
        ("''", ""),
        ("''''", "'"),
        ("'a eq 1 and (b'", "a eq 1 and (b"),
        ("123", 123),
        ("-5", -5),
        ("0", 0),
        ("8589934612", 8589934612),
        ("123L", 123),
        ("-9223372036854775808l", -(2**63)),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("2.5E-2", 0.025),
        ("-1.5e+2", -150.0),
        ("1.5d", 1.5),
        ("2D", 2.0),
        ("1.5m", Decimal("1.5")),
        ("-0.10M", Decimal("-0.10")),
        ("1e3m", Decimal("1e3")),
        ("datetime'2008-07-10T00:00:00Z'", datetime(2008, 7, 10, tzinfo=UTC)),
        ("datetime'2008-07-10T00:00:00.1234567Z'", datetime(2008, 7, 10, 0, 0, 0, 123456, UTC)),
        ("datetime'2008-07-10T10:30'", datetime(2008, 7, 10, 10, 30)),
        (
            "datetimeoffset'2008-07-10T02:00:00+02:00'",
            datetime(2008, 7, 10, 2, tzinfo=timezone(timedelta(hours=2))),
        ),
        (f"guid'{GUID}'", UUID(GUID)),
        (f"guid'{GUID.upper()}'", UUID(GUID)),
        (GUID, UUID(GUID)),
    ],
)
def test_each_literal_decodes_to_its_python_value_and_type(text, expected):
    value = constant_of(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("expression", "fields"),
    [
        ("a eq 1", {"a"}),
        ("_msdyn_company_value ne null", {"_msdyn_company_value"}),
        ("'x' eq name", {"name"}),
        ("order/msdyn_company eq 'c1' and qty gt 0", {"order/msdyn_company", "qty"}),
        ("a eq 1 or (b eq 2 and not a lt 0)", {"a", "b"}),
        ("nota eq 1 and android eq true and guid eq 1 and datetime eq 2", None),
    ],
)
def test_fields_lists_every_identifier_referenced(expression, fields):
    expected = fields or {"nota", "android", "guid", "datetime"}
    assert compile_filter(expression).fields == frozenset(expected)


@pytest.mark.parametrize(
    ("expression", "position", "reason"),
    [
        ("", 0, "empty filter"),
        ("   \t ", 0, "empty filter"),
        ("a eq 'abc", 5, "unterminated string literal"),
        ("a eq 'it''s", 5, "unterminated string literal"),
        ("a eq 1 # b", 7, "unexpected character '#'"),
        ("a eq -x", 5, "unexpected character '-'"),
        ("a/ eq 1", 1, "unexpected character '/'"),
        ("a eq", 4, "expected a field or a literal"),
        ("eq 1", 0, "expected a field, a literal or '('"),
        ("a eq 1 and", 10, "expected a field, a literal or '('"),
        ("not", 3, "expected a field, a literal or '('"),
        ("a 1", 2, OPERATOR),
        ("a", 1, OPERATOR),
        ("a eq b", 5, "expected a literal"),
        ("a eq 1 b eq 2", 7, "unexpected trailing input"),
        ("(a eq 1", 0, "unbalanced parenthesis: '(' is never closed"),
        ("((a eq 1) or b eq 2", 0, "unbalanced parenthesis: '(' is never closed"),
        ("a eq 1)", 6, "unbalanced parenthesis: ')' has no matching '('"),
        ("(a eq 1 b eq 2)", 8, "expected 'and', 'or' or ')'"),
        ("()", 1, "expected a field, a literal or '('"),
        ("a eq 1 AND b eq 2", 7, "keywords are lower-case: write 'and'"),
        ("a EQ 1", 2, "keywords are lower-case: write 'eq'"),
        ("Not a eq 1", 0, "keywords are lower-case: write 'not'"),
        ("a eq NULL", 5, "keywords are lower-case: write 'null'"),
        ("a eq True", 5, "keywords are lower-case: write 'true'"),
        ("1 eq 1", 0, "filter must reference at least one field"),
        ("'a' ne null or 2 gt 1", 0, "filter must reference at least one field"),
        ("a eq 1.5L", 5, "invalid number literal"),
        ("a eq 9223372036854775808L", 5, "invalid number literal"),
        ("a eq 1e999", 5, "invalid number literal"),
        ("a eq 12abc", 5, "invalid number literal"),
        ("a eq 1.2.3", 5, "invalid number literal"),
        ("a eq 1.", 5, "invalid number literal"),
        ("a eq guid'not-a-guid'", 5, "invalid guid literal"),
        ("a eq guid'{a455c695-df98-5678-aaaa-81d3367e5a34}'", 5, "invalid guid literal"),
        ("a eq datetime'2008-13-10T00:00:00Z'", 5, "invalid datetime literal"),
        ("a eq datetime'2008-07-10'", 5, "invalid datetime literal"),
        ("a eq datetime'yesterday'", 5, "invalid datetime literal"),
        ("a eq datetime'2008-07-10T00:00:00Z", 13, "unterminated string literal"),
    ],
)
def test_bad_syntax_names_the_position(expression, position, reason):
    with pytest.raises(FilterSyntaxError) as caught:
        compile_filter(expression)
    error = caught.value
    assert (error.position, error.reason, error.expression) == (position, reason, expression)
    assert str(error).startswith(f"{reason} at position {position}: ")


def test_syntax_errors_are_domain_errors_with_a_readable_message():
    with pytest.raises(DomainError, match=r"^expected a literal at position 19: 'other_field'$"):
        compile_filter("msdyn_ordertype eq other_field")


def test_the_message_shortens_long_input_and_names_the_end():
    with pytest.raises(FilterSyntaxError, match=r"'b{30}'\.\.\.$"):
        compile_filter("a eq 1 " + "b" * 100)
    with pytest.raises(FilterSyntaxError, match="end of input$"):
        compile_filter("a eq")


def test_overlong_expressions_are_refused():
    text = "a eq '" + "x" * 4089 + "'"
    assert len(compile_filter(text).expression) == 4096
    with pytest.raises(FilterSyntaxError, match="longer than 4096") as caught:
        compile_filter(text + " ")
    assert caught.value.position == 4096


@pytest.mark.parametrize(("opener", "closer"), [("(", ")"), ("not ", "")])
def test_nesting_is_capped_at_64_levels(opener, closer):
    assert isinstance(compile_filter(opener * 64 + "a eq 1" + closer * 64), Filter)
    with pytest.raises(FilterSyntaxError, match="deeper than 64") as caught:
        compile_filter(opener * 65 + "a eq 1" + closer * 65)
    assert caught.value.position == 64 * len(opener)


def test_long_and_chains_are_flat_not_deep():
    root = compile_filter(" and ".join(f"f{i} eq {i}" for i in range(200))).root
    assert isinstance(root, And)
    assert len(root.operands) == 200


@pytest.mark.parametrize(
    ("expression", "shape"),
    [
        ("a eq 1 or b eq 2 and c eq 3", (Or, Comparison, And)),
        ("(a eq 1 or b eq 2) and c eq 3", (And, Or, Comparison)),
        ("not a eq 1 and b eq 2", (And, Not, Comparison)),
        ("not (a eq 1 and b eq 2)", (Not, And, None)),
    ],
)
def test_precedence_is_not_then_and_then_or(expression, shape):
    root = compile_filter(expression).root
    top, first, second = shape
    assert isinstance(root, top)
    children = (root.operand,) if isinstance(root, Not) else root.operands
    assert isinstance(children[0], first)
    if second is not None:
        assert isinstance(children[1], second)


def test_compiling_is_cached_by_text():
    text = "cached_field eq 'x'"
    assert compile_filter(text) is compile_filter(text)
    assert compile_filter(text) is not compile_filter(text + " ")
    assert compile_filter(text).expression == text


@pytest.mark.parametrize(
    "expression",
    ["a eq 1", "  a   eq\t1  ", "(a eq 1)", "a eq'x'", "'x'eq a", "a\neq\n1"],
)
def test_whitespace_is_free_between_tokens_and_expression_is_kept_verbatim(expression):
    assert compile_filter(expression).expression == expression
