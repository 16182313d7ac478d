r"""Gradient formulas copied verbatim from public sources, each with its citation, the
model it is about, and its truth established without symbptt: the model written in
PyTorch, both sides of every '=' computed with autograd at random points in float64
(:func:`truth`).

A display that holds several equations (an ``align`` of gradients) gives one entry per
equation, copied as it stands in the source; a display is otherwise copied whole,
including its punctuation, markup and the source's macros (``GOODFELLOW_MACROS`` holds
the definitions the book's LaTeX sources use).

``expect`` pins today's verdict: "holds" (exit 0), "fails" (exit 1) or "refused"
(exit 2, something symbptt cannot read yet); tests/checker/test_corpus.py checks that no verdict
contradicts the truth and that the verdicts stay what they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOURCES = {
    "d2l": "Dive into Deep Learning (PyTorch edition), section 9.7: d2l-ai/d2l-en, "
    "chapter_recurrent-neural-networks/bptt.md, commit 23d7a5aecceee57d1292c56e90cce307f183bb0a",
    "d2l-0.7": "Dive into Deep Learning (MXNet edition, 2019), section 8.7: d2l-ai/d2l-en, "
    "chapter_recurrent-neural-networks/bptt.md, commit 05a660506e29d289570138f8ec9262e8375af760",
    "d2l-zh-0.4": "Dive into Deep Learning, first Chinese edition (2018): d2l-ai/d2l-zh, "
    "chapter_recurrent-neural-networks/bptt.md, commit 0324d75e7d0e195936e742d4da1264183757a014",
    "goodfellow": "Goodfellow, Bengio and Courville, Deep Learning (2016), section 10.2.2, "
    "eqs. 10.17-10.28, in the LaTeX of its Chinese translation: exacity/deeplearningbook-"
    "chinese, Chapter10/sequence_modeling_rnn.tex and math_symbol.tex, commit "
    "a03e98d2298528a13779f9fc4c8e7f8c1bd204f7",
    "cv-question": "Cross Validated question 464774, 'Backpropagation through time for "
    "RNN': https://stats.stackexchange.com/questions/464774",
    "cv-answer": "the accepted answer to Cross Validated question 464774: "
    "https://stats.stackexchange.com/questions/464774",
    "zhangruochi": "R. Zhang, BackPropagation through time (blog, 2019-10-12): "
    "https://zhangruochi.com/BackPropagation-through-time/2019/10/12/",
    "nadavb": "N. B., Vanishing Gradients (blog, on Pascanu et al. 2013): "
    "https://nadavb.com/Vanishing-Gradients",
    "huang": "Y. Huang, Back Propagation Through Time For Vanilla Recurrent Neural Network "
    "(2019), section 2, vector form, single data point (its scalar section's model, "
    "yhat_t = sigm(V s_t) with the loss -y_t log yhat_t, is not one of symbptt's): "
    "dragonhyq/bptt, main.tex, commit 519d03d9ec50687ef2593758630ea737381ef3ae",
    "wildml": "D. Britz, Recurrent Neural Networks Tutorial, Part 3 (WildML, 2015), its "
    "formulas as quoted in zhbzz2007's notes (cnblogs, 2017): "
    "https://www.cnblogs.com/zhbzz2007/p/6339346.html",
    "wolf": "W. Wolf, Recurrent Neural Network Gradients, and Lessons Learned Therein "
    "(2016): cavaunpeu/willwolf.io-source, content/articles/recurrent-neural-network-"
    "gradients-and-lessons-learned-therein.md, commit 09243ace10af701f23f95c9786240ad0575844af",
    "xulong": "X. Long, RNN循环神经网络 (notes on deeplearning.ai's Sequence Models, 2019), "
    "section 1.3: xulong3370/LearningAI, DeepLearning/RNN循环神经网络 - 副本.md, commit "
    "1cae5842d41a345ea4f02f94f26b9506a3ea0c89",
    "arat": "M. Murat Arat, Backpropagation Through Time for Recurrent Neural Network "
    "(2019): mmuratarat/mmuratarat.github.io, _posts/2019-02-07-bptt-of-rnn.md, commit "
    "50b95c6e17ab5e852bcffc814e1d21e827c9dcc8",
}

#: The macros of the Goodfellow et al. sources (math_symbol.tex) that the formulas use.
GOODFELLOW_MACROS = "\n".join(
    rf"\newcommand{{\{name}}}{{\boldsymbol{{\mathit{{{letter}}}}}}}"
    for name, letter in (
        ("Vb", "b"),
        ("Vc", "c"),
        ("Vh", "h"),
        ("Vo", "o"),
        ("Vx", "x"),
        ("Vy", "y"),
        ("MU", "U"),
        ("MV", "V"),
        ("MW", "W"),
    )
)

#: The models the formulas are about (keyword arguments of ElmanSpec; "scalar": the
#: seeds' scalar RNN, "scalar-sum" the same with L the sum of the step losses).
LINEAR = {"activation": "identity", "output_activation": "identity"}  # d2l's vector model
GOODFELLOW = {
    "activation": "tanh",
    "output_activation": "identity",
    "loss": "cross-entropy",
    "reduction": "sum",
}
TANH = {"activation": "tanh", "output_activation": "identity"}
WILDML = GOODFELLOW  # Britz's tutorial: tanh, softmax output, the summed cross-entropy


#: Huang's names (s_t the hidden state, z_t its pre-activation, g_t the output, y_t the
#: one-hot target; U, W, V), a user's notation profile in a TOML file
HUANG = str(Path(__file__).parent / "profiles" / "huang.toml")
#: Wolf's names (z_t the pre-activation, y_t the output, p_t the probabilities, J_t the
#: loss at t; W^{xh}, W^{hh}, W^{hy}), a user's notation profile in a TOML file
WOLF = str(Path(__file__).parent / "profiles" / "wolf.toml")


def torch_diag(v: Any) -> Any:
    """diag(v) of a column."""
    import torch

    return torch.diag(v[:, 0])


@dataclass(frozen=True)
class Formula:
    """One formula of the corpus (see the module docstring)."""

    id: str
    source: str
    where: str
    latex: str
    model: dict[str, Any] | str
    #: the sides' values at step t in the PyTorch model, or None when the formula has
    #: no value as written (its shapes do not fit)
    sides: Callable[[Any, int], list[Any]] | None
    expect: str
    notation: str | None = None
    macros: str = ""
    #: steps at which the formula is claimed (default 1..T)
    steps: Callable[[int], range] | None = None
    note: str = field(default="")
    #: the number of steps of the model it is checked in (E_3 of a source counting
    #: from 0 is the model's l_4)
    T: int = 3


def _d(run: Any, name: str, t: int) -> Any:
    return run.grad(name, t)


# -- the truths several sources' formulas share (each side at step t) ------------------------


def _dL_do(r: Any, t: int) -> list[Any]:
    """dL/do_t = dl(o_t, y_t)/(T do_t)."""
    return [_d(r, "o", t), r.dl_do(t) / r.T]


def _dL_dhT(r: Any, t: int) -> list[Any]:
    """dL/dh_T = W_hy^T dL/do_T."""
    return [_d(r, "h", r.T), r.W_hy.T @ _d(r, "o", r.T)]


def _dL_dh_recursion(r: Any, t: int) -> list[Any]:
    """dL/dh_t = W_hh^T dL/dh_(t+1) + W_hy^T dL/do_t (the identity activation)."""
    return [_d(r, "h", t), r.W_hh.T @ _d(r, "h", t + 1) + r.W_hy.T @ _d(r, "o", t)]


def _dL_dh_unrolled(r: Any, t: int) -> list[Any]:
    """dL/dh_t = sum_{i=t}^{T} (W_hh^T)^(T-i) W_hy^T dL/do_(T+t-i)."""
    terms = (
        r.mpow(r.W_hh.T, r.T - i) @ r.W_hy.T @ _d(r, "o", r.T + t - i) for i in range(t, r.T + 1)
    )
    return [_d(r, "h", t), sum(terms)]


def _chain_rule(r: Any, param: str, through: str, right: Any) -> list[Any]:
    """dL/dP, sum_t (d through_t/dP)^T dL/d through_t with the total derivative, and
    sum_t dL/d through_t right(k)^T."""
    return [
        r.param_grad(param),
        sum(r.chain_by_param(_d(r, through, k), through, k, param) for k in r.steps),
        sum(_d(r, through, k) @ right(k).T for k in r.steps),
    ]


def _dL_dWhy(r: Any, t: int) -> list[Any]:
    return _chain_rule(r, "W_hy", "o", lambda k: r.h[k])


def _dL_dWxh_total(r: Any, t: int) -> list[Any]:
    return _chain_rule(r, "W_xh", "h", lambda k: r.x[k])


def _dL_dWhh_total(r: Any, t: int) -> list[Any]:
    return _chain_rule(r, "W_hh", "h", lambda k: r.h[k - 1])


def _jacobian_chain(r: Any, t: int) -> list[Any]:
    """dh_3/dh_1 = dh_3/dh_2 dh_2/dh_1."""
    return [r.jac("h", 3, "h", 1), r.jac("h", 3, "h", 2) @ r.jac("h", 2, "h", 1)]


# -- Huang's notes: dL_t/ds_t as a row (numerator layout), s_t the hidden state ------------


def _row(r: Any, t: int) -> Any:
    """dl_t/ds_t in Huang's names (dl_t/dh_t here), a row."""
    return r.step_node_grad(t, "h").T


def _slopes(r: Any, first: int, last: int) -> Any:
    """prod_{i=first}^{last} ds_i/dz_i (diagonal: the order does not matter)."""
    out = torch_eye(r)
    for i in range(first, last + 1):
        out = out @ r.diag_slope(i)
    return out


def torch_eye(r: Any) -> Any:
    import torch

    return torch.eye(r.h0.shape[0], dtype=torch.float64)


def _huang_total_sum(r: Any, t: int) -> Any:
    """sum_{k=1}^{t} dl_t/ds_t ds_t/ds_k ds_k/dW with ds_k/dW the total derivative."""
    return sum(
        r.chain_by_param((_row(r, t) @ r.chain(t, k)).T, "h", k, "W_hh") for k in range(1, t + 1)
    )


def _huang_power(r: Any, t: int, first: int, inner: Any) -> Any:
    """sum_{k=1}^{t} dl_t/ds_t W^{t-k} (prod_{i=k+first}^{t} ds_i/dz_i) inner(k) dz_k/dW,
    dz_k/dW the total derivative."""
    return sum(
        r.chain_by_param(
            (_row(r, t) @ r.mpow(r.W_hh, t - k) @ _slopes(r, k + first, t) @ inner(k)).T,
            "s",
            k,
            "W_hh",
        )
        for k in range(1, t + 1)
    )


def _huang_total(r: Any, name: str) -> list[Any]:
    """dL/dP = sum_t dL_t/dP."""
    return [r.param_grad(name), sum(r.step_grad(k, name) for k in r.steps)]


FORMULAS: list[Formula] = [
    # -- d2l, PyTorch edition ----------------------------------------------------------------
    Formula(
        "d2l/eq_bptt_partial_L_wh",
        "d2l",
        "eq. (9.7.3)",
        r"""\begin{aligned}\frac{\partial L}{\partial w_\textrm{h}}  & = \frac{1}{T}\sum_{t=1}^T \frac{\partial l(y_t, o_t)}{\partial w_\textrm{h}}  \\& = \frac{1}{T}\sum_{t=1}^T \frac{\partial l(y_t, o_t)}{\partial o_t} \frac{\partial g(h_t, w_\textrm{o})}{\partial h_t}  \frac{\partial h_t}{\partial w_\textrm{h}}.\end{aligned}""",
        "scalar",
        None,
        "refused",
        note="g(h_t, w_o), the output map, is not a function of the seeds' model",
    ),
    Formula(
        "d2l/eq_bptt_partial_ht_wh_recur",
        "d2l",
        "eq. (9.7.4)",
        r"""\frac{\partial h_t}{\partial w_\textrm{h}}= \frac{\partial f(x_{t},h_{t-1},w_\textrm{h})}{\partial w_\textrm{h}} +\frac{\partial f(x_{t},h_{t-1},w_\textrm{h})}{\partial h_{t-1}} \frac{\partial h_{t-1}}{\partial w_\textrm{h}}.""",
        "scalar",
        lambda r, t: [r.dh_dwh(t), r.df_dwh(t) + r.df_dh(t) * r.dh_dwh(t - 1)],
        "holds",
    ),
    Formula(
        "d2l/eq_bptt_partial_ht_wh_gen",
        "d2l",
        "eq. (9.7.7)",
        r"""\frac{\partial h_t}{\partial w_\textrm{h}}=\frac{\partial f(x_{t},h_{t-1},w_\textrm{h})}{\partial w_\textrm{h}}+\sum_{i=1}^{t-1}\left(\prod_{j=i+1}^{t} \frac{\partial f(x_{j},h_{j-1},w_\textrm{h})}{\partial h_{j-1}} \right) \frac{\partial f(x_{i},h_{i-1},w_\textrm{h})}{\partial w_\textrm{h}}.""",
        "scalar",
        lambda r, t: [
            r.dh_dwh(t),
            r.df_dwh(t)
            + sum(
                r.prod(r.df_dh(j) for j in range(i + 1, t + 1)) * r.df_dwh(i) for i in range(1, t)
            ),
        ],
        "holds",
    ),
    Formula(
        "d2l/eq_bptt_partial_L_ot",
        "d2l",
        "eq. (9.7.11)",
        r"""\frac{\partial L}{\partial \mathbf{o}_t} =  \frac{\partial l (\mathbf{o}_t, y_t)}{T \cdot \partial \mathbf{o}_t} \in \mathbb{R}^q.""",
        LINEAR,
        _dL_do,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l/partial_L_Wqh",
        "d2l",
        "eq. (9.7.12)",
        r"""
\frac{\partial L}{\partial \mathbf{W}_\textrm{qh}}
= \sum_{t=1}^T \textrm{prod}\left(\frac{\partial L}{\partial \mathbf{o}_t}, \frac{\partial \mathbf{o}_t}{\partial \mathbf{W}_\textrm{qh}}\right)
= \sum_{t=1}^T \frac{\partial L}{\partial \mathbf{o}_t} \mathbf{h}_t^\top,
""",
        LINEAR,
        _dL_dWhy,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l/eq_bptt_partial_L_hT_final_step",
        "d2l",
        "eq. (9.7.13)",
        r"""\frac{\partial L}{\partial \mathbf{h}_T} = \textrm{prod}\left(\frac{\partial L}{\partial \mathbf{o}_T}, \frac{\partial \mathbf{o}_T}{\partial \mathbf{h}_T} \right) = \mathbf{W}_\textrm{qh}^\top \frac{\partial L}{\partial \mathbf{o}_T}.""",
        LINEAR,
        lambda r, t: [
            _d(r, "h", r.T),
            r.jac("o", r.T, "h", r.T).T @ _d(r, "o", r.T),
            r.W_hy.T @ _d(r, "o", r.T),
        ],
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l/eq_bptt_partial_L_ht_recur",
        "d2l",
        "eq. (9.7.14)",
        r"""\frac{\partial L}{\partial \mathbf{h}_t} = \textrm{prod}\left(\frac{\partial L}{\partial \mathbf{h}_{t+1}}, \frac{\partial \mathbf{h}_{t+1}}{\partial \mathbf{h}_t} \right) + \textrm{prod}\left(\frac{\partial L}{\partial \mathbf{o}_t}, \frac{\partial \mathbf{o}_t}{\partial \mathbf{h}_t} \right) = \mathbf{W}_\textrm{hh}^\top \frac{\partial L}{\partial \mathbf{h}_{t+1}} + \mathbf{W}_\textrm{qh}^\top \frac{\partial L}{\partial \mathbf{o}_t}.""",
        LINEAR,
        lambda r, t: [
            _d(r, "h", t),
            r.jac("h", t + 1, "h", t).T @ _d(r, "h", t + 1)
            + r.jac("o", t, "h", t).T @ _d(r, "o", t),
            r.W_hh.T @ _d(r, "h", t + 1) + r.W_hy.T @ _d(r, "o", t),
        ],
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l/eq_bptt_partial_L_ht",
        "d2l",
        "eq. (9.7.15)",
        r"""\frac{\partial L}{\partial \mathbf{h}_t}= \sum_{i=t}^T {\left(\mathbf{W}_\textrm{hh}^\top\right)}^{T-i} \mathbf{W}_\textrm{qh}^\top \frac{\partial L}{\partial \mathbf{o}_{T+t-i}}.""",
        LINEAR,
        _dL_dh_unrolled,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l/partial_L_Whx",
        "d2l",
        "eq. (9.7.16), first row",
        r"""\frac{\partial L}{\partial \mathbf{W}_\textrm{hx}}
&= \sum_{t=1}^T \textrm{prod}\left(\frac{\partial L}{\partial \mathbf{h}_t}, \frac{\partial \mathbf{h}_t}{\partial \mathbf{W}_\textrm{hx}}\right)
= \sum_{t=1}^T \frac{\partial L}{\partial \mathbf{h}_t} \mathbf{x}_t^\top,""",
        LINEAR,
        _dL_dWxh_total,
        "fails",
        notation="d2l",
        note="dh_t/dW_hx is the total derivative as written (it counts the paths through "
        "h_(t-1) again); d2l means the immediate one, which the result's hint names",
    ),
    Formula(
        "d2l/partial_L_Whh",
        "d2l",
        "eq. (9.7.16), second row",
        r"""\frac{\partial L}{\partial \mathbf{W}_\textrm{hh}}
&= \sum_{t=1}^T \textrm{prod}\left(\frac{\partial L}{\partial \mathbf{h}_t}, \frac{\partial \mathbf{h}_t}{\partial \mathbf{W}_\textrm{hh}}\right)
= \sum_{t=1}^T \frac{\partial L}{\partial \mathbf{h}_t} \mathbf{h}_{t-1}^\top,""",
        LINEAR,
        _dL_dWhh_total,
        "fails",
        notation="d2l",
        note="as for W_hx: the total dh_t/dW_hh where the immediate one is meant",
    ),
    # -- d2l, MXNet edition (2019) -------------------------------------------------------------
    Formula(
        "d2l-0.7/partial_L_o",
        "d2l-0.7",
        "section 8.7.3",
        r"""\frac{\partial L}{\partial \mathbf{o}_t} =  \frac{\partial \ell (\mathbf{o}_t, y_t)}{T \cdot \partial \mathbf{o}_t}.""",
        LINEAR,
        _dL_do,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l-0.7/partial_L_Wqh",
        "d2l-0.7",
        "section 8.7.3",
        r"""
\frac{\partial L}{\partial \mathbf{W}_{qh}}
= \sum_{t=1}^T \text{prod}\left(\frac{\partial L}{\partial \mathbf{o}_t}, \frac{\partial \mathbf{o}_t}{\partial \mathbf{W}_{qh}}\right)
= \sum_{t=1}^T \frac{\partial L}{\partial \mathbf{o}_t} \mathbf{h}_t^\top.
""",
        LINEAR,
        _dL_dWhy,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l-0.7/partial_L_hT",
        "d2l-0.7",
        "section 8.7.3",
        r"""
\frac{\partial L}{\partial \mathbf{h}_T} = \text{prod}\left(\frac{\partial L}{\partial \mathbf{o}_T}, \frac{\partial \mathbf{o}_T}{\partial \mathbf{h}_T} \right) = \mathbf{W}_{qh}^\top \frac{\partial L}{\partial \mathbf{o}_T}.
""",
        LINEAR,
        _dL_dhT,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l-0.7/partial_L_ht_recur",
        "d2l-0.7",
        "section 8.7.3",
        r"""
\frac{\partial L}{\partial \mathbf{h}_t}
= \text{prod}\left(\frac{\partial L}{\partial \mathbf{h}_{t+1}}, \frac{\partial \mathbf{h}_{t+1}}{\partial \mathbf{h}_t} \right)
+ \text{prod}\left(\frac{\partial L}{\partial \mathbf{o}_t}, \frac{\partial \mathbf{o}_t}{\partial \mathbf{h}_t} \right)
= \mathbf{W}_{hh}^\top \frac{\partial L}{\partial \mathbf{h}_{t+1}} + \mathbf{W}_{qh}^\top \frac{\partial L}{\partial \mathbf{o}_t}.
""",
        LINEAR,
        _dL_dh_recursion,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l-0.7/partial_L_ht",
        "d2l-0.7",
        "section 8.7.3",
        r"""
\frac{\partial L}{\partial \mathbf{h}_t}
= \sum_{i=t}^T {\left(\mathbf{W}_{hh}^\top\right)}^{T-i} \mathbf{W}_{qh}^\top \frac{\partial L}{\partial \mathbf{o}_{T+t-i}}.
""",
        LINEAR,
        _dL_dh_unrolled,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l-0.7/partial_w_L",
        "d2l-0.7",
        "section 8.7.1",
        r"""\begin{aligned}
\partial_{w} L & = \sum_{t=1}^T \partial_w l(y_t, o_t) \\
	& = \sum_{t=1}^T \partial_{o_t} l(y_t, o_t) \partial_w g(h_t, w) \partial_w h_t
\end{aligned}""",
        "scalar-sum",
        None,
        "refused",
        note="g(h_t, w), the output map, is not a function of the seeds' model (and "
        "\\partial_w g(h_t, w) is the slip a later edition fixed: \\partial_h g)",
        notation="d2l",
    ),
    Formula(
        "d2l-0.7/partial_w_ht",
        "d2l-0.7",
        "section 8.7.1",
        r"""\begin{aligned}
	\partial_w h_t & = \partial_w f(x_t, h_{t-1}, w) + \partial_h f(x_t, h_{t-1}, w) \partial_w h_{t-1} \\
	& = \sum_{i=t}^1 \left[\prod_{j=t}^i \partial_h f(x_j, h_{j-1}, w) \right] \partial_w f(x_{i}, h_{i-1}, w)
\end{aligned}""",
        "scalar",
        lambda r, t: [
            r.dh_dw(t),
            r.df_dw(t) + r.df_dh(t) * r.dh_dw(t - 1),
            sum(r.prod(r.df_dh(j) for j in range(i, t + 1)) * r.df_dw(i) for i in range(1, t + 1)),
        ],
        "fails",
        note="the second line's product over j = t..i includes step i's Jacobian (its sum "
        "runs from i = t down to 1, read as i = 1..t): a later edition fixed both",
        notation="d2l",
    ),
    # -- d2l, first Chinese edition ------------------------------------------------------------
    Formula(
        "d2l-zh-0.4/partial_L_o",
        "d2l-zh-0.4",
        "gradients, first display",
        r"""\frac{\partial L}{\partial \mathbf{o}_t} =  \frac{\partial \ell (\mathbf{o}_t, y_t)}{T \cdot \partial \mathbf{o}_t} """,
        LINEAR,
        _dL_do,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l-zh-0.4/partial_L_Wyh",
        "d2l-zh-0.4",
        "the output weights",
        r"""\frac{\partial L}{\partial \mathbf{W}_{yh}} 
= \sum_{t=1}^T \text{prod}(\frac{\partial L}{\partial \mathbf{o}_t}, \frac{\partial \mathbf{o}_t}{\partial \mathbf{W}_{yh}}) 
= \sum_{t=1}^T \frac{\partial L}{\partial \mathbf{o}_t} \mathbf{h}_t^\top
""",
        LINEAR,
        _dL_dWhy,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l-zh-0.4/partial_L_hT",
        "d2l-zh-0.4",
        "the last hidden state",
        r"""\frac{\partial L}{\partial \mathbf{h}_T} = \text{prod}(\frac{\partial L}{\partial \mathbf{o}_T}, \frac{\partial \mathbf{o}_T}{\partial \mathbf{h}_T} ) = \mathbf{W}_{yh}^\top \frac{\partial L}{\partial \mathbf{o}_T}
""",
        LINEAR,
        _dL_dhT,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l-zh-0.4/partial_L_ht_recur",
        "d2l-zh-0.4",
        "the recursion (phi(x) = x)",
        r"""\frac{\partial L}{\partial \mathbf{h}_t} 
= \text{prod}(\frac{\partial L}{\partial \mathbf{h}_{t+1}}, \frac{\partial \mathbf{h}_{t+1}}{\partial \mathbf{h}_t} ) 
+ \text{prod}(\frac{\partial L}{\partial \mathbf{o}_t}, \frac{\partial \mathbf{o}_t}{\partial \mathbf{h}_t} ) 
= \mathbf{W}_{hh}^\top \frac{\partial L}{\partial \mathbf{h}_{t+1}} + \mathbf{W}_{yh}^\top \frac{\partial L}{\partial \mathbf{o}_t}
""",
        LINEAR,
        _dL_dh_recursion,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l-zh-0.4/partial_L_ht",
        "d2l-zh-0.4",
        "the recursion unrolled",
        r"""\frac{\partial L}{\partial \mathbf{h}_t} 
= \sum_{i=t}^T {(\mathbf{W}_{hh}^\top)}^{T-i} \mathbf{W}_{yh}^\top \frac{\partial L}{\partial \mathbf{o}_{T+t-i}}
""",
        LINEAR,
        _dL_dh_unrolled,
        "holds",
        notation="d2l",
    ),
    Formula(
        "d2l-zh-0.4/partial_L_Whx",
        "d2l-zh-0.4",
        "the input weights",
        r"""\frac{\partial L}{\partial \mathbf{W}_{hx}} 
= \sum_{t=1}^T \text{prod}(\frac{\partial L}{\partial \mathbf{h}_t}, \frac{\partial \mathbf{h}_t}{\partial \mathbf{W}_{hx}}) 
= \sum_{t=1}^T \frac{\partial L}{\partial \mathbf{h}_t} \mathbf{x}_t^\top
""",
        LINEAR,
        _dL_dWxh_total,
        "fails",
        note="the total dh_t/dW_hx where the immediate one is meant, as in the later editions",
        notation="d2l",
    ),
    Formula(
        "d2l-zh-0.4/partial_L_Whh",
        "d2l-zh-0.4",
        "the recurrent weights",
        r"""\frac{\partial L}{\partial \mathbf{W}_{hh}} 
= \sum_{t=1}^T \text{prod}(\frac{\partial L}{\partial \mathbf{h}_t}, \frac{\partial \mathbf{h}_t}{\partial \mathbf{W}_{hh}}) 
= \sum_{t=1}^T \frac{\partial L}{\partial \mathbf{h}_t} \mathbf{h}_{t-1}^\top
""",
        LINEAR,
        _dL_dWhh_total,
        "fails",
        note="as for W_hx",
        notation="d2l",
    ),
    # -- Goodfellow et al. -----------------------------------------------------------------------
    Formula(
        "goodfellow/10.17",
        "goodfellow",
        "eq. (10.17)",
        r"""
 \frac{\partial L}{\partial L^{(t)}} = 1.
""",
        GOODFELLOW,
        lambda r, t: [r.dL_dlt(t), 1.0],
        "holds",
        notation="goodfellow",
    ),
    Formula(
        "goodfellow/10.18",
        "goodfellow",
        "eq. (10.18)",
        r"""
 (\nabla_{\Vo^{(t)}} L)_i =  \frac{\partial L}{\partial o_i^{(t)}} 
 =  \frac{\partial L}{\partial L^{(t)}}  \frac{\partial L^{(t)}}{\partial o_i^{(t)}}  
 = \hat y_i^{(t)} - \mathbf{1}_{i,y^{(t)}}.
""",
        GOODFELLOW,
        lambda r, t: [_d(r, "o", t), _d(r, "o", t), r.dl_do(t), r.probabilities_minus_target(t)],
        "holds",
        notation="goodfellow",
        macros=GOODFELLOW_MACROS,
    ),
    Formula(
        "goodfellow/10.19",
        "goodfellow",
        "eq. (10.19)",
        r"""
 \nabla_{\Vh^{(\tau)}} L = \MV^\top \nabla_{\Vo^{(\tau)}} L.
""",
        GOODFELLOW,
        _dL_dhT,
        "holds",
        notation="goodfellow",
        macros=GOODFELLOW_MACROS,
    ),
    Formula(
        "goodfellow/10.20-10.21",
        "goodfellow",
        "eqs. (10.20)-(10.21)",
        r"""
  \nabla_{\Vh^{(t)}} L = \Big( \frac{\partial \Vh^{(t+1)}}{ \partial \Vh^{(t)}}  \Big)^\top(\nabla_{\Vh^{(t+1)}} L) 
  + \Big( \frac{\partial \Vo^{(t)}}{ \partial \Vh^{(t)}}  \Big)^\top (\nabla_{\Vo^{(t)}} L) \\
  = \MW^\top (\nabla_{\Vh^{(t+1)}} L) \text{diag} \Big( 1 - (\Vh^{(t+1)})^2 \Big) 
    + \MV^\top ( \nabla_{\Vo^{(t)}} L ),
""",
        GOODFELLOW,
        None,
        "refused",
        notation="goodfellow",
        macros=GOODFELLOW_MACROS,
        note="as printed, W^T (nabla L) diag(...) multiplies a column by a matrix: the "
        "formula has no value (the first '=' alone holds)",
    ),
    Formula(
        "goodfellow/10.22",
        "goodfellow",
        "eq. (10.22)",
        r"""\nabla_{\Vc} L &=  \sum_t \Big( \frac{\partial \Vo^{(t)}}{\partial \Vc} \Big)^\top \nabla_{\Vo^{(t)}} L 
 = \sum_t \nabla_{\Vo^{(t)}} L ,""",
        GOODFELLOW,
        lambda r, t: [
            r.param_grad("b_y"),
            sum(r.chain_by_param(_d(r, "o", k), "o", k, "b_y") for k in r.steps),
            sum(_d(r, "o", k) for k in r.steps),
        ],
        "holds",
        notation="goodfellow",
        macros=GOODFELLOW_MACROS,
    ),
    Formula(
        "goodfellow/10.23",
        "goodfellow",
        "eq. (10.23)",
        r"""\nabla_{\Vb} L &= \sum_t \Big( \frac{\partial \Vh^{(t)}}{\partial \Vb^{(t)}} \Big)^\top \nabla_{\Vh^{(t)}} L 
 = \sum_t \text{diag} \Big( 1 - \big( \Vh^{(t)} \big)^2 \Big)  \nabla_{\Vh^{(t)}} L  ,""",
        GOODFELLOW,
        lambda r, t: [
            r.param_grad("b_h"),
            sum(r.immediate_chain(_d(r, "h", k), k, "b_h") for k in r.steps),
            sum((1 - r.h[k] ** 2) * _d(r, "h", k) for k in r.steps),
        ],
        "holds",
        notation="goodfellow",
        macros=GOODFELLOW_MACROS,
    ),
    Formula(
        "goodfellow/10.24",
        "goodfellow",
        "eq. (10.24)",
        r"""\nabla_{\MV} L &= \sum_t \sum_i \Big( \frac{\partial L} {\partial o_i^{(t)}}\Big) \nabla_{\MV} o_i^{(t)} 
 = \sum_t (\nabla_{\Vo^{(t)}} L) \Vh^{(t)^\top},""",
        GOODFELLOW,
        _dL_dWhy,
        "holds",
        notation="goodfellow",
        macros=GOODFELLOW_MACROS,
    ),
    Formula(
        "goodfellow/10.25-10.26",
        "goodfellow",
        "eqs. (10.25)-(10.26)",
        r"""\nabla_{\MW} L &= \sum_t \sum_i \Big( \frac{\partial L} {\partial h_i^{(t)}}\Big) 
 \nabla_{\MW^{(t)}} h_i^{(t)} \\
&= \sum_t \text{diag} \Big( 1 - \big( \Vh^{(t)} \big)^2 \Big) ( \nabla_{\Vh^{(t)}} L) \Vh^{(t-1)^\top} ,""",
        GOODFELLOW,
        lambda r, t: [
            r.param_grad("W_hh"),
            sum(r.immediate_chain(_d(r, "h", k), k, "W_hh") for k in r.steps),
            sum(((1 - r.h[k] ** 2) * _d(r, "h", k)) @ r.h[k - 1].T for k in r.steps),
        ],
        "holds",
        notation="goodfellow",
        macros=GOODFELLOW_MACROS,
    ),
    Formula(
        "goodfellow/10.27-10.28",
        "goodfellow",
        "eqs. (10.27)-(10.28)",
        r"""\nabla_{\MU} L &= \sum_t \sum_i \Big( \frac{\partial L} {\partial h_i^{(t)}}\Big) 
 \nabla_{\MU^{(t)}} h_i^{(t)} \\
&= \sum_t \text{diag} \Big( 1 - \big( \Vh^{(t)} \big)^2 \Big) ( \nabla_{\Vh^{(t)}} L) \Vx^{(t)^\top} ,""",
        GOODFELLOW,
        lambda r, t: [
            r.param_grad("W_xh"),
            sum(r.immediate_chain(_d(r, "h", k), k, "W_xh") for k in r.steps),
            sum(((1 - r.h[k] ** 2) * _d(r, "h", k)) @ r.x[k].T for k in r.steps),
        ],
        "holds",
        notation="goodfellow",
        macros=GOODFELLOW_MACROS,
    ),
    # -- Cross Validated 464774 --------------------------------------------------------------------
    Formula(
        "cv/question-dL-ds",
        "cv-question",
        "the question's first display",
        r"""\dfrac{\partial L}{\partial s_t} = \dfrac{\partial L}{\partial h_t}\dfrac{ \partial h_t}{\partial s_t} = \dfrac{\partial L}{\partial h_t} \phi^\prime(s_t)""",
        "scalar",
        lambda r, t: [_d(r, "s", t), _d(r, "h", t) * r.slope(t)],
        "holds",
    ),
    Formula(
        "cv/question-dL-dh",
        "cv-question",
        "the question's second display",
        r"""\dfrac{\partial L}{\partial h_t} = \dfrac{\partial L}{\partial {\hat y}_t}\dfrac{ \partial {\hat y}_t}{\partial h_t} + \dfrac{\partial L}{\partial s_{t+1}}\dfrac{ \partial s_{t+1}}{\partial h_t} = \dfrac{\partial L}{\partial {\hat y}_t} \phi^\prime(h_t) + \dfrac{\partial L}{\partial s_{t+1}}w """,
        "scalar",
        lambda r, t: [
            _d(r, "h", t),
            _d(r, "o", t) * r.out_slope(t) + r.grad_s(t + 1) * r.w,
            _d(r, "o", t) * r.phi_prime_of_h(t) + r.grad_s(t + 1) * r.w,
        ],
        "fails",
        note="phi'(h_t) where yhat_t = theta(h_t) calls for theta'(h_t)",
    ),
    Formula(
        "cv/question-recursion",
        "cv-question",
        "the question's third display",
        r"""\dfrac{\partial L}{\partial s_t} = \dfrac{\partial L}{\partial h_t}\dfrac{ \partial h_t}{\partial s_t} = \dfrac{\partial L}{\partial h_t} \phi^\prime(s_t) = (\dfrac{\partial L}{\partial {\hat y}_t} \phi^\prime(h_t) + \dfrac{\partial L}{\partial s_{t+1}}w) \phi^\prime(s_t)""",
        "scalar",
        lambda r, t: [
            _d(r, "s", t),
            _d(r, "h", t) * r.slope(t),
            (_d(r, "o", t) * r.phi_prime_of_h(t) + r.grad_s(t + 1) * r.w) * r.slope(t),
        ],
        "fails",
        note="the same slip, carried into the recursion",
    ),
    Formula(
        "cv/answer-dL-dhT",
        "cv-answer",
        "the answer's first display",
        r""" \begin{align} \dfrac{\partial L}{\partial h_{T}} &= \dfrac{\partial L}{\partial {\hat y}_T}\dfrac{ \partial {\hat y}_T}{\partial h_T} \\ &= \dfrac{\partial L}{\partial {\hat y}_T} \theta^{'}(h_{T}) \end{align} """,
        "scalar",
        lambda r, t: [_d(r, "h", r.T), _d(r, "o", r.T) * r.out_slope(r.T)],
        "holds",
    ),
    Formula(
        "cv/answer-dL-dsT",
        "cv-answer",
        "the answer's second display",
        r""" \frac{∂L}{∂s_{T}}=\frac{∂L}{∂h_{T}} \frac{∂h_{T}}{∂s_{T}}=\dfrac{\partial L}{\partial {\hat y}_T} \theta^{'}(h_{T}) ϕ′(s_{T}) """,
        "scalar",
        lambda r, t: [
            _d(r, "s", r.T),
            _d(r, "h", r.T) * r.slope(r.T),
            _d(r, "o", r.T) * r.out_slope(r.T) * r.slope(r.T),
        ],
        "holds",
    ),
    Formula(
        "cv/comment-dL-dsT",
        "cv-answer",
        "the asker's comment on the answer",
        r""" \frac{∂L}{∂s_{T}}=\frac{∂L}{∂h_{T}} \frac{∂h_{T}}{∂s_{T}}=\frac{∂L}{∂h_{T}}ϕ′(s_{T}) """,
        "scalar",
        lambda r, t: [_d(r, "s", r.T), _d(r, "h", r.T) * r.slope(r.T)],
        "holds",
    ),
    # -- blog tutorials ------------------------------------------------------------------------
    Formula(
        "zhangruochi/chain",
        "zhangruochi",
        "Why gradient vanish",
        r"""\frac{\partial s_{3}}{\partial s_{1}} = \frac{\partial s_{3}}{\partial s_{2}} \frac{\partial s_{2}}{\partial s_{1}}""",
        WILDML,
        _jacobian_chain,
        "holds",
    ),
    Formula(
        "nadavb/jacobian",
        "nadavb",
        "the Jacobian of x_t by x_(t-1)",
        r"""\begin{equation} \begin{aligned} \underbrace{ \frac{\partial \boldsymbol{x_t}}{\partial \boldsymbol{x_{t-1}}}}_{\text{d,d}} = \boldsymbol{W} diag(\sigma ' (\boldsymbol{x_{t-1}})) \end{aligned} \end{equation}""",
        TANH,
        lambda r, t: [r.jac_s(t), r.W_hh @ torch_diag(r.slope(t - 1))],
        "holds",
        steps=lambda T: range(2, T + 1),
        notation="pascanu",
    ),
    Formula(
        "nadavb/total-error",
        "nadavb",
        "the gradient of the total error",
        r"""\begin{equation} \begin{aligned} \underbrace{ \frac{\partial \varepsilon }{\partial \theta} }_{\text{d,d}} = \sum_{1 \leq t \leq T} \frac{\partial \varepsilon_t }{\partial \theta} \end{aligned} \end{equation}""",
        TANH,
        None,
        "refused",
        note="theta, any parameter, is not a name of the model",
        notation="pascanu",
    ),
    # -- M. M. Arat --------------------------------------------------------------------------------
    Formula(
        "arat/jacobian-chain",
        "arat",
        "the example under the W_hh gradient",
        r"""\frac{\partial h_{3}}{\partial h_{1}} = \frac{\partial h_{3}}{\partial h_{2}}\frac{\partial h_{2}}{\partial h_{1}}""",
        TANH,
        _jacobian_chain,
        "holds",
    ),
    Formula(
        "arat/dL-dby",
        "arat",
        "the gradient of b_y",
        r"""
\frac{\partial L}{\partial b_{y}}  = \sum_{t = 1}^{T} \frac{\partial L_{t}}{\partial \hat{y}_{t}} \frac{\partial \hat{y}_{t}}{\partial o_{t}} \frac{\partial o_{t}}{\partial b_{y}}
""",
        GOODFELLOW,
        lambda r, t: [
            r.param_grad("b_y").T,
            sum(r.dl_dyhat(k) @ r.softmax_jacobian(k) for k in r.steps),
        ],
        "holds",
        note="holds in numerator layout: dL_t/dyhat_t is a row there",
    ),
    Formula(
        "arat/dLt1-dWhh-two-steps",
        "arat",
        "the W_hh gradient through h_t",
        r"""
\frac{\partial L_{t+1}}{\partial W_{hh}} =  \frac{\partial L_{t+1}}{\partial \hat{y}_{t+1}} \frac{\partial \hat{y}_{t+1}}{\partial h_{t+1}}\frac{\partial h_{t+1}}{\partial h_{t}} \frac{\partial h_{t}}{\partial W_{hh}}
""",
        GOODFELLOW,
        lambda r, t: [
            r.step_grad(t + 1, "W_hh"),
            r.chain_by_param(
                (
                    r.dl_dyhat(t + 1)
                    @ r.softmax_jacobian(t + 1)
                    @ r.W_hy
                    @ r.jac("h", t + 1, "h", t)
                ).T,
                "h",
                t,
                "W_hh",
            ),
        ],
        "fails",
        steps=lambda T: range(1, T),
        note="the path through h_t alone, as the post says in words; as an equation it "
        "lacks the immediate term (the post's next display sums over every h_k)",
    ),
    Formula(
        "arat/jacobian-power",
        "arat",
        "the vanishing-gradient section",
        r"""
\prod^{t}_{j=k} \frac{\partial h_{j+1}}{\partial h_{j}} = \frac{\partial h_{t+1}}{\partial h_k} = \frac{\partial h_{t+1}}{\partial h_{t}}\frac{\partial h_{t}}{\partial h_{t-1}}...\frac{\partial h_{k+1}}{\partial h_k} 
""",
        TANH,
        lambda r, t: [
            r.stack(r.chain(t + 1, k) for k in range(t)),
            r.stack(r.jac("h", t + 1, "h", k) for k in range(t)),
            r.stack(r.chain(t + 1, k) for k in range(t)),
        ],
        "holds",
        steps=lambda T: range(1, T),
    ),
    # -- D. Britz (WildML): steps from 0, E_3 the fourth step's loss ---------------------------
    Formula(
        "wildml/dE3-dV",
        "wildml",
        "the gradient of V",
        r"""\frac{\partial E_{3}}{\partial V} = \frac{\partial E_{3}}{\partial \hat{y_{3}}} \frac{\partial \hat{y_{3}}}{\partial V} =\frac{\partial E_{3}}{\partial \hat{y_{3}}} \frac{\partial \hat{y_{3}}}{\partial z_{3}} \frac{\partial z_{3}}{\partial V}=(\hat{y_{3}} - y_{3}) \otimes s_{3}""",
        WILDML,
        lambda r, t: [
            r.step_grad(4, "W_hy").T,  # the chain rule of rows: numerator layout, V^T's shape
            r.chain_by_param(r.step_node_grad(4, "o"), "o", 4, "W_hy").T,
            r.chain_by_param((r.dl_dyhat(4) @ r.softmax_jacobian(4)).T, "o", 4, "W_hy").T,
            r.probabilities_minus_target(4) @ r.h[4].T,
        ],
        "fails",
        notation="wildml",
        T=4,
        note="the last '=' equates the row layout's dE_3/dV with its transpose: it holds "
        "up to transposition, and the result says so",
    ),
    Formula(
        "wildml/dE3-dW-chain",
        "wildml",
        "the gradient of W",
        r"""\frac{\partial E_{3}}{\partial W}=\frac{\partial E_{3}}{\partial \hat{y_{3}}} \frac{\partial \hat{y_{3}}}{\partial s_{3}} \frac{\partial s_{3}}{\partial W}""",
        WILDML,
        lambda r, t: [
            r.step_grad(4, "W_hh"),
            r.chain_by_param((r.dl_dyhat(4) @ r.softmax_jacobian(4) @ r.W_hy).T, "h", 4, "W_hh"),
        ],
        "holds",
        notation="wildml",
        T=4,
    ),
    Formula(
        "wildml/dE3-dW-sum",
        "wildml",
        "the gradient of W, summed over the steps",
        r"""\frac{\partial E_{3}}{\partial W}=\sum_{k=0}^{3}\frac{\partial E_{3}}{\partial \hat{y_{3}}} \frac{\partial \hat{y_{3}}}{\partial s_{3}} \frac{\partial s_{3}}{\partial s_{k}} \frac{\partial s_{k}}{\partial W}""",
        WILDML,
        lambda r, t: [
            r.step_grad(4, "W_hh"),
            sum(
                r.chain_by_param(
                    (r.dl_dyhat(4) @ r.softmax_jacobian(4) @ r.W_hy @ r.chain(4, k)).T,
                    "h",
                    k,
                    "W_hh",
                )
                for k in range(1, 5)
            ),
        ],
        "fails",
        notation="wildml",
        T=4,
        note="ds_k/dW is the immediate partial in the tutorial's words; read as the total "
        "derivative it counts step k's effect again (the repair says so)",
    ),
    # -- W. Wolf: chain rules of rows, J_t the loss at step t --------------------------------
    *(
        Formula(
            f"wolf/dJ{t}-dWhy" + ("" if t == j else "-third-line"),
            "wolf",
            "Algebraic Derivatives, dJ_t/dW^{hy}" + (" (its third line)" if t == 1 else ""),
            latex,
            GOODFELLOW,
            lambda r, _t, k=t, j=j: [
                r.step_grad(k, "W_hy").T,
                r.chain_by_param((r.dl_dyhat(j) @ r.softmax_jacobian(j)).T, "o", j, "W_hy").T,
            ],
            "holds" if t == j else "fails",
            notation=WOLF,
            note="" if t == j else "J_3 on the left, J_1's chain rule on the right: a slip",
        )
        for t, j, latex in (
            (
                3,
                3,
                r"""\frac{\partial \mathbf{J_3}}{\partial \mathbf{W^{hy}}} =
\frac{\partial \mathbf{J_3}}{\partial \mathbf{p_3}}
\frac{\partial \mathbf{p_3}}{\partial \mathbf{y_3}}
\frac{\partial \mathbf{y_3}}{\partial \mathbf{W^{hy}}}\\""",
            ),
            (
                2,
                2,
                r"""\frac{\partial \mathbf{J_2}}{\partial \mathbf{W^{hy}}} =
\frac{\partial \mathbf{J_2}}{\partial \mathbf{p_2}}
\frac{\partial \mathbf{p_2}}{\partial \mathbf{y_2}}
\frac{\partial \mathbf{y_2}}{\partial \mathbf{W^{hy}}}\\""",
            ),
            (
                3,
                1,
                r"""\frac{\partial \mathbf{J_3}}{\partial \mathbf{W^{hy}}} =
\frac{\partial \mathbf{J_1}}{\partial \mathbf{p_1}}
\frac{\partial \mathbf{p_1}}{\partial \mathbf{y_1}}
\frac{\partial \mathbf{y_1}}{\partial \mathbf{W^{hy}}}\\""",
            ),
        )
    ),
    Formula(
        "wolf/dJt-dWhh-sum",
        "wolf",
        "Algebraic Derivatives, dJ_t/dW^{hh} as a sum",
        r"""
\frac{\partial \mathbf{J_t}}{\partial \mathbf{W^{hh}}} =
\sum\limits_{k=0}^{t} \frac{\partial \mathbf{J_t}}{\partial
\mathbf{h_t}} \frac{\partial \mathbf{h_t}}{\partial
\mathbf{h_k}} \frac{\partial \mathbf{h_k}}{\partial
\mathbf{z_k}} \frac{\partial \mathbf{z_k}}{\partial
\mathbf{W^{hh}}}
""",
        GOODFELLOW,
        None,
        "refused",
        notation=WOLF,
        note="the sum from k = 0 reaches dh_0/dz_0, but the notes' first step is 1 (J_1, "
        "h_1 = tanh(z_1)): z_0 is not in the model",
    ),
    Formula(
        "wolf/dJ2-dWhh",
        "wolf",
        "Algebraic Derivatives, dJ_2/dW^{hh}",
        r"""\begin{align*}
\frac{\partial \mathbf{J_2}}{\partial \mathbf{W^{hh}}} &=
\frac{\partial \mathbf{J_2}}{\partial \mathbf{p_2}}
\frac{\partial \mathbf{p_2}}{\partial \mathbf{y_2}}
\frac{\partial \mathbf{y_2}}{\partial \mathbf{h_2}}
\frac{\partial \mathbf{h_2}}{\partial \mathbf{z_2}}
\frac{\partial \mathbf{z_2}}{\partial \mathbf{W^{hh}}}\\ &+
\frac{\partial \mathbf{J_2}}{\partial \mathbf{p_2}}
\frac{\partial \mathbf{p_2}}{\partial \mathbf{y_2}}
\frac{\partial \mathbf{y_2}}{\partial \mathbf{h_2}}
\frac{\partial \mathbf{h_2}}{\partial \mathbf{z_2}}
\frac{\partial \mathbf{z_2}}{\partial \mathbf{h_1}}
\frac{\partial \mathbf{h_1}}{\partial \mathbf{z_1}}
\frac{\partial \mathbf{z_1}}{\partial \mathbf{W^{hh}}}
\end{align*}""",
        GOODFELLOW,
        lambda r, t: [
            r.step_grad(2, "W_hh"),
            r.chain_by_param((_wolf_row(r, 2) @ r.diag_slope(2)).T, "s", 2, "W_hh")
            + r.chain_by_param(
                (_wolf_row(r, 2) @ r.diag_slope(2) @ r.W_hh @ r.diag_slope(1)).T, "s", 1, "W_hh"
            ),
        ],
        "fails",
        notation=WOLF,
        note="dz_2/dW^{hh} is the immediate partial in the notes (dz_t/dW^{hh} = h_(t-1)); "
        "read as the total derivative, the path through h_1 is counted twice",
    ),
    Formula(
        "wolf/dJ1-dWhh",
        "wolf",
        "Algebraic Derivatives, dJ_1/dW^{hh}",
        r"""\begin{align*}
\frac{\partial \mathbf{J_1}}{\partial \mathbf{W^{hh}}} &=
\frac{\partial \mathbf{J_1}}{\partial \mathbf{p_1}}
\frac{\partial \mathbf{p_1}}{\partial \mathbf{y_1}}
\frac{\partial \mathbf{y_1}}{\partial \mathbf{h_1}}
\frac{\partial \mathbf{h_1}}{\partial \mathbf{z_1}}
\frac{\partial \mathbf{z_1}}{\partial \mathbf{W^{hh}}}
\end{align*}""",
        GOODFELLOW,
        lambda r, t: [
            r.step_grad(1, "W_hh"),
            r.chain_by_param((_wolf_row(r, 1) @ r.diag_slope(1)).T, "s", 1, "W_hh"),
        ],
        "holds",
        notation=WOLF,
    ),
    Formula(
        "wolf/dzt-dht-1",
        "wolf",
        "Analytical Derivatives",
        r"""\frac{\partial \mathbf{z_t}}{\mathbf{h_{t-1}}} = \mathbf{W^{hh}}""",
        GOODFELLOW,
        None,
        "refused",
        notation=WOLF,
        note="the denominator lacks its \\partial: a division by a vector, which has no "
        "value (dz_t/dh_(t-1) = W^{hh} with it)",
    ),
    # -- Y. Huang ------------------------------------------------------------------------------
    Formula(
        "huang/dLt-dgt-chain",
        "huang",
        "section 2, dL_t/dg_t",
        r"""
    \frac{\partial L_t}{\partial g_t} = \frac{\partial L_t}{\partial \hat{y}_t}\frac{\partial \hat{y}_t}{\partial g_t}
""",
        GOODFELLOW,
        lambda r, t: [
            r.step_node_grad(t, "o").T,
            r.dl_dyhat(t) @ r.softmax_jacobian(t),
        ],
        "holds",
        notation=HUANG,
    ),
    Formula(
        "huang/dLt-dgt",
        "huang",
        "section 2, dL_t/dg_t in vector form",
        r"""
\frac{\partial L_t}{\partial g_t} = (\hat{y}_t - y_t)^\top    
""",
        GOODFELLOW,
        lambda r, t: [r.step_node_grad(t, "o").T, r.probabilities_minus_target(t).T],
        "holds",
        notation=HUANG,
    ),
    Formula(
        "huang/dLt-dV-chain",
        "huang",
        "section 2, the gradient of V",
        r"""
    \frac{\partial L_t}{\partial V} = \frac{\partial L_t}{\partial g_t} \frac{\partial g_t}{\partial V}
""",
        GOODFELLOW,
        lambda r, t: [
            r.step_grad(t, "W_hy"),
            r.chain_by_param(r.step_node_grad(t, "o"), "o", t, "W_hy"),
        ],
        "holds",
        notation=HUANG,
    ),
    Formula(
        "huang/dLt-dV",
        "huang",
        "section 2, the gradient of V as an outer product",
        r"""
    \frac{\partial L_t}{\partial V} = (\hat{y}_t - y_t)s_t^\top
""",
        GOODFELLOW,
        lambda r, t: [r.step_grad(t, "W_hy"), r.probabilities_minus_target(t) @ r.h[t].T],
        "holds",
        notation=HUANG,
    ),
    Formula(
        "huang/dLt-dW-chain",
        "huang",
        "section 2, the gradient of W",
        r"""
    \frac{\partial L_t}{\partial W} = \frac{\partial L_t}{\partial s_t}\frac{\partial s_t}{\partial W}
""",
        GOODFELLOW,
        lambda r, t: [
            r.step_grad(t, "W_hh"),
            r.chain_by_param(r.step_node_grad(t, "h"), "h", t, "W_hh"),
        ],
        "holds",
        notation=HUANG,
    ),
    Formula(
        "huang/dLt-dst",
        "huang",
        "section 2, dL_t/ds_t",
        r"""
    \frac{\partial L_t}{\partial s_t} &= \frac{\partial L_t}{\partial g_t}\frac{\partial g_t}{\partial s_t}
    = (\hat{y}_t - y_t)^\top V
""",
        GOODFELLOW,
        lambda r, t: [
            _row(r, t),
            r.step_node_grad(t, "o").T @ r.W_hy,
            r.probabilities_minus_target(t).T @ r.W_hy,
        ],
        "holds",
        notation=HUANG,
    ),
    Formula(
        "huang/dLt-dW-sum",
        "huang",
        "section 2, the recursion written into the chain",
        r"""
    \frac{\partial L_t}{\partial W} &= \sum_{k=1}^t \frac{\partial L_t}{\partial s_t}\frac{\partial s_t}{\partial s_k}\frac{\partial s_k}{\partial W} 
""",
        GOODFELLOW,
        lambda r, t: [r.step_grad(t, "W_hh"), _huang_total_sum(r, t)],
        "fails",
        notation=HUANG,
        note="ds_k/dW is the immediate partial in the text below it; read as the total "
        "derivative, step k's effect is counted again at every later step",
    ),
    Formula(
        "huang/dst-dsk",
        "huang",
        "section 2, ds_t/ds_k",
        r"""
    \frac{\partial s_t}{\partial s_k} &= \frac{\partial s_t}{\partial s_{t-1}}\frac{\partial s_{t-1}}{\partial s_{t-2}}\cdots\frac{\partial s_{k+1}}{\partial s_k} \\
    &= \prod_{i=k+1}^t\frac{\partial s_i}{\partial s_{i-1}} \\
    &= \prod_{i=k+1}^t\frac{\partial s_i}{\partial z_i}\frac{\partial z_i}{\partial s_{i-1}} \\
""",
        GOODFELLOW,
        lambda r, t: [
            r.stack(r.jac("h", t, "h", k) for k in range(t)),
            r.stack(r.chain(t, k) for k in range(t)),
            r.stack(r.chain(t, k) for k in range(t)),
            r.stack(_latest_left(r, t, k) for k in range(t)),
        ],
        "holds",
        notation=HUANG,
    ),
    Formula(
        "huang/dsi-dzi",
        "huang",
        "section 2, the Jacobian of tanh",
        r"""
    \frac{\partial s_i}{\partial z_i} = \text{diag}((1-s_{i, 1}^2), (1-s_{i, 2}^2), \cdots, (1-s_{i, D}^2))
""",
        GOODFELLOW,
        lambda r, t: [r.diag_slope(t), torch_diag(1 - r.h[t] ** 2)],
        "holds",
        notation=HUANG,
        note="diag of the entries s_{i, 1}, ..., s_{i, D}, D the hidden size",
    ),
    Formula(
        "huang/dLt-dyhat",
        "huang",
        "section 2, dL_t/dyhat_t by its entries",
        r"""
    \frac{\partial L_t}{\partial \hat{y}_t} = [-\frac{y_{t, 1}}{\hat{y}_{t, 1}}, -\frac{y_{t, 2}}{\hat{y}_{t, 2}}, \cdots, -\frac{y_{t, C}}{\hat{y}_{t, C}}]
""",
        GOODFELLOW,
        lambda r, t: [r.dl_dyhat(t), _minus_target_over_probabilities(r, t)],
        "holds",
        notation=HUANG,
        note="a row, as the notes say (1 x C): the numerator layout",
    ),
    Formula(
        "huang/dst-dsk-power",
        "huang",
        "section 2, ds_t/ds_k with W gathered",
        r"""
    \frac{\partial s_t}{\partial s_k} &= \prod_{i=k+1}^t\frac{\partial s_i}{\partial z_i}W = W^{t-k}\prod_{i=k+1}^t\frac{\partial s_i}{\partial z_i}
""",
        GOODFELLOW,
        lambda r, t: [
            r.stack(r.chain(t, k) for k in range(t)),
            r.stack(_latest_left(r, t, k) for k in range(t)),
            r.stack(r.mpow(r.W_hh, t - k) @ _slopes(r, k + 1, t) for k in range(t)),
        ],
        "fails",
        notation=HUANG,
        note="the first '=' holds with W inside the product (as meant); W^{t-k} in front "
        "takes the matrices as if they commuted",
    ),
    Formula(
        "huang/dsk-dW",
        "huang",
        "section 2, ds_k/dW",
        r"""
    \frac{\partial s_k}{\partial W} = \frac{\partial s_k}{\partial z_k}\frac{\partial z_k}{\partial W}  
""",
        GOODFELLOW,
        lambda r, t: [
            r.param_jacobian("h", t, "W_hh"),
            torch_einsum("ij,jbc->ibc", r.diag_slope(t), r.param_jacobian("s", t, "W_hh")),
        ],
        "holds",
        notation=HUANG,
        note="called the immediate derivative in the text, it holds as the total one too",
    ),
    Formula(
        "huang/dLt-dW-expanded",
        "huang",
        "section 2, the specific form of dL_t/dW (first equation)",
        r"""
    \frac{\partial L_t}{\partial W} &= \sum_{k=1}^t \frac{\partial L_t}{\partial s_t}\frac{\partial s_t}{\partial s_k}\frac{\partial s_k}{\partial W}\\
    &= \sum_{k=1}^t\frac{\partial L_t}{\partial s_t}W^{t-k}\left(\prod_{i=k+1}^t\frac{\partial s_i}{\partial z_i}\right)\frac{\partial s_k}{\partial z_k}\frac{\partial z_k}{\partial W}\\
""",
        GOODFELLOW,
        lambda r, t: [
            r.step_grad(t, "W_hh"),
            _huang_total_sum(r, t),
            _huang_power(r, t, 1, r.diag_slope),
        ],
        "fails",
        notation=HUANG,
        note="the total ds_k/dW, and W^{t-k} gathered in front",
    ),
    Formula(
        "huang/dLt-dW-final",
        "huang",
        "section 2, the specific form of dL_t/dW (second equation)",
        r"""
    \frac{\partial L_t}{\partial W} &= \sum_{k=1}^t\frac{\partial L_t}{\partial s_t}W^{t-k}\left(\prod_{i=k}^t\frac{\partial s_i}{\partial z_i}\right)\frac{\partial z_k}{\partial W}
""",
        GOODFELLOW,
        lambda r, t: [
            r.step_grad(t, "W_hh"),
            _huang_power(r, t, 0, lambda k: torch_eye(r)),
        ],
        "fails",
        notation=HUANG,
        note="W^{t-k} gathered in front of the slopes, and the total dz_k/dW",
    ),
    *(
        Formula(
            f"huang/dL-d{name}",
            "huang",
            "section 2, the final gradients",
            latex,
            GOODFELLOW,
            lambda r, t, p=param: _huang_total(r, p),
            "holds",
            notation=HUANG,
        )
        for name, param, latex in (
            (
                "V",
                "W_hy",
                r"\frac{\partial L}{\partial V} &= \sum_{t=1}^T\frac{\partial L_t}{\partial V} \\",
            ),
            (
                "W",
                "W_hh",
                r"    \frac{\partial L}{\partial W} &= \sum_{t=1}^T\frac{\partial L_t}{\partial W} \\",
            ),
            (
                "U",
                "W_xh",
                r"    \frac{\partial L}{\partial U} &= \sum_{t=1}^T\frac{\partial L_t}{\partial U}",
            ),
        )
    ),
    Formula(
        "huang/dLt-dgti",
        "huang",
        "section 2, dL_t/dg_t entry by entry",
        r"""
    \frac{\partial L_t}{\partial g_{t, i}} = \sum_{k=1}^C\frac{\partial L_t}{\partial \hat{y}_{t, k}}\frac{\partial \hat{y}_{t, k}}{\partial g_{t, i}}
""",
        GOODFELLOW,
        lambda r, t: [r.step_node_grad(t, "o"), (r.dl_dyhat(t) @ r.softmax_jacobian(t)).T],
        "holds",
        notation=HUANG,
        note="entries g_{t, i}; C the number of classes, from the profile's sizes",
    ),
    Formula(
        "huang/dLt-dgti-worked",
        "huang",
        "section 2, dL_t/dg_{t, i} worked out (eq-1)",
        r"""
     \frac{\partial L_t}{\partial g_{t, i}} &=
     -\sum_{k=1}^C\frac{y_{t, k}}{\hat{y}_{t, k}}\hat{y}_{t, k}(\mathbf{1}(k=i) - \hat{y}_{t, i}) \\
     &= -\sum_{k=1}^Cy_{t, k}(\mathbf{1}(k=i) - \hat{y}_{t, i}) \\
     &= \sum_{k=1}^Cy_{t, k}\hat{y}_{t, i} - y_{t, i}\\
     &= (\sum_{k=1}^Cy_{t, k})\hat{y}_{t, i} - y_{t, i} \label{eq-1} \\
""",
        GOODFELLOW,
        lambda r, t: _huang_worked(r, t),
        "holds",
        notation=HUANG,
        note="the last step uses that the target's entries sum to 1, as the notes say",
    ),
    Formula(
        "huang/dLt-dgti-result",
        "huang",
        "section 2, dL_t/dg_{t, i} (eq-2)",
        r"""
     \frac{\partial L_t}{\partial g_{t, i}} &= \hat{y}_{t, i} - y_{t, i} \label{eq-2}
""",
        GOODFELLOW,
        lambda r, t: [r.step_node_grad(t, "o"), r.probabilities_minus_target(t)],
        "holds",
        notation=HUANG,
    ),
    Formula(
        "huang/dyhat-dg",
        "huang",
        "section 2, the softmax's derivative",
        r"""
    \frac{\partial \hat{y}_{t, i}}{\partial g_{t, j}} = \hat{y}_{t, i}(\mathbf{1}(i=j) - \hat{y}_{t, j})    
""",
        GOODFELLOW,
        lambda r, t: [r.softmax_jacobian(t), _softmax_jacobian_formula(r, t)],
        "holds",
        notation=HUANG,
        note="two free entry indices: every entry (i, j) of the Jacobian",
    ),
    # -- X. Long's notes in deeplearning.ai's notation (a^<t>, W_aa, W_ax, W_ya, J) --------
    Formula(
        "xulong/1.3-step-loss",
        "xulong",
        "eq. (1.3)",
        r""" J^{\langle t \rangle}=Loss(\hat{y}^{\langle t \rangle})   \tag{1.3}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="Loss(...) names the step loss as a function of yhat alone, which no model has: not read (no value as written)",
    ),
    Formula(
        "xulong/1.4-softmax",
        "xulong",
        "eq. (1.4)",
        r"""\hat{y}^{\langle t \rangle} = softmax(o^{\langle t \rangle}) \tag{1.4}""",
        GOODFELLOW,
        lambda r, t: [_softmax(r, t), _softmax(r, t)],
        "holds",
        notation="deeplearning-ai",
    ),
    Formula(
        "xulong/1.5-output",
        "xulong",
        "eq. (1.5)",
        r"""o^{\langle t \rangle} =W_{ya} a^{\langle t \rangle} + b_y \tag{1.5}""",
        GOODFELLOW,
        lambda r, t: [r.o[t], r.W_hy @ r.h[t] + r.b_y],
        "holds",
        notation="deeplearning-ai",
    ),
    Formula(
        "xulong/1.6-dJ-dWya",
        "xulong",
        "eq. (1.6)",
        r"""\frac{\partial J}{\partial W_{ya}}=\quad \sum_{t=1}^{τ}\frac{\partial J^{\langle t \rangle}}{\partial W_{ya}}=\quad \sum_{t=1}^{τ}\frac{\partial J^{\langle t \rangle}}{\partial o^{\langle t \rangle}} \frac{\partial o^{\langle t \rangle}}{\partial W_{ya}} \tag{1.6}  """,
        GOODFELLOW,
        lambda r, t: [
            r.param_grad("W_hy").T,  # the chain rule of rows: numerator layout
            sum(r.step_grad(k, "W_hy") for k in r.steps).T,
            sum(r.chain_by_param(r.step_node_grad(k, "o"), "o", k, "W_hy") for k in r.steps).T,
        ],
        "holds",
        notation="deeplearning-ai",
        note="holds in numerator layout: dJ^<t>/do^<t> is a row there",
    ),
    Formula(
        "xulong/1.7-dJ-dby",
        "xulong",
        "eq. (1.7)",
        r"""\frac{\partial J}{\partial b_y}=\quad \sum_{t=1}^{τ}\frac{\partial J^{\langle t \rangle}}{\partial b_y}=\quad \sum_{t=1}^{τ}\frac{\partial J^{\langle t \rangle}}{\partial o^{\langle t \rangle}} \frac{\partial o^{\langle t \rangle}}{\partial b_y} \tag{1.7}  """,
        GOODFELLOW,
        lambda r, t: [
            r.param_grad("b_y").T,
            sum(r.step_grad(k, "b_y") for k in r.steps).T,
            sum(r.step_node_grad(k, "o") for k in r.steps).T,
        ],
        "holds",
        notation="deeplearning-ai",
        note="holds in numerator layout: dJ^<t>/do^<t> is a row there",
    ),
    Formula(
        "xulong/1.8-cross-entropy",
        "xulong",
        "eq. (1.8)",
        r"""J^{\langle t \rangle}=\quad -\sum_{i=1}^{n_y}y_i^{\langle t \rangle}\log \hat{y_i}^{\langle t \rangle} \tag{1.8}""",
        GOODFELLOW,
        lambda r, t: [r.losses[t], -torch_log_softmax_at(r, t)],
        "holds",
        notation="deeplearning-ai",
    ),
    Formula(
        "xulong/1.9-dJt-do",
        "xulong",
        "eq. (1.9)",
        r"""\frac{\partial J^{\langle t \rangle}}{\partial o^{\langle t \rangle}}=\hat{y}^{\langle t \rangle}- y^{\langle t \rangle} \tag{1.9}""",
        GOODFELLOW,
        lambda r, t: [r.step_node_grad(t, "o"), r.probabilities_minus_target(t)],
        "holds",
        notation="deeplearning-ai",
    ),
    Formula(
        "xulong/1.10-dJ-dWya",
        "xulong",
        "eq. (1.10)",
        r""" \frac{\partial J}{\partial W_{ya}}=\quad \sum_{t=1}^{τ}(\hat{y}^{\langle t \rangle}- y^{\langle t \rangle})(a^{\langle t \rangle })^T \tag{1.10}""",
        GOODFELLOW,
        lambda r, t: [
            r.param_grad("W_hy"),
            sum(r.probabilities_minus_target(k) @ r.h[k].T for k in r.steps),
        ],
        "holds",
        notation="deeplearning-ai",
    ),
    Formula(
        "xulong/1.11-dJ-dby",
        "xulong",
        "eq. (1.11)",
        r""" \frac{\partial J}{\partial b_y}=\quad \sum_{t=1}^{τ}(\hat{y}^{\langle t \rangle}- y^{\langle t \rangle}) \tag{1.11}""",
        GOODFELLOW,
        lambda r, t: [
            r.param_grad("b_y"),
            sum(r.probabilities_minus_target(k) for k in r.steps),
        ],
        "holds",
        notation="deeplearning-ai",
    ),
    Formula(
        "xulong/1.12-rule",
        "xulong",
        "eq. (1.12)",
        r"""\frac{\partial AB}{\partial A} = B^T \tag{1.12}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="a rule about matrices A and B in general, not about the model",
    ),
    Formula(
        "xulong/1.13-dJ-dW",
        "xulong",
        "eq. (1.13)",
        r"""\frac {\partial J}{\partial W} = \sum_{t=1}^{τ} \frac {\partial J^{\langle t \rangle}}{\partial W}=\sum_{t=1}^{τ}  \frac {\partial J^{\langle t \rangle}}{\partial a^{\langle t \rangle}}\frac {\partial a^{\langle t \rangle}}{\partial W} \tag{1.13}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="W stands for W_ax or W_aa, said in the prose before it: W is not a name of the model",
    ),
    Formula(
        "xulong/1.14-dJ-dW-sum",
        "xulong",
        "eq. (1.14)",
        r"""\frac {\partial J}{\partial W} = \sum_{t=1}^τ \sum_{k=1}^t \frac {\partial J^{\langle t \rangle}}{\partial a^{\langle t \rangle}}\frac {\partial a^{\langle t \rangle}}{\partial a^{\langle k \rangle}} \frac {\partial a^{\langle k \rangle}}{\partial W}  \tag {1.14}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="W stands for W_ax or W_aa (see 1.13)",
    ),
    Formula(
        "xulong/1.15-product",
        "xulong",
        "eq. (1.15)",
        r"""\frac {\partial a^{\langle t \rangle}}{\partial a^{\langle k \rangle}} = \prod_{i=k+1}^{t} \frac {\partial a^{\langle i \rangle}}{\partial a^{\langle i-1 \rangle}} \tag {1.15}""",
        GOODFELLOW,
        lambda r, t: [
            r.stack(r.jac("h", t, "h", k) for k in range(t)),
            r.stack(_latest_left(r, t, k) for k in range(t)),
        ],
        "holds",
        notation="deeplearning-ai",
        note="k read as every earlier step; the product with the latest factor on the left",
    ),
    Formula(
        "xulong/1.16-dJ-dW-product",
        "xulong",
        "eq. (1.16)",
        r"""\frac {\partial J}{\partial W} = \sum_{t=1}^τ \sum_{k=1}^t \frac {\partial J^{\langle t \rangle}}{\partial a^{\langle t \rangle}} (\prod_{i=k+1}^{t} \frac {\partial a^{\langle i \rangle}}{\partial a^{\langle i-1 \rangle}})  \frac {\partial a^{\langle k \rangle}}{\partial W}  \tag {1.16}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="W stands for W_ax or W_aa (see 1.13)",
    ),
    Formula(
        "xulong/1.17-dJt-da",
        "xulong",
        "eq. (1.17)",
        r"""\frac {\partial J^{\langle t \rangle}}{\partial a^{\langle t \rangle}}=\frac {\partial J^{\langle t \rangle}}{\partial a^{\langle t+1 \rangle}} \frac {\partial a^{\langle t+1 \rangle}}{\partial a^{\langle t \rangle}} + \frac{\partial J^{\langle t \rangle}}{\partial o^{\langle t \rangle}}\frac{\partial o^{\langle t \rangle}}{\partial a^{\langle t \rangle}}\tag{1.17}""",
        GOODFELLOW,
        lambda r, t: [
            r.step_node_grad(t, "h").T,  # rows: numerator layout
            r.step_node_grad(t, "o").T @ r.W_hy,  # J^<t> does not depend on a^<t+1>
        ],
        "holds",
        notation="deeplearning-ai",
        note="as written, J^<t> is the loss at step t, which a^<t+1> does not change: the first term is zero, and the formula holds in numerator layout",
    ),
    Formula(
        "xulong/1.18-dJtau-da",
        "xulong",
        "eq. (1.18)",
        r"""\frac {\partial J^{\langle τ \rangle}}{\partial a^{\langle τ \rangle}} = \frac{\partial o^{\langle τ \rangle}}{\partial a^{\langle τ \rangle}} \tag{1.18}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="its sides have different shapes (a gradient and the Jacobian W_ya): no value as written",
    ),
    Formula(
        "xulong/1.19-dtanh",
        "xulong",
        "eq. (1.19)",
        r""" d\tanh(u) =(1-\tanh(u)^2) \tag {1.19}du""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="a differential, d tanh(u) = ... du: not a gradient formula",
    ),
    Formula(
        "xulong/1.20-da-dWax",
        "xulong",
        "eq. (1.20)",
        r""" \frac{ \partial a^{\langle t \rangle} } {\partial W_{ax}} = (1-tanh(W_{aa} a^{\langle t-1 \rangle} + W_{ax} x^{\langle t \rangle} + b_a)^2)x^{{\langle t \rangle}T} \tag {1.20}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="x^{{<t>}T}, a step and a transpose in one superscript, is not read; and a vector's derivative by a matrix equated with a matrix has no value as written",
    ),
    Formula(
        "xulong/1.21-da-dWaa",
        "xulong",
        "eq. (1.21)",
        r""" \frac{ \partial a^{\langle t \rangle} } {\partial W_{aa}} = (1-tanh(W_{aa} a^{\langle t-1 \rangle} + W_{ax} x^{\langle t \rangle} + b_a)^2)a^{{\langle t-1 \rangle}T} \tag {1.21}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="as 1.20",
    ),
    Formula(
        "xulong/1.22-da-dba",
        "xulong",
        "eq. (1.22)",
        r""" \sum_{batch}\frac{ \partial a^{\langle t \rangle} } {\partial b_a} = (1-tanh(W_{aa} a^{\langle t-1 \rangle} + W_{ax} x^{\langle t \rangle} + b_a)^2) \tag {1.22}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="a sum over the batch, \\sum_{batch}: the models have one sequence",
    ),
    Formula(
        "xulong/1.23-da-dx",
        "xulong",
        "eq. (1.23)",
        r""" \frac{ \partial a^{\langle t \rangle} } {\partial x^{\langle t \rangle}} = W_{ax}^T\cdot(1-tanh(W_{aa} a^{\langle t-1 \rangle} + W_{ax} x^{\langle t \rangle} + b_a)^2) \tag {1.23}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="a derivative by the input x^<t>, which the models take as given; and the sides' shapes differ",
    ),
    Formula(
        "xulong/1.24-da-da",
        "xulong",
        "eq. (1.24)",
        r""" \frac{ \partial a^{\langle t \rangle} } {\partial a^{\langle t-1 \rangle}} = W_{aa}^T\cdot(1-tanh(W_{aa} a^{\langle t-1 \rangle} + W_{ax} x^{\langle t \rangle} + b_a)^2) \tag {1.24}""",
        GOODFELLOW,
        None,
        "refused",
        notation="deeplearning-ai",
        note="its sides have different shapes (a Jacobian and a vector): no value as written (it holds for one hidden unit)",
    ),
]


def _minus_target_over_probabilities(r: Any, t: int) -> Any:
    """[-y_1 / yhat_1, ..., -y_C / yhat_C], a row."""
    p = r.probabilities_minus_target(t) + r.one_hot(t)
    return (-r.one_hot(t) / p).T


def _wolf_row(r: Any, t: int) -> Any:
    """dJ_t/dp_t dp_t/dy_t dy_t/dh_t, a row."""
    return r.dl_dyhat(t) @ r.softmax_jacobian(t) @ r.W_hy


def _latest_left(r: Any, t: int, k: int) -> Any:
    """prod_{i=k+1}^{t} (ds_i/dz_i W), the factor of step t on the left."""
    out = torch_eye(r)
    for i in range(t, k, -1):
        out = out @ r.diag_slope(i) @ r.W_hh
    return out


def _softmax_jacobian_formula(r: Any, t: int) -> Any:
    """yhat_i (1(i=j) - yhat_j): diag(yhat) - yhat yhat^T."""
    p = r.probabilities_minus_target(t) + r.one_hot(t)
    return torch_diag(p) - p @ p.T


def _huang_worked(r: Any, t: int) -> list[Any]:
    """The sides of Huang's eq-1 chain, each computed as written (columns over i)."""
    y, p = r.one_hot(t), r.probabilities_minus_target(t) + r.one_hot(t)
    steps = (1 - p.T) * torch_eye_of(p) + (-p.T) * (1 - torch_eye_of(p))  # [k, i]: 1(k=i) - p_i
    return [
        r.step_node_grad(t, "o"),
        -(((y / p) * p).T @ steps).T,
        -(y.T @ steps).T,
        y.sum() * p - y,
        y.sum() * p - y,
    ]


def torch_eye_of(v: Any) -> Any:
    import torch

    return torch.eye(v.shape[0], dtype=torch.float64)


def torch_einsum(spec: str, *operands: Any) -> Any:
    import torch

    return torch.einsum(spec, *operands)


def truth(formula: Formula, seeds: tuple[int, ...] = (0, 1, 2)) -> bool | None:
    """Whether the formula holds in the PyTorch model at every step it claims and at
    random points (None: it has no value as written)."""
    from tests.corpus_torch import Run

    if formula.sides is None:
        return None
    for seed in seeds:
        run = Run(formula.model, seed, formula.T)
        steps = formula.steps(run.T) if formula.steps else range(1, run.T + 1)
        for t in steps:
            values = formula.sides(run, t)
            for a, b in zip(values, values[1:]):
                if not run.close(a, b):
                    return False
    return True


def _softmax(r: Any, t: int) -> Any:
    """softmax(o_t), a column."""
    import torch

    return torch.softmax(r.o[t][:, 0], dim=0)[:, None]


def torch_log_softmax_at(r: Any, t: int) -> Any:
    """log softmax(o_t)[y_t]: sum_i y_i log yhat_i for the one-hot y_t."""
    import torch

    return torch.log_softmax(r.o[t][:, 0], dim=0)[r.y[t]]
