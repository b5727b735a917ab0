"""Sphinx configuration of the fdivtheory documentation.

Build (from the repository root)::

    pip install -e ".[docs]"
    sphinx-build -W -b html docs docs/_build/html

At build time :mod:`docs._generate` writes the pages that come from the code:
the command-line reference (``--help`` of every simulation) and the figure
gallery (every figure of ``python -m paper_figures``, drawn from quick runs of
the simulations into ``docs/_build/gallery-results``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _generate  # noqa: E402

project = "fdivtheory"
author = "the fdivtheory developers"
copyright = "2026, the fdivtheory developers"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_generate.py", "**/.ipynb_checkpoints"]

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# Notebooks are stored without outputs and executed while the site is built.
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True

autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()

html_theme = "pydata_sphinx_theme"
html_title = "fdivtheory"
html_static_path: list[str] = []
html_theme_options = {"navigation_depth": 3, "show_toc_level": 2}


def setup(app):  # noqa: D103
    app.connect("builder-inited", lambda app: _generate.all_pages(HERE))
