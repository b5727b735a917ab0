r"""Strong data-processing inequalities and layer-wise generalization bounds.

Implements, in derived and numerically checked form, the results announced by
H. He, C. L. Yu and Z. Goldfeld, *Information-Theoretic Generalization Bounds
for Deep Neural Networks* (arXiv:2404.03176; IEEE Trans. Inf. Theory 2025):
hierarchical KL and Wasserstein bounds over the layers of a network, their
linear-Gaussian expressions, and their refinement by the contraction
coefficients of Dropout, DropConnect and Gaussian-noise layers.  The paper's
body was not available: every statement here is the library's own derivation
(docs/theory/sdpi.md), with the plausible variants behind flags.

Conventions: natural logarithms; a channel is a row-stochastic matrix with
**rows as inputs**; the input-dependent coefficient :math:`\eta(P_X, K)` has
:math:`P_X` as the second divergence argument; dropout ``p`` is the **drop**
probability (PyTorch).

>>> from fdivtheory.sdpi import bsc, eta_tv, eta_kl, z_channel
>>> round(eta_tv(bsc(0.1)), 12), round(eta_kl(bsc(0.1)), 12)
(0.8, 0.64)
>>> round(eta_kl(z_channel(0.4), [0.5, 0.5]), 9)   # strictly above rho_m^2 = 3/7
0.514573173
"""

from ._common import Coefficient
from .channels import (
    AWGN,
    BinaryInputAWGN,
    awgn,
    bec,
    binary_asymmetric,
    binary_asymmetric_eta_kl,
    binary_input_awgn,
    bsc,
    erasure_product,
    product_channel,
    q_ary_symmetric,
    q_ary_symmetric_eta_kl,
    z_channel,
)
from .contraction_bounds import (
    contraction_refined_bound,
    deeper_narrower,
    finite_parameter_bound,
    gibbs_bound,
    gibbs_mutual_information_bound,
)
from .f_coefficient import eta_f
from .finite_network import (
    FiniteNetwork,
    HierarchicalKLBound,
    NetworkAnalysis,
    analyse_network,
    hierarchical_kl_bound,
)
from .kl_coefficient import eta_kl
from .layers import (
    ChainedCoefficient,
    FiniteLayerChannel,
    GaussianLayer,
    chain_input_dependent,
    dropconnect_channel,
    dropconnect_eta,
    dropout_channel,
    dropout_eta,
    dropout_gaussian_ratio,
    gaussian_injection,
    gaussian_injection_eta_tv_bound,
    gaussian_norm_bound,
    gaussian_post_activation_bound,
    network_coefficient,
)
from .linear_gaussian import (
    LinearGaussianBounds,
    linear_gaussian_bounds,
    linear_gaussian_kl,
    linear_gaussian_monte_carlo,
    linear_gaussian_w2_squared,
)
from .tv_chi2 import eta_chi2, eta_tv, maximal_correlation
from .wasserstein import (
    WassersteinBound,
    finite_network_wasserstein_bound,
    wasserstein1_empirical,
    wasserstein_bound,
)

__all__ = [
    "AWGN",
    "BinaryInputAWGN",
    "ChainedCoefficient",
    "Coefficient",
    "FiniteLayerChannel",
    "FiniteNetwork",
    "GaussianLayer",
    "HierarchicalKLBound",
    "LinearGaussianBounds",
    "NetworkAnalysis",
    "WassersteinBound",
    "analyse_network",
    "awgn",
    "bec",
    "binary_asymmetric",
    "binary_asymmetric_eta_kl",
    "binary_input_awgn",
    "bsc",
    "chain_input_dependent",
    "contraction_refined_bound",
    "deeper_narrower",
    "dropconnect_channel",
    "dropconnect_eta",
    "dropout_channel",
    "dropout_eta",
    "dropout_gaussian_ratio",
    "erasure_product",
    "eta_chi2",
    "eta_f",
    "eta_kl",
    "eta_tv",
    "finite_network_wasserstein_bound",
    "finite_parameter_bound",
    "gaussian_injection",
    "gaussian_injection_eta_tv_bound",
    "gaussian_norm_bound",
    "gaussian_post_activation_bound",
    "gibbs_bound",
    "gibbs_mutual_information_bound",
    "hierarchical_kl_bound",
    "linear_gaussian_bounds",
    "linear_gaussian_kl",
    "linear_gaussian_monte_carlo",
    "linear_gaussian_w2_squared",
    "maximal_correlation",
    "network_coefficient",
    "product_channel",
    "q_ary_symmetric",
    "q_ary_symmetric_eta_kl",
    "wasserstein1_empirical",
    "wasserstein_bound",
    "z_channel",
]
