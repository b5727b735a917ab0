"""Shared fixtures."""

import pytest

from fdivtheory._backend import generic_path


@pytest.fixture(params=["numba", "generic"])
def path(request):
    """Run a test on the fused numba kernels and on the generic array-API code path."""
    if request.param == "generic":
        with generic_path():
            yield request.param
    else:
        yield request.param
