"""fdivtheory: f-divergences in machine learning, as code that can be checked.

Conventions (argument order p first, the zero/support rule, units, invalid
input) are documented in :mod:`fdivtheory.divergence` and in the README.

>>> import fdivtheory as fd
>>> round(float(fd.kl([0.5, 0.5], [0.9, 0.1])), 6)
0.510826
"""

from fdivtheory import closed_form, inequalities, variational
from fdivtheory.divergence import (
    chi2,
    chi2_log,
    f_divergence,
    f_divergence_log,
    hellinger,
    hellinger_log,
    hellinger_sq,
    hellinger_sq_log,
    hockey_stick,
    jeffreys,
    jeffreys_log,
    js,
    js_distance,
    js_distance_log,
    js_log,
    kl,
    kl_log,
    le_cam,
    le_cam_log,
    neyman_chi2,
    neyman_chi2_log,
    power_divergence,
    reverse_kl,
    reverse_kl_log,
    tv,
    tv_log,
)
from fdivtheory.generators import (
    Generator,
    available_generators,
    get_generator,
    power_family,
    register_generator,
)
from fdivtheory.renyi import (
    bhattacharyya,
    bhattacharyya_coefficient,
    chernoff_information,
    hellinger_integral,
    renyi,
    renyi_cross_entropy,
    renyi_entropy,
)

__version__ = "0.1.0"

__all__ = [
    "Generator",
    "available_generators",
    "bhattacharyya",
    "bhattacharyya_coefficient",
    "chernoff_information",
    "chi2",
    "chi2_log",
    "closed_form",
    "f_divergence",
    "f_divergence_log",
    "get_generator",
    "hellinger",
    "hellinger_integral",
    "hellinger_log",
    "hellinger_sq",
    "hellinger_sq_log",
    "hockey_stick",
    "inequalities",
    "jeffreys",
    "jeffreys_log",
    "js",
    "js_distance",
    "js_distance_log",
    "js_log",
    "kl",
    "kl_log",
    "le_cam",
    "le_cam_log",
    "neyman_chi2",
    "neyman_chi2_log",
    "power_divergence",
    "power_family",
    "register_generator",
    "renyi",
    "renyi_cross_entropy",
    "renyi_entropy",
    "reverse_kl",
    "reverse_kl_log",
    "tv",
    "tv_log",
    "variational",
]
