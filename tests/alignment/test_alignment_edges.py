"""Edge cases of the alignment module against exact oracles (mpmath, weak duality).

Each test sweeps a grid of adversarial inputs of one class (tiny reference masses,
budgets near 0 or near saturation, x at the reference mean, N close to 1, reward
spans beyond the float range of a softmax) and compares with an oracle that does
not share the code under test: mpmath at 50-150 digits, or a dual certificate
(weak Lagrangian duality) for the f-constrained optimum.  Derivations of every
formula used here: docs/theory/alignment.md.
"""

import math

import mpmath
import numpy as np
import pytest

import fdivtheory as fd
from fdivtheory.alignment import (
    MemorylessModel,
    best_of_n,
    best_of_n_kl_bound,
    f_constrained_optimum,
    kl_constrained_optimum,
    rate_function,
    scgf,
)

mp = mpmath.mp


# ---------------------------------------------------------------------------
# mpmath oracles
# ---------------------------------------------------------------------------

def mp_tilt(p, r, lam):
    """The tilted law p_lam as mpf numbers (current precision)."""
    w = [mpmath.mpf(pi) * mpmath.exp(lam * mpmath.mpf(ri)) for pi, ri in zip(p, r, strict=True)]
    z = mpmath.fsum(w)
    return [x / z for x in w]


def mp_kl(a, b):
    return mpmath.fsum(x * mpmath.log(x / y) for x, y in zip(a, b, strict=True) if x > 0)


def mp_pmf(p):
    """The float pmf normalised exactly (the library treats it as summing to 1)."""
    pm = [mpmath.mpf(x) for x in p]
    total = mpmath.fsum(pm)
    return [x / total for x in pm]


def mp_root(g, lo, hi, tol):
    """Root of an increasing g with g(lo) < 0 < g(hi): Illinois steps, residual checked."""
    assert g(lo) < 0 < g(hi)
    x = mpmath.findroot(g, (lo, hi), solver="illinois", verify=False, maxsteps=400)
    assert lo <= x <= hi and abs(g(x)) <= tol
    return x


def mp_lambda(p, r, delta, guess):
    """The lam > 0 with D(p_lam || p) = delta, by bisection-type root finding in log lam.

    The bracket [guess / 4, 4 guess] is checked to contain the sign change, so the
    float value only seeds the search.
    """
    pm = mp_pmf(p)
    d = mpmath.mpf(delta)

    def g(log_lam):
        return mp_kl(mp_tilt(p, r, mpmath.exp(log_lam)), pm) - d

    lo, hi = mpmath.log(mpmath.mpf(guess) / 4), mpmath.log(mpmath.mpf(guess) * 4)
    return mpmath.exp(mp_root(g, lo, hi, d * mpmath.mpf(10) ** -40))


# ---------------------------------------------------------------------------
# issue classes 20 (bracket), 21 (KL at large lam), 22 (tiny delta): the KL tilt
# ---------------------------------------------------------------------------

TINY_TOP = [1e-300, 1e-150, 1e-50, 1e-20, 1e-8]


@pytest.mark.parametrize("p_top", TINY_TOP)
def test_kl_optimum_tiny_top_mass_vs_mpmath(p_top):
    """Tiny mass on the best outcome: lam, every policy mass and the KL to 1e-10 relative."""
    p, r = [p_top, 1.0 - p_top], [1.0, 0.0]
    sat = -math.log(p_top)
    for delta in (1e-12, 1e-6, 1e-3, 1.0, 10.0, 0.58 * sat, 0.99 * sat):
        opt = kl_constrained_optimum(p, r, delta)
        assert not opt.saturated and math.isfinite(opt.lam)
        with mpmath.workdps(60):
            lam = mp_lambda(p, r, delta, opt.lam)
            pol = mp_tilt(p, r, lam)
            assert opt.lam == pytest.approx(float(lam), rel=1e-10)
            # the small mass (the top outcome, or 1 - q) to full relative accuracy
            assert opt.policy[0] == pytest.approx(float(pol[0]), rel=1e-10)
            assert opt.policy[1] == pytest.approx(float(pol[1]), rel=1e-12)
            assert opt.expected_reward == pytest.approx(float(pol[0]), rel=1e-10)
            assert opt.kl == pytest.approx(delta, rel=1e-10)
            # the reported KL is the KL of the returned policy (to the float representation
            # of 1 - q: its rounding moves D by up to 1e-16 / q relative)
            kl_of_policy = mp_kl(mp_pmf(opt.policy), mp_pmf(p))
            assert opt.kl == pytest.approx(float(kl_of_policy), rel=1e-3 + 1e-13 / delta)


def test_kl_optimum_issue_examples():
    assert kl_constrained_optimum([1e-300, 1], [1, 0], 400).expected_reward == pytest.approx(
        0.580044112, rel=1e-9)
    assert kl_constrained_optimum([0.5, 0.3, 0.2], [0, 1, 2], 1e-100).lam == pytest.approx(
        1.81e-50, rel=1e-3)


@pytest.mark.parametrize("delta", [1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-10, 1e-4])
def test_kl_optimum_tiny_budget_vs_mpmath(delta):
    """lam ~ sqrt(2 delta / Var) down to delta = 1e-300, to 1e-10 relative."""
    rng = np.random.default_rng(22)
    for _ in range(4):
        k = int(rng.integers(2, 7))
        p = rng.dirichlet(np.ones(k))
        p = p / p.sum()
        r = rng.normal(size=k)
        opt = kl_constrained_optimum(p, r, delta)
        with mpmath.workdps(int(-math.log10(delta)) + 60):
            lam = mp_lambda(p, r, delta, opt.lam)
            assert opt.lam == pytest.approx(float(lam), rel=1e-10)
            mean = mpmath.fsum(x * mpmath.mpf(ri) for x, ri in zip(mp_tilt(p, r, lam), r,
                                                                  strict=True))
            assert opt.expected_reward == pytest.approx(float(mean), rel=1e-14, abs=1e-15)
        assert opt.kl == pytest.approx(delta, rel=1e-10)


# ---------------------------------------------------------------------------
# class 19: rate function at (and next to) the reference mean
# ---------------------------------------------------------------------------

def _random_model(rng):
    k = int(rng.integers(3, 6))
    p = rng.dirichlet(np.ones(k))
    return p / p.sum(), np.round(rng.normal(size=k), 2)


def test_rate_function_at_the_mean_never_raises():
    """300 random models at x = p @ r: all three forms agree with I = 0 to 1e-14 absolute."""
    rng = np.random.default_rng(19)
    for _ in range(300):
        p, r = _random_model(rng)
        x = float(p @ r)
        for form in ("legendre", "tilted", "mismatched"):
            value = float(rate_function(p, r, 0.0, x, form=form))
            # the exact value is (x - E r)^2 / (2 Var) ~ 1e-33: the Legendre form
            # theta x - Lambda(theta) is accurate to a few ulps of |theta x| only
            assert 0.0 <= value <= 1e-14


def test_rate_function_near_the_mean_vs_mpmath():
    """x = mean, mean +- 1e-9 span, quartiles; delta in {0, 0.05}: 1e-9 relative or 1e-14."""
    rng = np.random.default_rng(191)
    with mpmath.workdps(50):
        for _ in range(12):
            p, r = _random_model(rng)
            span = float(r.max() - r.min())
            mean = float(p @ r)
            xs = [mean, mean + 1e-9 * span, mean - 1e-9 * span,
                  float(r.min() + 0.25 * span), float(r.min() + 0.8 * span)]
            for delta in (0.0, 0.05):
                if delta:
                    lam = mp_lambda(p, r, delta, kl_constrained_optimum(p, r, delta).lam)
                else:
                    lam = mpmath.mpf(0)
                p_lam = mp_tilt(p, r, lam)
                for x in xs:
                    def mean_gap(t, x=x, p=p, r=r):
                        return mpmath.fsum(q * mpmath.mpf(ri) for q, ri in
                                           zip(mp_tilt(p, r, t), r, strict=True)) - mpmath.mpf(x)
                    step = mpmath.mpf(1) / span
                    lo, hi = -step, step
                    while mean_gap(hi) <= 0:
                        hi *= 4
                    while mean_gap(lo) >= 0:
                        lo *= 4
                    t = mp_root(mean_gap, lo, hi, mpmath.mpf(10) ** (10 - mpmath.mp.dps))
                    exact = float(mp_kl(mp_tilt(p, r, t), p_lam))
                    for form in ("legendre", "tilted", "mismatched"):
                        value = float(rate_function(p, r, delta, x, form=form))
                        assert value == pytest.approx(exact, rel=1e-9, abs=1e-14), (form, x)


def test_rate_function_issue_example():
    p, r = np.array([0.23, 0.3, 0.47]), np.array([2.0, -0.4, -0.9])
    for form in ("legendre", "tilted", "mismatched"):
        assert float(rate_function(p, r, 0.0, p @ r, form=form)) == pytest.approx(0.0, abs=1e-14)


# ---------------------------------------------------------------------------
# class 23: best-of-N with N close to 1
# ---------------------------------------------------------------------------

def _mp_bon_kl(p, r, log_n, strict_order):
    """Exact KL(pi_N || p) in mpmath: level formula (uniform ties) or outcome formula."""
    n = mpmath.exp(mpmath.mpf(log_n))
    if strict_order:
        keys = sorted(range(len(p)), key=lambda i: (r[i], i))
        masses = [mpmath.mpf(p[i]) for i in keys]
    else:
        levels = sorted(set(r))
        masses = [mpmath.fsum(mpmath.mpf(pi) for pi, ri in zip(p, r, strict=True) if ri == v)
                  for v in levels]
    cdf, prev, total = [], mpmath.mpf(0), mpmath.mpf(0)
    for m in masses:
        total += m
        cdf.append(total)
    kl = mpmath.mpf(0)
    for m, f in zip(masses, cdf, strict=True):
        pn = f**n - prev**n
        kl += pn * mpmath.log(pn / m)
        prev = f
    return kl


@pytest.mark.parametrize("log_n", [1e-15, 1e-12, 1e-8, 1e-4, 0.1, 1.0, 5.0])
def test_best_of_n_kl_near_one_vs_mpmath(log_n):
    """KL(pi_N || p) for N = e^{log_n}: 1e-9 relative, and strictly below log N - (N-1)/N."""
    rng = np.random.default_rng(23)
    bound = best_of_n_kl_bound(log_n=log_n)
    for _ in range(8):
        k = int(rng.integers(2, 7))
        p = rng.dirichlet(np.ones(k))
        p = p / p.sum()
        r = rng.integers(0, 4, size=k).astype(float)  # ties on purpose
        for ties in ("uniform", "lexicographic"):
            res = best_of_n(p, r, log_n=log_n, ties=ties)
            with mpmath.workdps(100):
                exact = float(_mp_bon_kl(list(p), list(r), log_n, ties == "lexicographic"))
            assert res.kl == pytest.approx(exact, rel=1e-9), ties
            assert res.kl < bound or (res.kl == 0.0 and len(set(r)) == 1)


@pytest.mark.parametrize("log_n", [1e-12, 1e-6, 1.0, 50.0])
def test_memoryless_best_of_n_kl_near_one_vs_mpmath(log_n):
    """The same class on the memoryless path: KL of the law of R_n to the reference."""
    model = MemorylessModel([0.7, 0.3], [0.0, 1.0], 12)
    kl = model.best_of_n(log_n=log_n).kl(model.reference)
    with mpmath.workdps(100):
        q = mpmath.mpf(0.3)
        levels = [mpmath.binomial(12, k) * q**k * (1 - q) ** (12 - k) for k in range(13)]
        exact = float(_mp_bon_kl(levels, list(range(13)), log_n, False))
    assert kl == pytest.approx(exact, rel=1e-9)


def test_best_of_n_issue_example():
    kl = best_of_n([0.5, 0.3, 0.2], [0, 1, 2], log_n=1e-12).kl
    assert kl == pytest.approx(2.47e-25, rel=1e-2)
    assert kl < best_of_n_kl_bound(log_n=1e-12)


# ---------------------------------------------------------------------------
# class 24: the Renyi-cross-entropy form of the SCGF at large reward spans
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("span", [1.0, 100.0, 500.0, 1000.0, 5000.0])
def test_scgf_renyi_cross_entropy_large_span_vs_mpmath(span):
    p = np.array([0.5, 0.3, 0.2])
    r = np.array([0.0, 0.5, 1.0]) * span
    delta = 0.2
    lam_f = kl_constrained_optimum(p, r, delta).lam
    with mpmath.workdps(60):
        lam = mp_lambda(p, r, delta, lam_f)
        pl = mp_tilt(p, r, lam)
        for theta in (-0.5, -1e-3, 1e-3, 0.5, 2.0):
            exact = float(mpmath.log(mpmath.fsum(q * mpmath.exp(theta * mpmath.mpf(ri))
                                                 for q, ri in zip(pl, r, strict=True))))
            for form in ("cgf", "renyi_cross_entropy"):
                value = float(scgf(p, r, delta, theta, form=form))
                # theta (log C - H) subtracts two numbers up to |theta| span apart
                assert value == pytest.approx(exact, rel=1e-13 * (1 + abs(theta) * span)), form


def test_scgf_log_space_matches_core_where_softmax_is_representable():
    p, r = np.array([0.5, 0.3, 0.2]), np.array([0.0, 1.0, 2.0])
    from fdivtheory.alignment import tilt

    p_lam = tilt(p, r, kl_constrained_optimum(p, r, 0.2).lam)
    q_r = np.exp(r) / np.exp(r).sum()
    log_c = math.log(np.exp(r).sum())
    for theta in (-0.7, 0.5, 2.0):
        h = float(fd.renyi_cross_entropy(p_lam, q_r, 1.0 + theta))
        assert float(scgf(p, r, 0.2, theta, form="renyi_cross_entropy")) == pytest.approx(
            theta * (log_c - h), rel=1e-13)


# ---------------------------------------------------------------------------
# classes 18 and 20: the f-constrained optimum, certified by weak duality
# ---------------------------------------------------------------------------

def _mp_generator(name, gen):
    """(f, f', (f')^{-1}) in mpmath for the generators swept; checked against the core."""
    one = mpmath.mpf(1)
    if name == "kl":
        fns = (lambda u: u * mpmath.log(u) if u > 0 else mpmath.mpf(0),
               lambda u: mpmath.log(u) + 1, lambda t: mpmath.exp(t - 1))
    elif name == "reverse_kl":
        fns = (lambda u: -mpmath.log(u), lambda u: -one / u, lambda t: -one / t)
    elif name in ("le_cam", "triangular"):
        c = mpmath.mpf(gen.value_at_zero)
        fns = (lambda u: c * (1 - u) ** 2 / (1 + u), lambda u: c * (1 - 4 / (1 + u) ** 2),
               lambda t: mpmath.sqrt(4 / (1 - t / c)) - 1)
    elif name == "hellinger_sq":
        fns = (lambda u: (mpmath.sqrt(u) - 1) ** 2, lambda u: 1 - 1 / mpmath.sqrt(u),
               lambda t: 1 / (1 - t) ** 2)
    elif name == "pearson":
        fns = (lambda u: (u - 1) ** 2, lambda u: 2 * (u - 1), lambda t: 1 + t / 2)
    else:
        raise KeyError(name)
    for u in (0.3, 1.0, 4.0):
        assert float(fns[0](mpmath.mpf(u))) == pytest.approx(float(gen.f(u)), rel=1e-14)
    return fns


def _certificate(p, r, delta, opt, name):
    """(primal value, divergence, dual upper bound) in mpmath for a returned optimum.

    Weak duality: for any beta > 0 and nu, every phi >= 0 with sum 1 and
    D_f(phi || p) <= delta has E_phi r <= nu + beta delta + beta sum_y p(y) f*((r(y) - nu) / beta).
    The dual point is (beta, nu) with nu = r(y) - beta f'(u_y) read off the returned
    ratio u_y of some outcome (any dual point gives a valid bound; the smallest of
    these is reported).
    """
    gen = fd.get_generator(name)
    f, df, df_inv = _mp_generator(name, gen)
    s0 = mpmath.mpf(gen.slope_at_zero) if math.isfinite(gen.slope_at_zero) else None
    sinf = mpmath.mpf(gen.slope_at_infinity) if math.isfinite(gen.slope_at_infinity) else None
    pm = mp_pmf(p)
    phi = mp_pmf(opt.policy)
    primal = mpmath.fsum(a * mpmath.mpf(b) for a, b in zip(phi, r, strict=True))
    div = mpmath.fsum(q * (f(x / q) if x > 0 else mpmath.mpf(gen.value_at_zero))
                      for x, q in zip(phi, pm, strict=True))
    beta = mpmath.mpf(opt.beta)

    def conj(t):  # f*(t) = sup_{u >= 0} t u - f(u)
        if sinf is not None and t >= sinf:
            return mpmath.inf
        if s0 is not None and t <= s0:
            return -mpmath.mpf(gen.value_at_zero)
        u = df_inv(t)
        return t * u - f(u)

    def dual_at(nu):
        return nu + beta * delta + beta * mpmath.fsum(
            q * conj((mpmath.mpf(ri) - nu) / beta) for q, ri in zip(pm, r, strict=True))

    # candidate dual points nu_y = r(y) - beta f'(u_y), one per outcome with mass (each
    # gives a valid bound; the one read off the best-resolved ratio is tight)
    dual = min(dual_at(mpmath.mpf(r[y]) - beta * df(phi[y] / pm[y]))
               for y in range(len(pm)) if phi[y] > 0)
    return primal, div, dual


F_GENERATORS = ["le_cam", "triangular", "hellinger_sq", "reverse_kl", "kl", "pearson"]


@pytest.mark.parametrize("name", F_GENERATORS)
@pytest.mark.parametrize("p_top", [1e-2, 1e-4, 1e-8, 1e-10, 1e-14, 1e-50, 1e-150])
def test_f_constrained_tiny_top_mass_certified(name, p_top):
    """Feasible (D_f <= delta, sum 1, >= 0) and optimal to 1e-10 by a dual certificate."""
    models = [(np.array([p_top, 0.5, 0.5 - p_top]), np.array([1.0, 0.5, 0.0])),
              (np.array([0.3, p_top, 0.3, 0.4 - p_top]), np.array([0.2, 2.0, -1.0, 1.0]))]
    for p, r in models:
        for delta in (0.01, 0.1, 0.4):
            opt = f_constrained_optimum(p, r, delta, name)
            assert np.all(opt.policy >= 0) and opt.policy.sum() == pytest.approx(1.0, abs=1e-14)
            if opt.saturated:  # conditional law on the top outcome: within budget
                assert opt.expected_reward == r.max() and opt.divergence <= delta
                continue
            # f'(u_top) must be resolved next to f'(inf): u_top is up to 1/p_top
            with mpmath.workdps(int(-2 * math.log10(p_top)) + 40):
                primal, div, dual = _certificate(p, r, delta, opt, name)
                assert float(div) <= delta * (1 + 1e-10) + 1e-15, "over budget"
                assert float(div) == pytest.approx(delta, rel=1e-9)
                assert float(primal) == pytest.approx(opt.expected_reward, abs=1e-14)
                # weak duality: the gap bounds the distance to the optimum
                assert float(dual - primal) <= 1e-10 * (1 + abs(float(primal)))
                assert float(dual - primal) >= -1e-10


def test_f_constrained_random_tiny_masses_certified():
    """90 random references with one mass 1e-3..1e-120 anywhere, six generators, random
    budgets: feasible, and optimal to 1e-10 by the dual certificate."""
    rng = np.random.default_rng(18)
    checked = 0
    for i in range(90):
        k = int(rng.integers(2, 6))
        p = rng.dirichlet(np.ones(k))
        p[rng.integers(0, k)] = 10.0 ** -int(rng.integers(3, 120))
        p = p / p.sum()
        r = np.round(rng.normal(size=k), int(rng.integers(0, 3)))  # ties on purpose
        name = F_GENERATORS[i % len(F_GENERATORS)]
        delta = float(10 ** rng.uniform(-4, 0.3))
        try:
            opt = f_constrained_optimum(p, r, delta, name)
        except ValueError as exc:  # documented: optimum below the float range (f(0) = inf)
            assert "too close to the saturation value inf" in str(exc)
            continue
        assert opt.policy.sum() == pytest.approx(1.0, abs=1e-14)
        if opt.saturated:
            assert opt.divergence <= delta
            continue
        p_top = float(p[r == r.max()].sum())
        with mpmath.workdps(int(-2 * math.log10(p_top)) + 40):
            primal, div, dual = _certificate(p, r, delta, opt, name)
            assert float(div) <= delta * (1 + 1e-10) + 1e-15
            assert -1e-10 <= float(dual - primal) <= 1e-10 * (1 + abs(float(primal)))
        checked += 1
    assert checked >= 45


def test_f_constrained_issue_examples():
    opt = f_constrained_optimum([1e-10, 0.5, 0.5 - 1e-10], [1, 0.5, 0], 0.1, "le_cam")
    assert opt.expected_reward == pytest.approx(0.42536, abs=1e-5)
    opt = f_constrained_optimum([1e-8, 0.5, 0.5 - 1e-8], [1, 0.5, 0], 0.1, "le_cam")
    assert opt.divergence <= 0.1 * (1 + 1e-12) and not opt.saturated
    opt = f_constrained_optimum([1e-150, 0.5, 0.5], [1, 0.5, 0], 0.1, "reverse_kl")
    assert opt.expected_reward == pytest.approx(0.3601833, abs=1e-7)
    # Pearson (f' unbounded) with a tiny top mass: the top gets sqrt(delta p_top)
    opt = f_constrained_optimum([3.3666474e-48, 1.0 - 3.3666474e-48], [0.07, -0.97], 7e-4,
                                "pearson")
    assert opt.policy[0] == pytest.approx(math.sqrt(7e-4 * 3.3666474e-48), rel=1e-10)


def test_f_constrained_rejects_non_strictly_convex():
    with pytest.raises(ValueError, match="strictly convex"):
        f_constrained_optimum([0.5, 0.5], [0, 1], 0.1, "tv")


# ---------------------------------------------------------------------------
# class 25: argument types
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: MemorylessModel([0.5, 0.5], [0, 1], "3"), "length"),
    (lambda: MemorylessModel([0.5, 0.5], [0, 1], True), "length"),
    (lambda: best_of_n([0.5, 0.5], [0, 1], True), "n"),
    (lambda: best_of_n([0.5, 0.5], [0, 1], "4"), "n"),
    (lambda: best_of_n([0.5, 0.5], [0, 1], log_n="1"), "log_n"),
    (lambda: best_of_n([0.5, 0.5], [0, 1], np.bool_(True)), "n"),
    (lambda: kl_constrained_optimum([0.5, 0.5], [0, 1], "0.1"), "delta"),
    (lambda: f_constrained_optimum([0.5, 0.5], [0, 1], True, "kl"), "delta"),
])
def test_strings_and_bools_are_type_errors(call, name):
    with pytest.raises(TypeError, match=f"^{name} must be"):
        call()


def test_numpy_integers_and_python_big_ints_still_accepted():
    assert MemorylessModel([0.5, 0.5], [0, 1], np.int64(3)).length == 3
    assert best_of_n([0.5, 0.5], [0, 1], np.int32(2)).kl == pytest.approx(0.1308120359, rel=1e-9)
    assert best_of_n([0.5, 0.5], [0, 1], 10**400).kl == pytest.approx(math.log(2), rel=1e-15)
