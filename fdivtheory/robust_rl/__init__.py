"""Robust regularised offline RL with linearly structured f-divergence regularisation.

Tang, Liu & Xu, "Robust offline reinforcement learning with linearly structured
f-divergence regularization", ICML 2025 (arXiv:2411.18612): the d-rectangular linear
robust regularised MDP (d-RRMDP), its inner problem in closed / dual form, exact planning,
the R2PVI learner and its baselines (PEVI, DRPVI, DRVI-L), and the suboptimality bound.
Theory, conventions and reference values: docs/theory/robust_rl.md.
"""

from fdivtheory.robust_rl import envs
from fdivtheory.robust_rl.bounds import (
    SuboptimalityBound,
    beta_constant,
    suboptimality_bound,
    uncertainty_function,
)
from fdivtheory.robust_rl.duals import KLConstrained, dual_value, kl_constrained, worst_case
from fdivtheory.robust_rl.envs import (
    AmericanPutOption,
    FiniteLinearRRMDP,
    OfflineDataset,
    SimulatedLinearMDP,
    random_linear_rrmdp,
    tabular_rrmdp,
)
from fdivtheory.robust_rl.learners import (
    PAPER,
    REFERENCE,
    Conventions,
    LearnedPolicy,
    drpvi,
    drvi_l,
    pevi,
    r2pvi,
)
from fdivtheory.robust_rl.planning import (
    PolicyValue,
    RobustPlan,
    TabularPolicy,
    evaluate,
    greedy,
    plan,
)

__all__ = [
    "PAPER",
    "REFERENCE",
    "AmericanPutOption",
    "Conventions",
    "FiniteLinearRRMDP",
    "KLConstrained",
    "LearnedPolicy",
    "OfflineDataset",
    "PolicyValue",
    "RobustPlan",
    "SimulatedLinearMDP",
    "SuboptimalityBound",
    "TabularPolicy",
    "beta_constant",
    "drpvi",
    "drvi_l",
    "dual_value",
    "envs",
    "evaluate",
    "greedy",
    "kl_constrained",
    "pevi",
    "plan",
    "r2pvi",
    "random_linear_rrmdp",
    "suboptimality_bound",
    "tabular_rrmdp",
    "uncertainty_function",
    "worst_case",
]
