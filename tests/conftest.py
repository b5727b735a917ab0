"""Shared fixtures."""

import pytest


@pytest.fixture(params=["numba", "generic"])
def path(request, monkeypatch):
    """Run a test on the fused numba kernels and on the generic array-API code path."""
    if request.param == "generic":
        monkeypatch.setenv("FDIVTHEORY_DISABLE_NUMBA", "1")
    return request.param
