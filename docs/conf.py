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

import functools
import inspect
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
autosummary_imported_members = True  # the packages' re-exports; third-party ones: _foreign
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()

html_theme = "pydata_sphinx_theme"
html_title = "fdivtheory"
html_static_path: list[str] = []
html_theme_options = {"navigation_depth": 3, "show_toc_level": 2}


def _class_directive():
    from sphinx.domains.python import PyClasslike

    class PublicNameClass(PyClasslike):
        """``py:class`` / ``py:exception`` registered under the documented name only.

        autodoc adds ``:canonical: <defining module>.<name>`` to a class documented where it
        is re-exported; a class re-exported by two packages (``Generator``, by
        ``fdivtheory`` and by ``fdivtheory.generators``) then registers that canonical name
        twice, a "duplicate object description".  Every public module has its own page,
        where the class is documented under its defining name anyway.
        """

        def run(self):
            self.options.pop("canonical", None)
            return super().run()

    return PublicNameClass


def _foreign(app, what, name, obj, skip, options):
    """Skip classes and functions defined outside fdivtheory (e.g. ``functools.partial``
    imported by a module): autosummary would list them with their own docstrings."""
    if inspect.isclass(obj) or inspect.isroutine(obj) or isinstance(obj, functools.partial):
        module = getattr(obj, "__module__", None) or ""
        if not (module == "fdivtheory" or module.startswith("fdivtheory.")):
            return True
    return None


def setup(app):  # noqa: D103
    app.connect("autodoc-skip-member", _foreign)
    for objtype in ("class", "exception"):
        app.add_directive_to_domain("py", objtype, _class_directive(), override=True)
    # before autosummary (priority 500) writes the API pages into docs/generated/api
    app.connect("builder-inited", lambda app: _generate.all_pages(HERE), priority=10)
