"""Where a number came from: package versions and the git revision.

Stored beside every simulation result (:mod:`fdivtheory.sweep`) and printed in
the verification report (``python -m simulations.verify``), so that a number
can be traced to the code that produced it.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

__all__ = ["provenance"]


def _version(dist: str, module: str) -> str | None:
    mod = sys.modules.get(module)
    version = getattr(mod, "__version__", None)
    if version is None:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None
    return str(version)


def _git_revision() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5)
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=here, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def provenance() -> dict[str, str | None]:
    """Versions of Python, NumPy, SciPy and fdivtheory, and the git revision (if any)."""
    import scipy  # noqa: F401  (imported so that its version is read from the module)

    return {"python": platform.python_version(), "numpy": np.__version__,
            "scipy": _version("scipy", "scipy"), "fdivtheory": _version("fdivtheory", "fdivtheory"),
            "git_revision": _git_revision()}
