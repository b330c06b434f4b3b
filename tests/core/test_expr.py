import contextlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim.core.errors import InputError
from kurilsim.core.expr import ExpressionError, parse_expression
from tests.strategies import expressions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1 + 2 * 3", 7.0, id="precedence"),
        pytest.param("(1 + 2) * 3", 9.0, id="parentheses"),
        pytest.param("2 ** 3 ** 2", 512.0, id="power-right-assoc"),
        pytest.param("-2 ** 2", -4.0, id="unary-minus-binds-looser"),
        pytest.param("7 / 2", 3.5, id="true-division"),
        pytest.param("1 < 2 <= 2", 1.0, id="chained-comparison"),
        pytest.param("3 == 4", 0.0, id="equality"),
        pytest.param("1 and 0", 0.0, id="and"),
        pytest.param("0 or 2", 1.0, id="or-gives-truth"),
        pytest.param("not 0", 1.0, id="not"),
        pytest.param("min(3, 1, 2) + max(4, 5)", 6.0, id="min-max-n-ary"),
        pytest.param("clip(5, 0, 1)", 1.0, id="clip"),
        pytest.param("where(0, 1, 2)", 2.0, id="where"),
        pytest.param("log(exp(2)) + sqrt(9) + abs(-1)", 6.0, id="functions"),
        pytest.param("1e3 + .5", 1000.5, id="number-forms"),
    ],
)
def test_known_values(text, expected):
    assert float(parse_expression(text).evaluate({})) == pytest.approx(expected)


def test_numbers_are_constant_expressions():
    expression = parse_expression(2.5)
    assert expression.is_constant
    assert float(expression.evaluate({})) == 2.5


def test_evaluates_on_arrays_with_broadcasting():
    expression = parse_expression("a * b + where(a > 1, 10, 0)")
    a = np.array([0.0, 1.0, 2.0]).reshape(3, 1)
    b = np.array([1.0, -1.0])
    result = expression.evaluate({"a": a, "b": b})
    assert result.shape == (3, 2)
    np.testing.assert_allclose(result, a * b + np.where(a > 1, 10, 0))


def test_names_are_collected():
    assert parse_expression("x * clip(y, 0, z) - x").names == {"x", "y", "z"}


def test_missing_variable_is_an_input_error():
    with pytest.raises(InputError, match="no value for y"):
        parse_expression("x + y").evaluate({"x": 1})


def test_division_by_zero_gives_inf_without_warning():
    assert math.isinf(float(parse_expression("1 / x").evaluate({"x": 0.0})))


def test_huge_powers_overflow_instead_of_hanging():
    assert math.isinf(float(parse_expression("9 ** 9 ** 9").evaluate({})))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "__import__('os').system('true')", "only the listed functions", id="import-attribute"
        ),
        pytest.param("__import__('os')", "unknown function '__import__'", id="import"),
        pytest.param("x.__class__", "attribute access", id="attribute"),
        pytest.param("x[0]", "subscripting", id="subscript"),
        pytest.param("'text'", "only numbers", id="string"),
        pytest.param("True + 1", "only numbers", id="bool-literal"),
        pytest.param("open('f')", "unknown function 'open'", id="other-call"),
        pytest.param("(lambda: 1)()", "only the listed functions", id="lambda-call"),
        pytest.param("lambda: 1", "lambda", id="lambda"),
        pytest.param("[1, 2]", "List", id="list"),
        pytest.param("x if y else z", "where", id="conditional"),
        pytest.param("7 % 2", "Mod", id="modulo"),
        pytest.param("min(x=1, y=2)", "keyword", id="keywords"),
        pytest.param("clip(1, 2)", "takes 3 arguments", id="arity"),
        pytest.param("max(*x)", "starred", id="starred"),
        pytest.param("1 +", "syntax error", id="syntax"),
        pytest.param("", "empty", id="empty"),
        pytest.param("x" * 5000, "characters long", id="too-long"),
        pytest.param("-" * 200 + "1", "nested more than", id="too-deep"),
    ],
)
def test_rejected_text(text, message):
    with pytest.raises(ExpressionError, match=message):
        parse_expression(text)


def test_error_reports_the_column():
    with pytest.raises(ExpressionError, match=r"column 5"):
        parse_expression("1 + x.y")


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_is_parsed_or_rejected_cleanly(text):
    with contextlib.suppress(ExpressionError):
        parse_expression(text)


@settings(max_examples=200, deadline=None)
@given(expressions, st.floats(-10, 10), st.floats(-10, 10))
def test_random_trees_evaluate_like_python(tree, a, b):
    text, direct = tree
    env = {"a": a, "b": b}
    assert float(parse_expression(text).evaluate(env)) == pytest.approx(
        direct(env), rel=1e-12, abs=1e-9
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("9" * 400, id="integer-too-large-for-a-float"),
        pytest.param("1e400", id="decimal-too-large"),
        pytest.param(10**400, id="python-int"),
        pytest.param(math.nan, id="nan"),
        pytest.param(-math.inf, id="infinity"),
    ],
)
def test_numbers_beyond_floats_are_refused(text):
    with pytest.raises(ExpressionError, match="not finite or lies beyond the range"):
        parse_expression(text)


@pytest.mark.parametrize("text", ["1if a else 0", "2and a", "0x1for"])
def test_text_python_only_warns_about_is_a_syntax_error(text):
    with pytest.raises(ExpressionError, match="syntax error"):
        parse_expression(text)


@pytest.mark.parametrize(
    ("text", "column"),
    [
        pytest.param("  x +* 1", 6, id="syntax-after-blanks"),
        pytest.param("   a.b", 4, id="attribute-after-blanks"),
        pytest.param("a.b", 1, id="attribute"),
    ],
)
def test_columns_count_leading_blanks(text, column):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert info.value.column == column


@pytest.mark.parametrize(("text", "column"), [("1 +", 4), (" stag + ", 8), ("a if", 5), ("#c", 3)])
def test_text_that_ends_too_soon_is_placed_past_its_end(text, column):
    # Python places these at column 0, which is no column of the text.
    with pytest.raises(ExpressionError, match="the expression ends too soon") as info:
        parse_expression(text)
    assert info.value.column == column


@settings(max_examples=60, deadline=None)
@given(expressions, st.floats(-10, 10), st.floats(-10, 10))
def test_arrays_give_each_point_its_own_value_and_stay_unchanged(tree, a, b):
    # A chain of operators works in place on arrays of its own: the same bits as point by
    # point, and the arrays given to it untouched.
    text, _ = tree
    expression = parse_expression(text)
    xs = np.array([[a], [b], [a + b]])
    ys = np.array([b, a, 0.5])
    given_arrays = {"a": xs, "b": ys}
    copies = {name: array.copy() for name, array in given_arrays.items()}
    values = np.broadcast_to(expression.evaluate(given_arrays), (3, 3))
    for i, j in np.ndindex(3, 3):
        one = expression.evaluate({"a": xs[i, 0], "b": ys[j]})
        assert np.array_equal(values[i, j], one, equal_nan=True)
    for name, array in given_arrays.items():
        assert np.array_equal(array, copies[name], equal_nan=True)
