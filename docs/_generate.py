"""Pages of the documentation that are generated from the code at build time.

Written under ``docs/generated/`` (not tracked by git):

* ``cli.md``: the ``--help`` of ``python -m simulations.verify``, of every
  simulation and of ``python -m paper_figures``;
* ``gallery.md`` and ``gallery/``: every figure that ``python -m paper_figures``
  draws, from **quick runs** of the simulations made during the build (results in
  ``docs/_build/gallery-results``, reused by the next build);
* ``notebooks/``: copies of ``notebooks/*.ipynb`` (stored without outputs; Sphinx
  executes them while it builds);
* ``closed_form_pairs.inc``: the table of registered closed forms
  (``fdivtheory.closed_form.supported_pairs()``), included by
  ``theory/closed_form.md`` (the ``.inc`` suffix keeps Sphinx from reading it as a page).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> str:
    env = {**os.environ, "MPLBACKEND": "Agg", "COLUMNS": "100"}
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"python {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return done.stdout


def _simulation_names() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from simulations.__main__ import names

    return names()


def cli_page(out: Path) -> None:
    """``generated/cli.md``: the command-line reference."""
    parts = ["# Command-line reference\n",
             "Generated at build time from each command's `--help`.\n",
             "## `python -m simulations.verify`\n", "```text", _run("-m", "simulations.verify",
                                                                    "--help").rstrip(), "```\n"]
    for name in _simulation_names():
        parts += [f"## `python -m simulations.{name}`\n", "```text",
                  _run("-m", f"simulations.{name}", "--help").rstrip(), "```\n"]
    parts += ["## `python -m paper_figures`\n", "```text",
              _run("-m", "paper_figures", "--help").rstrip(), "```\n"]
    (out / "cli.md").write_text("\n".join(parts))


def gallery_page(out: Path) -> None:
    """``generated/gallery.md``: every registered figure, from quick runs."""
    results = ROOT / "docs" / "_build" / "gallery-results"
    figures = out / "gallery"
    _run("-m", "paper_figures", "--results", str(results), "--out", str(figures),
         "--no-progress")
    parts = ["# Figure gallery\n",
             "Every figure that `python -m paper_figures` draws, regenerated while this site "
             "was built from **quick runs** of the simulations (`--quick`: small grids and few "
             "replicates, so error bars are wider than in a full run). Full-size figures: "
             "`python -m simulations.<name>` then `python -m paper_figures <name>`.\n"]
    for png in sorted(figures.glob("*.png")):
        parts += [f"## {png.stem}\n", f"![{png.stem}](gallery/{png.name})\n",
                  f"[PDF](gallery/{png.stem}.pdf)\n" if png.with_suffix(".pdf").exists() else ""]
    (out / "gallery.md").write_text("\n".join(parts))


def notebooks(out: Path) -> None:
    """Copy the notebooks (executed by myst-nb during the build)."""
    dest = out / "notebooks"
    dest.mkdir(exist_ok=True)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy2(nb, dest / nb.name)


def closed_form_table(out: Path) -> None:
    """``generated/closed_form_pairs.inc``: what the closed-form registry holds."""
    table = _run("-c", "from fdivtheory.closed_form import supported_pairs; "
                       "print(supported_pairs())")
    (out / "closed_form_pairs.inc").write_text(table)


def all_pages(docs: Path) -> None:
    """Write every generated page under ``docs/generated``."""
    out = docs / "generated"
    out.mkdir(exist_ok=True)
    # autosummary rewrites the API pages on every build; pages of modules that no longer
    # exist must not survive from an earlier build
    shutil.rmtree(out / "api", ignore_errors=True)
    cli_page(out)
    closed_form_table(out)
    gallery_page(out)
    notebooks(out)
