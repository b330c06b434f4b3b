"""kurilsim's exceptions: each survives pickling, as it crosses from a worker process."""

import importlib
import pickle
import pkgutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kurilsim
from kurilsim.core.errors import InputError, InputProblems, KurilsimError


def _every_error() -> list[type[KurilsimError]]:
    """Every subclass of :class:`KurilsimError` in kurilsim's modules, the base included."""
    for module in pkgutil.walk_packages(kurilsim.__path__, "kurilsim."):
        if not module.name.endswith("__main__"):  # it would run the command
            importlib.import_module(module.name)
    found, waiting = [], [KurilsimError]
    while waiting:
        error = waiting.pop()
        found.append(error)
        waiting.extend(error.__subclasses__())
    return sorted(set(found), key=lambda error: f"{error.__module__}.{error.__qualname__}")


def _input_error() -> st.SearchStrategy[InputError]:
    """Input errors, some naming a file, field and line, as :func:`~kurilsim.core.errors.in_file`
    and :func:`~kurilsim.core.errors.in_field` leave them."""
    return st.builds(
        InputError,
        st.text(min_size=1),
        file=st.none() | st.text(min_size=1),
        field=st.none() | st.text(min_size=1),
        line=st.none() | st.integers(1, 10**6),
    )


#: Errors whose arguments the types of ``__init__`` do not say in full.
_DRAWN = {
    InputError: _input_error(),
    InputProblems: st.builds(InputProblems, st.lists(_input_error(), min_size=1, max_size=3)),
}


def _same(left: object, right: object) -> bool:
    """Whether two values are equal, exceptions by their class, message and attributes."""
    if isinstance(left, BaseException):
        return (
            type(left) is type(right)
            and str(left) == str(right)
            and left.args == right.args
            and _same(vars(left), vars(right))
        )
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, tuple | list):
        return len(left) == len(right) and all(map(_same, left, right))
    return left == right


@pytest.mark.parametrize("error_class", _every_error(), ids=lambda error: error.__qualname__)
@settings(max_examples=30)  # a pickle fails for a class, seldom for a value
@given(data=st.data())
def test_every_error_survives_pickling(error_class, data):
    error = data.draw(_DRAWN.get(error_class, st.builds(error_class)))
    again = pickle.loads(pickle.dumps(error))
    assert _same(again, error)
