r"""Standard channels and their closed-form contraction coefficients.

Finite channels are row-stochastic matrices (rows are inputs).  Closed forms
(docs/theory/sdpi.md, §3; each verified symbolically in
:mod:`fdivtheory.sdpi.symbolic` and numerically by the optimiser):

========================  ===========================  ==========================================
channel                   :math:`\eta_{TV}`            :math:`\eta_{KL} = \eta_{\chi^2}` (sup)
========================  ===========================  ==========================================
BSC(δ)                    :math:`|1-2δ|`               :math:`(1-2δ)^2`
BEC(ε)                    :math:`1-ε`                  :math:`1-ε`
Z(ε)                      :math:`1-ε`                  :math:`1-ε` (not attained)
[[1-a, a], [b, 1-b]]      :math:`|1-a-b|`              :math:`(\sqrt{(1-a)(1-b)}-\sqrt{ab})^2`
q-ary symmetric (δ)       :math:`|1-qδ/(q-1)|`         :math:`(q-1-qδ)^2/((q-1)(q-1-(q-2)δ))`
erasure product EC^n      :math:`1-ε^n`                :math:`1-ε^n`
========================  ===========================  ==========================================

The continuous channels :func:`awgn` and :func:`binary_input_awgn` are objects
that :func:`~fdivtheory.sdpi.eta_tv`, :func:`~fdivtheory.sdpi.eta_chi2` and
:func:`~fdivtheory.sdpi.eta_kl` accept in place of a matrix; their
coefficients come from Φ and from quadrature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate
from scipy.optimize import minimize_scalar
from scipy.special import ndtr

from fdivtheory._arguments import channel, positive, probability

from ._common import Coefficient
from ._validation import input_law

__all__ = [
    "AWGN",
    "BinaryInputAWGN",
    "awgn",
    "bec",
    "binary_asymmetric",
    "binary_asymmetric_eta_kl",
    "binary_input_awgn",
    "bsc",
    "erasure_product",
    "product_channel",
    "q_ary_symmetric",
    "q_ary_symmetric_eta_kl",
    "z_channel",
]


def bsc(delta: float) -> np.ndarray:
    r"""Binary symmetric channel ``[[1-δ, δ], [δ, 1-δ]]``.

    :math:`\eta_{TV} = |1-2δ|`, :math:`\eta_{KL} = \eta_{\chi^2} = (1-2δ)^2`
    (Ahlswede-Gács 1976).

    >>> from fdivtheory.sdpi import bsc, eta_kl
    >>> round(eta_kl(bsc(0.1)), 10)
    0.64
    """
    d = probability(delta, "delta")
    return np.array([[1 - d, d], [d, 1 - d]])


def bec(eps: float) -> np.ndarray:
    r"""Binary erasure channel; outputs ``(0, e, 1)``: ``[[1-ε, ε, 0], [0, ε, 1-ε]]``.

    :math:`D_f(PK\|QK) = (1-ε) D_f(P\|Q)` for every ``f``, so every
    coefficient equals :math:`1-ε` (Polyanskiy-Wu 2017).

    >>> from fdivtheory.sdpi import bec, eta_tv
    >>> round(eta_tv(bec(0.3)), 12)
    0.7
    """
    e = probability(eps, "eps")
    return np.array([[1 - e, e, 0.0], [0.0, e, 1 - e]])


def z_channel(eps: float) -> np.ndarray:
    r"""Z-channel ``[[1, 0], [ε, 1-ε]]``: input 1 goes to output 0 with probability ε.

    :math:`\eta_{KL}(K) = 1-ε`, approached as :math:`P_X(1) \to 0` and never
    attained (docs/theory/sdpi.md, §5.1).

    >>> from fdivtheory.sdpi import z_channel
    >>> z_channel(0.4).tolist()
    [[1.0, 0.0], [0.4, 0.6]]
    """
    e = probability(eps, "eps")
    return np.array([[1.0, 0.0], [e, 1 - e]])


def binary_asymmetric(a: float, b: float) -> np.ndarray:
    """Binary channel ``[[1-a, a], [b, 1-b]]``.

    >>> from fdivtheory.sdpi import binary_asymmetric, binary_asymmetric_eta_kl, eta_kl
    >>> K = binary_asymmetric(0.1, 0.3)
    >>> abs(eta_kl(K) - binary_asymmetric_eta_kl(0.1, 0.3)) < 1e-12
    True
    """
    a, b = probability(a, "a"), probability(b, "b")
    return np.array([[1 - a, a], [b, 1 - b]])


def binary_asymmetric_eta_kl(a: float, b: float) -> float:
    r""":math:`\eta_{KL} = \eta_{\chi^2} = (\sqrt{(1-a)(1-b)} - \sqrt{ab})^2` of ``[[1-a,a],[b,1-b]]``.

    Derived in docs/theory/sdpi.md, §3.2 (and symbolically in
    :func:`fdivtheory.sdpi.symbolic.binary_channel_eta`); literature
    attribution unconfirmed.

    >>> from fdivtheory.sdpi import binary_asymmetric_eta_kl
    >>> round(binary_asymmetric_eta_kl(0.1, 0.1), 12)
    0.64
    """
    a, b = probability(a, "a"), probability(b, "b")
    return (math.sqrt((1 - a) * (1 - b)) - math.sqrt(a * b)) ** 2


def q_ary_symmetric(q: int, delta: float) -> np.ndarray:
    """q-ary symmetric channel: ``1-δ`` on the diagonal, ``δ/(q-1)`` elsewhere.

    >>> from fdivtheory.sdpi import q_ary_symmetric
    >>> q_ary_symmetric(3, 0.3).round(3).tolist()[0]
    [0.7, 0.15, 0.15]
    """
    if not isinstance(q, (int, np.integer)) or q < 2:
        raise ValueError(f"q must be an integer >= 2, got {q!r}")
    d = probability(delta, "delta")
    K = np.full((q, q), d / (q - 1))
    np.fill_diagonal(K, 1 - d)
    return K


def q_ary_symmetric_eta_kl(q: int, delta: float) -> float:
    r""":math:`\eta_{KL} = (q-1-qδ)^2 / ((q-1)(q-1-(q-2)δ))` of the q-ary symmetric channel.

    Attained by a uniform input on two symbols; **not** :math:`λ^2` with
    :math:`λ = 1 - qδ/(q-1)` (that is only the uniform-input :math:`\rho_m^2`).
    Derived in docs/theory/sdpi.md, §3.3.

    >>> from fractions import Fraction
    >>> from fdivtheory.sdpi import q_ary_symmetric_eta_kl
    >>> Fraction(q_ary_symmetric_eta_kl(3, 0.3)).limit_denominator(1000)
    Fraction(121, 340)
    """
    if not isinstance(q, (int, np.integer)) or q < 2:
        raise ValueError(f"q must be an integer >= 2, got {q!r}")
    d = probability(delta, "delta")
    return (q - 1 - q * d) ** 2 / ((q - 1) * (q - 1 - (q - 2) * d))


def product_channel(*channels: np.ndarray) -> np.ndarray:
    r"""Kronecker product :math:`K_1 \otimes K_2 \otimes \cdots` of channels (inputs and outputs in lexicographic order).

    >>> from fdivtheory.sdpi import bsc, product_channel
    >>> product_channel(bsc(0.1), bsc(0.1)).shape
    (4, 4)
    """
    if not channels:
        raise ValueError("channels must not be empty")
    out = np.ones((1, 1))
    for i, K in enumerate(channels):
        out = np.kron(out, channel(K, f"channels[{i}]"))
    return out


def erasure_product(eps: float, n: int, alphabet: int = 2) -> np.ndarray:
    r"""The n-fold product of the erasure channel on ``alphabet`` symbols.

    Each letter is erased (output symbol ``alphabet``) with probability ε;
    :math:`\eta_{KL}(EC_ε^{\otimes n}) = \eta_{TV} = 1 - ε^n` (Polyanskiy-Wu
    2017), while a product input only gets :math:`1-ε` (tensorization).

    >>> from fdivtheory.sdpi import erasure_product, eta_tv
    >>> round(eta_tv(erasure_product(0.5, 2)), 12)
    0.75
    """
    e = probability(eps, "eps")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    if not isinstance(alphabet, (int, np.integer)) or alphabet < 1:
        raise ValueError(f"alphabet must be an integer >= 1, got {alphabet!r}")
    E = np.zeros((alphabet, alphabet + 1))
    E[:, :alphabet] = (1 - e) * np.eye(alphabet)
    E[:, alphabet] = e
    return product_channel(*([E] * n))


# ------------------------------------------------------------------ continuous

def _tv_gauss(distance: float, sigma: float) -> float:
    """TV(N(a, σ²I), N(b, σ²I)) = 2Φ(‖a-b‖/(2σ)) - 1."""
    return float(2.0 * ndtr(distance / (2.0 * sigma)) - 1.0)


@dataclass(frozen=True)
class BinaryInputAWGN:
    r"""Binary-input AWGN channel: input ``±A``, output ``Y = X + N(0, σ²)``.

    Coefficients (docs/theory/sdpi.md, §3.5): :math:`\eta_{TV} = 2Φ(A/σ) - 1`;
    :math:`\rho_m^2(λ) = λ(1-λ)\int (φ_+ - φ_-)^2 / ((1-λ)φ_- + λφ_+)\,dy`
    by adaptive quadrature (concave in λ, maximal at λ = 1/2 by symmetry);
    the fixed-input KL coefficient by 1-D optimisation of the quadrature ratio.
    ``p_x = (P(X=-A), P(X=+A))``.
    """

    amplitude: float
    sigma: float

    def _dens(self, y):
        s = self.sigma
        c = 1.0 / (s * math.sqrt(2 * math.pi))
        return (c * np.exp(-0.5 * ((y + self.amplitude) / s) ** 2),
                c * np.exp(-0.5 * ((y - self.amplitude) / s) ** 2))

    def _limits(self):
        w = self.amplitude + 15 * self.sigma  # tails beyond carry < 1e-50
        return -w, w

    def rho2(self, lam: float) -> float:
        """:math:`\\rho_m^2` of the input law ``(1-λ, λ)`` by quadrature."""
        if lam <= 0 or lam >= 1:
            return 0.0

        def integrand(y):
            m, p = self._dens(y)
            den = (1 - lam) * m + lam * p
            return (p - m) ** 2 / den if den > 0 else 0.0

        lo, hi = self._limits()
        val, _ = integrate.quad(integrand, lo, hi, points=[-self.amplitude, 0.0,
                                                           self.amplitude],
                                limit=400, epsabs=1e-14, epsrel=1e-13)
        return lam * (1 - lam) * val

    def _kl_out(self, lam_q: float, lam_p: float) -> float:
        def integrand(y):
            m, p = self._dens(y)
            a = (1 - lam_q) * m + lam_q * p
            b = (1 - lam_p) * m + lam_p * p
            from ._kl import phi

            return float(b * phi(a / b)) if b > 0 else 0.0

        lo, hi = self._limits()
        val, _ = integrate.quad(integrand, lo, hi, points=[-self.amplitude, 0.0,
                                                           self.amplitude],
                                limit=400, epsabs=1e-15, epsrel=1e-12)
        return val

    def eta_tv(self, p_x=None, *, return_info: bool = False):
        v = _tv_gauss(2 * self.amplitude, self.sigma)
        return Coefficient(v, "tv", "closed form", (v, v)) if return_info else v

    def eta_chi2(self, p_x=None, *, return_info: bool = False):
        if p_x is None:
            v = self.rho2(0.5)
            res = Coefficient(v, "chi2", "closed form", (v, v), True, np.array([0.5, 0.5]),
                              "symmetric concave problem: maximum at λ = 1/2; quadrature")
        else:
            p = input_law(p_x, 2)
            v = self.rho2(float(p[1]))
            res = Coefficient(v, "chi2", "closed form", (v, v), True, None, "quadrature")
        return res if return_info else res.value

    def eta_kl(self, p_x=None, *, return_info: bool = False):
        if p_x is None:
            res = self.eta_chi2(return_info=True)
            res = Coefficient(res.value, "kl", res.method, res.bracket, True, res.argmax,
                              res.note + "; eta_KL(K) = eta_chi2(K)")
            return res if return_info else res.value
        p = input_law(p_x, 2)
        lp = float(p[1])
        best = self.rho2(lp)
        arg = None
        if 0 < lp < 1:
            from ._kl import kl as _klv

            def ratio(lq):
                den = float(_klv(np.array([1 - lq, lq]), p))
                if den < 1e-9:
                    return 0.0
                return self._kl_out(lq, lp) / den

            for lo, hi in ((0.0, lp), (lp, 1.0)):
                for end in (lo, hi):
                    v = ratio(end)
                    if v > best:
                        best, arg = v, end
                r = minimize_scalar(lambda t: -ratio(t), bounds=(lo, hi), method="bounded",
                                    options={"xatol": 1e-10})
                if -r.fun > best:
                    best, arg = -r.fun, float(r.x)
        tv = self.eta_tv()
        res = Coefficient(best, "kl", "optimisation", (best, max(best, self.eta_chi2())),
                          arg is not None,
                          None if arg is None else np.array([1 - arg, arg]),
                          "1-D bounded Brent on each side of P_X, quadrature KL")
        if best > tv + 1e-9:
            raise ArithmeticError("BI-AWGN eta_KL above eta_TV: numerical failure")
        return res if return_info else res.value

    def discretize(self, edges) -> np.ndarray:
        """The 2 x (len(edges)+1) channel of the binned output (open tail bins)."""
        e = np.asarray(edges, dtype=float)
        cdf_m = ndtr((e + self.amplitude) / self.sigma)
        cdf_p = ndtr((e - self.amplitude) / self.sigma)
        K = np.stack([np.diff(np.concatenate([[0.0], cdf_m, [1.0]])),
                      np.diff(np.concatenate([[0.0], cdf_p, [1.0]]))])
        return np.clip(K, 0.0, None) / np.clip(K, 0.0, None).sum(axis=1, keepdims=True)


def binary_input_awgn(amplitude: float, sigma: float) -> BinaryInputAWGN:
    r"""Binary-input AWGN channel with inputs ``±amplitude`` and noise std ``sigma``.

    >>> from fdivtheory.sdpi import binary_input_awgn, eta_tv
    >>> round(eta_tv(binary_input_awgn(1.0, 1.0)), 12)   # 2Φ(1) - 1
    0.682689492137
    """
    return BinaryInputAWGN(positive(amplitude, "amplitude"), positive(sigma, "sigma"))


@dataclass(frozen=True)
class AWGN:
    r"""Scalar AWGN channel ``Y = X + N(0, σ²)`` with an input constraint.

    * ``constraint="amplitude"`` (``|x| <= R``): :math:`\eta_{TV} = 2Φ(R/σ) - 1`;
      :math:`\eta_{KL}(K)` is bracketed by the two-point input ``±R``
      (binary-input AWGN, by quadrature) and :math:`\eta_{TV}`.
    * ``constraint="power"`` (``E X² <= P``): :math:`\sup \eta_{KL} = 1`, not attained
      (Calmon-Polyanskiy-Wu 2015); :math:`\eta_{TV} = 1`.
    * ``p_x="gaussian"``: input :math:`N(0, P)` gives
      :math:`\eta_{KL}(P_X,K) = \eta_{\chi^2}(P_X,K) = P/(P+σ^2)` (F13).
    """

    sigma: float
    constraint: str
    level: float

    def eta_tv(self, p_x=None, *, return_info: bool = False):
        v = _tv_gauss(2 * self.level, self.sigma) if self.constraint == "amplitude" else 1.0
        return Coefficient(v, "tv", "closed form", (v, v), self.constraint == "amplitude") \
            if return_info else v

    def _gaussian(self, p_x, name):
        if p_x != "gaussian":
            raise ValueError("p_x must be None or 'gaussian' for a continuous AWGN channel")
        if self.constraint != "power":
            raise ValueError("p_x='gaussian' needs constraint='power' (input N(0, P))")
        v = self.level / (self.level + self.sigma**2)
        return Coefficient(v, name, "closed form", (v, v), True, None,
                           "Gaussian input N(0, P): P/(P + sigma^2)")

    def eta_chi2(self, p_x=None, *, return_info: bool = False):
        if p_x is not None:
            res = self._gaussian(p_x, "chi2")
        elif self.constraint == "power":
            res = Coefficient(1.0, "chi2", "closed form", (1.0, 1.0), False, None,
                              "power constraint: sup is 1, approached by a far outlier")
        else:
            lo = binary_input_awgn(self.level, self.sigma).eta_chi2()
            res = Coefficient(lo, "chi2", "optimisation", (lo, self.eta_tv()), True,
                              np.array([0.5, 0.5]), "two-point input ±R (quadrature)")
        return res if return_info else res.value

    def eta_kl(self, p_x=None, *, return_info: bool = False):
        res = self.eta_chi2(p_x, return_info=True)
        res = Coefficient(res.value, "kl", res.method, res.bracket, res.attained, res.argmax,
                          res.note)
        return res if return_info else res.value


def awgn(sigma: float, *, amplitude: float | None = None, power: float | None = None) -> AWGN:
    r"""Scalar AWGN channel with an amplitude (``|x| <= R``) or power (``E X² <= P``) constraint.

    >>> from fdivtheory.sdpi import awgn, eta_kl
    >>> eta_kl(awgn(1.0, power=1.0), "gaussian")    # P / (P + sigma^2)
    0.5
    """
    s = positive(sigma, "sigma")
    if (amplitude is None) == (power is None):
        raise ValueError("give exactly one of amplitude (|x| <= R) and power (E X^2 <= P)")
    if amplitude is not None:
        return AWGN(s, "amplitude", positive(amplitude, "amplitude"))
    return AWGN(s, "power", positive(power, "power"))
