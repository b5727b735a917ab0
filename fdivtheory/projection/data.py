"""Real data sets for the p–n illustration, from copies shipped inside scikit-learn.

Nothing is downloaded: the tables are the CSV files bundled in the
``scikit-learn`` wheel (``sklearn/datasets/data``).  The UCI *Wine Quality* and
*Abalone* tables that Sheena's paper uses are not shipped by any installable
package that works offline, so the illustration uses these instead
(docs/theory/pn_criterion.md, §7):

* ``"wine"``: UCI Wine recognition data (Forina et al.), 178 wines, 13
  continuous chemical measurements (``sklearn.datasets.load_wine``);
* ``"diabetes"``: Efron et al. (2004) diabetes data, 442 patients, the 9
  continuous baseline variables in original units (``sex`` dropped;
  ``load_diabetes(scaled=False)``);
* ``"breast_cancer"``: UCI Breast Cancer Wisconsin (Diagnostic), 569 samples,
  30 continuous features (``load_breast_cancer``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fdivtheory._arguments import choice

__all__ = ["DATASETS", "RealData", "load_real_data"]

DATASETS = ("wine", "diabetes", "breast_cancer")


@dataclass(frozen=True)
class RealData:
    """A real data table: ``values`` (n, d), column ``names``, and where it comes from."""

    name: str
    values: np.ndarray
    columns: tuple[str, ...]
    source: str


def load_real_data(name: str) -> RealData:
    """One of :data:`DATASETS`, read from scikit-learn's bundled copy (no download).

    Raises ``ImportError`` with an install hint when scikit-learn is absent.

    Examples
    --------
    >>> from fdivtheory.projection.data import load_real_data   # doctest: +SKIP
    >>> load_real_data("wine").values.shape                        # doctest: +SKIP
    (178, 13)
    """
    choice(name, "name", DATASETS)
    try:
        import sklearn
        from sklearn import datasets
    except ImportError as exc:
        raise ImportError("the real-data illustration needs scikit-learn (pip install "
                          "scikit-learn); its data sets are read from the installed package, "
                          "never downloaded") from exc
    version = f"scikit-learn {sklearn.__version__}"
    if name == "wine":
        b = datasets.load_wine()
        return RealData(name, np.asarray(b.data, float), tuple(b.feature_names),
                        f"UCI Wine recognition (sklearn.datasets.load_wine, {version})")
    if name == "diabetes":
        b = datasets.load_diabetes(scaled=False)
        keep = [i for i, c in enumerate(b.feature_names) if c != "sex"]
        return RealData(name, np.asarray(b.data, float)[:, keep],
                        tuple(b.feature_names[i] for i in keep),
                        f"Efron et al. diabetes (sklearn.datasets.load_diabetes, {version})")
    b = datasets.load_breast_cancer()
    return RealData(name, np.asarray(b.data, float), tuple(b.feature_names),
                    f"UCI Breast Cancer Wisconsin (sklearn.datasets.load_breast_cancer, "
                    f"{version})")
