"""Warnings fail tests (`filterwarnings = ["error"]` in pyproject.toml): a deprecation Keel
triggers, or a misconfiguration a library warns about, is fixed where it starts instead of
scrolling past in the test output."""

import warnings

import pytest


def test_a_warning_raised_in_a_test_is_an_error() -> None:
    with pytest.raises(DeprecationWarning, match="old argument"):
        warnings.warn("old argument", DeprecationWarning, stacklevel=1)
