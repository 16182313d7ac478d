"""The notes' loss as their displays state it (issue 27): which quantity a step loss is of,
whether a squared error compares the model's output with its target, when a loss written
with arguments is not the model's, and whether a formula speaks of the loss at all (one
that does not has the same verdict whatever the loss)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from symbptt.core.spec import Spec
from symbptt.errors import FormulaSyntaxError, SpecError
from symbptt.read.loss_display import TotalLoss, compact
from symbptt.read.profiles import Profile


def depends_on_loss(text: str, spec: Spec, profile: Profile | None) -> bool:
    """Whether a formula speaks of the loss (L, a step's loss, a derivative of either, an
    adjoint): one that does not has the same verdict whatever the loss (True where it
    cannot be read: then nothing is known)."""
    from symbptt.core import derivatives as E
    from symbptt.core.formula import Node, VTotal
    from symbptt.read.formula import parse_vector
    from symbptt.read.vocabulary import vocabulary

    try:
        sides = parse_vector(text, model=spec.model, profile=profile).sides
    except (FormulaSyntaxError, SpecError):
        return True
    adjoints = vocabulary(spec.model).adjoints
    for side in sides:
        if side.has(E.L) or side.atoms(E.StepLoss):
            return True
        if any(n.kind in adjoints for n in side.atoms(Node)):
            return True
        if any(d.args[0] == E.L for d in side.atoms(VTotal)):
            return True
    return False


def loss_of_one(display: str, forward: Sequence[str]) -> str | None:
    """The one quantity of the forward pass that a step loss display reads (``\\hat y`` of
    ``E_t = -y_t \\log \\hat y_t``; the target is no quantity of it), else None."""
    from symbptt.read.forward_names import computed_names, display_names

    if re.search(r"t\s*[-+]\s*\d|\\sum|\\prod", display):  # other steps' quantities
        return None
    computed = set().union(*(computed_names(text) for text in forward))
    read = display_names(display)[1] & computed
    return next(iter(read)) if len(read) == 1 else None


def top_level_split(text: str) -> list[str]:
    """``text`` split at its ``=`` signs outside braces, brackets and parentheses."""
    parts, depth, last = [], 0, 0
    for n, c in enumerate(text):
        depth += c in "{[("
        depth -= c in "}])"
        if c == "=" and depth == 0 and text[n - 1 : n] not in (":", "\\", "<", ">", "!"):
            parts.append(text[last:n])
            last = n + 1
    parts.append(text[last:])
    return parts


def loss_refusal(total: TotalLoss | None, spec: Spec) -> str | None:
    """Why the model read does not take the loss the notes write, else None: a step's
    loss written with its arguments (``\\mathcal{L}_\\text{elt}(h_t, y_t)``) is any
    function of them, so its first argument must be the model's output, and the loss
    any loss (a softmax head's cross-entropy is one loss, not any)."""
    if total is None or not total.arguments:
        return None
    head = spec.model.head
    if head.loss == "cross-entropy":
        return (
            f"the notes' step loss is any function of ({total.arguments}); the model read "
            "takes the softmax cross-entropy, one such function: not read"
        )
    if loss_argument(total) != head.output:
        return (
            f"the notes' step loss is a function of {loss_argument_text(total).strip()}, "
            f"not of the model's output {head.output}: not read"
        )
    return None


def of_head(error: tuple[str, str, str], spec: Spec) -> bool:
    """Whether a squared error compares the model's output with its target (as the
    notes write them), in either order."""
    from symbptt.read.forward_names import computed_names

    _, a, b = error
    head = spec.model.head
    target = next(v.latex for v in spec.model.variables if v.name == head.target)
    written = {compact(x).replace("{t}", "t") for x in (a, b)}
    target_written = compact(target.replace("@", "t")).replace("{t}", "t")
    outputs = [x for x in (a, b) if computed_names(f"{x} = 0") == {head.output}]
    return len(outputs) == 1 and target_written in written and len(written) == 2


def loss_argument_text(total: TotalLoss) -> str:
    """The first argument of the steps' losses, as written (``h_t`` of ``\\ell(h_t, y_t)``),
    without a per-example superscript (``g_t^{(i)}``: the i-th example's; one here)."""
    first = top_level_split((total.arguments or "").replace(",", "=", 1))[0]
    return re.sub(r"\^\{\((?!t\b)[a-z]\)\}", "", first)


def loss_argument(total: TotalLoss | None) -> str | None:
    """The name of the quantity the notes' loss is of, where their loss display says."""
    from symbptt.read.forward_names import computed_names

    if total is None or not total.arguments:
        return None
    names = computed_names(f"{loss_argument_text(total)} = 0")
    return next(iter(names)) if len(names) == 1 else None
