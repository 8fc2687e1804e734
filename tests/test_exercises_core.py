"""The shared exercise checker: it accepts a correct function and explains a wrong one."""

import numpy as np
import pytest
import torch

from tutorial_lib.exercises import check_function

CASES = [{"x": torch.tensor([1.0, -2.0, 3.0])}, {"x": torch.zeros(2, 2)}]


def reference(x):
    return 2 * x + 1


def test_correct_function_passes(capsys):
    assert check_function(lambda x: 1 + x * 2, reference, CASES, name="affine") == 2
    assert "all 2 cases match" in capsys.readouterr().out


def test_wrong_values_name_the_input_and_the_difference():
    with pytest.raises(AssertionError) as info:
        check_function(lambda x: 2 * x, reference, CASES, name="affine")
    message = str(info.value)
    assert "case 1 failed" in message and "input: x=tensor(shape=(3,)" in message
    assert "expected 3, got 2" in message


def test_wrong_shape_and_type_are_explained():
    with pytest.raises(AssertionError, match="expected shape"):
        check_function(lambda x: (2 * x + 1).flatten()[:1], reference, CASES, name="affine")
    with pytest.raises(AssertionError, match="expected a torch.Tensor"):
        check_function(lambda x: (2 * x + 1).numpy(), reference, CASES, name="affine")
    with pytest.raises(AssertionError, match="non-finite"):
        check_function(lambda x: x * np.nan, reference, CASES, name="affine")


def test_unwritten_exercise_is_reported():
    def todo(x):
        raise NotImplementedError

    with pytest.raises(AssertionError, match="not written yet"):
        check_function(todo, reference, CASES, name="affine")


def test_tuples_are_compared_elementwise():
    ref = lambda x: (x, x.sum())
    check_function(lambda x: (x.clone(), x.sum()), ref, CASES, name="pair")
    with pytest.raises(AssertionError, match=r"output\[1\]"):
        check_function(lambda x: (x, x.sum() + 1), ref, CASES, name="pair")


def test_bad_arguments():
    with pytest.raises(TypeError):
        check_function(None, reference, CASES, name="affine")
    with pytest.raises(ValueError, match="at least one case"):
        check_function(reference, reference, [], name="affine")
