"""Deliberately wrong formulas are reported as failing, with counterexamples that
really separate the two sides: each counterexample is re-evaluated here by independent,
plain-Python arithmetic on its exact values."""

from __future__ import annotations

import re
from fractions import Fraction

import mpmath
import pytest

from symbptt import RNNSpec, model_claims, verify

JACOBIAN = r"\frac{\partial h_{j}}{\partial h_{j-1}}"


def boxed(p: str, *, low: str = "i+1", immediate: bool = True) -> str:
    """Note 000's boxed formula for dh_t/dp, with the product from j = ``low``, and
    with or without its leading immediate term."""
    head = rf"\frac{{\partial^{{+}} h_{{t}}}}{{\partial {p}}} + " if immediate else ""
    return (
        rf"\frac{{\partial h_{{t}}}}{{\partial {p}}} = {head}\sum_{{i=1}}^{{t-1}} "
        rf"\left(\prod_{{j={low}}}^{{t}} {JACOBIAN}\right) "
        rf"\frac{{\partial^{{+}} h_{{i}}}}{{\partial {p}}}"
    )


#: Wrong formulas put under test in place of the seeds' right ones (by claim name).
OFF_BY_ONE = {f"boxed formula dh_t/d{p}": boxed(p, low="i") for p in ("w", "v")}
DROPPED_IMMEDIATE = {f"boxed formula dh_t/d{p}": boxed(p, immediate=False) for p in ("w", "v")}
PHI_FOR_THETA = {
    "recursion dL/ds_t": r"\frac{\partial L}{\partial s_{t}} = \left(\frac{\partial L}"
    r"{\partial \hat{y}_{t}} \phi'(h_{t}) + \frac{\partial L}{\partial s_{t+1}} w\right) "
    r"\phi'(s_{t})"
}
H_T_FOR_H_PREV = {
    "immediate partial d+h_t/dw": r"\frac{\partial^{+} h_{t}}{\partial w} = \phi'(s_{t}) h_{t}"
}


def claims_with(wrong: dict[str, str], spec: RNNSpec | None = None) -> tuple:
    """The seeds' claims about the scalar model with the wrong formulas in place of the
    right ones."""
    return model_claims((spec or RNNSpec(T=3)).model, replace=wrong)


def verify_with(spec: RNNSpec, wrong: dict[str, str], **options):
    """verify() with the wrong formulas in place of the seeds' right ones."""
    return verify(spec, claims=claims_with(wrong, spec), **options)


class Point:
    """A counterexample's exact values, with the model recomputed from them by hand."""

    def __init__(self, values: dict[str, Fraction], T: int) -> None:
        # a counterexample lists the node values its two sides use; others are None
        self.val = values
        self.T = T
        self.w, self.v = values["w"], values["v"]
        self.h = [values["h_0"]] + [values.get(f"phi(s_{n})") for n in range(1, T + 1)]
        self.P = [None] + [values.get(f"phi'(s_{n})") for n in range(1, T + 1)]
        self.s = [None] + [
            self.w * self.h[n - 1] + self.v * values[f"x_{n}"]
            if self.h[n - 1] is not None
            else None
            for n in range(1, T + 1)
        ]
        self.dh = [Fraction(0)]
        for n in range(1, T + 1):  # forward mode, written out by hand
            if self.P[n] is None or self.h[n - 1] is None:
                break
            self.dh.append(self.P[n] * (self.h[n - 1] + self.w * self.dh[n - 1]))

    def jac(self, n: int) -> Fraction:
        return self.P[n] * self.w

    def imm(self, n: int) -> Fraction:
        return self.P[n] * self.h[n - 1]

    def prod(self, lo: int, hi: int) -> Fraction:
        out = Fraction(1)
        for n in range(lo, hi + 1):
            out *= self.jac(n)
        return out


def failing(report, name: str):
    check = next(c for c in report.checks if c.name == name)
    assert not check.holds and check.counterexample is not None
    return check


def step_of(label: str) -> int:
    return int(re.match(r"t=(\d+)", label).group(1))


@pytest.mark.parametrize("T", [2, 4, 6])
def test_product_bound_off_by_one_is_caught(T: int) -> None:
    check = failing(verify_with(RNNSpec(T=T), OFF_BY_ONE), "boxed formula dh_t/dw")
    cx = check.counterexample
    n = step_of(check.failure)
    p = Point(cx.values, n)
    wrong = p.imm(n) + sum(p.prod(k, n) * p.imm(k) for k in range(1, n))
    assert wrong != p.dh[n]
    assert (Fraction(cx.lhs), Fraction(cx.rhs)) == (p.dh[n], wrong)  # the true side first
    assert len(set(p.s[1 : n + 1])) == n  # phi takes one value per distinct argument


@pytest.mark.parametrize("T", [1, 3, 5])
def test_dropped_immediate_term_is_caught(T: int) -> None:
    check = failing(verify_with(RNNSpec(T=T), DROPPED_IMMEDIATE), "boxed formula dh_t/dv")
    cx = check.counterexample
    n = step_of(check.failure)
    p = Point(cx.values, n)
    x = [None] + [cx.values[f"x_{k}"] for k in range(1, T + 1)]
    true = Fraction(0)
    for k in range(1, n + 1):  # dh_k/dv by hand
        true = p.P[k] * (x[k] + p.w * true)
    wrong = sum(p.prod(k + 1, n) * p.P[k] * x[k] for k in range(1, n))
    assert (Fraction(cx.lhs), Fraction(cx.rhs)) == (true, wrong) and wrong != true


@pytest.mark.parametrize("T", [1, 3, 4])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_phi_prime_where_theta_prime_belongs_is_caught(T: int, reduction: str) -> None:
    check = failing(
        verify_with(RNNSpec(T=T, reduction=reduction), PHI_FOR_THETA),
        "recursion dL/ds_t",
    )
    assert check.failure == "dL/dw"  # the gradient the recursion gives, summed over t
    cx = check.counterexample
    p = Point(cx.values, T)
    c = Fraction(1, T) if reduction == "mean" else Fraction(1)
    G = [None] + [cx.values[f"l'(yhat_{k}, d_{k})"] for k in range(1, T + 1)]
    Q = [None] + [cx.values[f"theta'(h_{k})"] for k in range(1, T + 1)]
    wrong_phi = [None] + [cx.values[f"phi'(h_{k})"] for k in range(1, T + 1)]
    deltas = [Fraction(0)] * (T + 2)
    for k in range(T, 0, -1):
        deltas[k] = (c * G[k] * wrong_phi[k] + deltas[k + 1] * p.w) * p.P[k]
    wrong = sum(deltas[k] * p.h[k - 1] for k in range(1, T + 1))
    true = c * sum(G[k] * Q[k] * p.dh[k] for k in range(1, T + 1))
    assert (Fraction(cx.lhs), Fraction(cx.rhs)) == (true, wrong) and wrong != true
    # phi' is one function: its listed arguments s_k and h_k are pairwise distinct
    args = [a for a in p.s[1:] + p.h[1:T] if a is not None]
    assert len(set(args)) == len(args)


def test_h_t_where_h_t_minus_1_belongs_is_caught_by_the_definition_s_own_claim() -> None:
    """A wrong one-step partial fails its own claim at t = 1; the boxed formula and the
    backward program read the model's one-step partials (from its equations), so they
    still hold."""
    report = verify_with(RNNSpec(T=3), H_T_FOR_H_PREV)
    check = failing(report, "immediate partial d+h_t/dw")
    assert check.failure == "t=1"
    cx = check.counterexample
    p = Point(cx.values, 1)
    assert Fraction(cx.lhs) == p.P[1] * p.h[0] != p.P[1] * p.h[1] == Fraction(cx.rhs)
    assert {c.name for c in report.failures} == {"immediate partial d+h_t/dw"}


def test_faults_are_caught_by_the_modular_method_too() -> None:
    for formulas in (OFF_BY_ONE, DROPPED_IMMEDIATE, PHI_FOR_THETA, H_T_FOR_H_PREV):
        report = verify_with(RNNSpec(T=4), formulas, method="modular")
        assert not report.holds
        assert all(c.error_bound == 0.0 for c in report.failures)


def test_tanh_counterexample_is_certified_and_matches_high_precision_arithmetic() -> None:
    T = 3
    check = failing(
        verify_with(RNNSpec(T=T, activation="tanh"), OFF_BY_ONE), "boxed formula dh_t/dw"
    )
    cx = check.counterexample
    assert not cx.exact
    mpmath.mp.dps = 40
    val = {k: mpmath.mpf(v.numerator) / v.denominator for k, v in cx.values.items()}
    w, v = val["w"], val["v"]
    h, P, dh = [val["h_0"]], [None], [mpmath.mpf(0)]
    for n in range(1, T + 1):
        h.append(mpmath.tanh(w * h[n - 1] + v * val[f"x_{n}"]))
        P.append(1 - h[n] ** 2)
        dh.append(P[n] * (h[n - 1] + w * dh[n - 1]))
    n = step_of(check.failure)

    def prod(lo: int) -> mpmath.mpf:
        out = mpmath.mpf(1)
        for m in range(lo, n + 1):
            out *= P[m] * w
        return out

    wrong = P[n] * h[n - 1] + sum(prod(k) * P[k] * h[k - 1] for k in range(1, n))
    reported_lhs = float(cx.lhs.split()[0])
    reported_rhs = float(cx.rhs.split()[0])
    assert reported_lhs == pytest.approx(float(dh[n]), rel=1e-12, abs=1e-14)
    assert reported_rhs == pytest.approx(float(wrong), rel=1e-12, abs=1e-14)
    assert abs(wrong - dh[n]) > 1e-20
