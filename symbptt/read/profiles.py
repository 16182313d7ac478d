r"""Notation profiles: a source's names for the model's quantities.

Textbooks name the same RNN differently: d2l.ai writes ``\mathbf{W}_\textrm{qh}`` for
the output weights (``W_{hy}`` here) and ``\mathbf{o}_t`` for the output layer's value
(``\mathbf{z}_t``); Goodfellow et al. write ``U``, ``W``, ``V``, ``\boldsymbol{b}``,
``\boldsymbol{c}``, the pre-activation ``\boldsymbol{a}^{(t)}``, time as a superscript
and ``\tau`` for the last step. A profile maps such names onto the model's, so a formula
is read as its source wrote it; where a source's name means something else in the
default notation, the profile decides.

A profile is a TOML file (the built-in ones are in ``symbptt/notation/profiles/``)::

    [profile]
    name = "goodfellow"
    title = "Goodfellow, Bengio and Courville, Deep Learning (2016), section 10.2.2"
    source = "https://www.deeplearningbook.org/contents/rnn.html"
    time = "superscript"        # h^t is h at step t (h^{(t)} is read in every profile)
    horizon = ["\\tau"]         # names of the last step T
    first = 1                   # the number of the first step (0: s_0 is computed first)

    [profile.names]             # a name without time index -> the model's
    U = "W_{xh}"
    "W_{qh}" = "W_{hy}"

    [profile.vectors]           # the letter of a quantity at step t -> the model's
    a = "s"

    [profile.functions]         # a function's name -> the model's role
    "\\sigma" = "phi"

    [profile.sizes]             # a letter (or n_y) for a size: hidden, inputs, outputs
    C = "outputs"               # (\\sum_{k=1}^{C} over an output's entries)

    [profile.model]             # the model the source describes: the defaults of the
    model = "elman"             # options --model, --activation, --output-activation,
    activation = "tanh"         # --step-loss, --loss, --h0, --hidden, --inputs and
    outputs = 3                 # --outputs (an option given explicitly wins)

Every profile also reads ``L_t``, ``L^{(t)}``, ``E_t`` and ``J_t`` as the loss at step t
and ``E``, ``J``, ``C`` as the loss, where the model has no such name of its own.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from symbptt.errors import SpecError
from symbptt.limits import MAX_PROFILE_BYTES, MAX_PROFILE_NAMES
from symbptt.read.names import compact

#: The built-in profiles, by name.
BUILT_IN = ("note000", "d2l", "goodfellow", "wildml", "pascanu", "deeplearning-ai")

#: Names every profile reads when the model has none of its own: a letter at step t ->
#: the step loss, a bare letter -> the loss.
STEP_LOSS_LETTERS = ("L", "E", "J", "\\varepsilon", "\\epsilon", "loss")
#: C is a loss only without a step (C_t is the LSTM's cell state in many notes); code-like
#: notes write the word: loss, \text{loss}, \mathrm{loss}
LOSS_LETTERS = ("E", "J", "C", "\\varepsilon", "\\epsilon", "loss")
TOTAL_LOSS_NAMES = ("\\hat L", "\\mathcal L", *LOSS_LETTERS)

_KEYS = {
    "name",
    "title",
    "source",
    "time",
    "horizon",
    "first",
    "names",
    "vectors",
    "functions",
    "model",
    "sizes",
}
#: How a source writes the step: h_t, h^{(t)} (and h^t), or h^{\langle t \rangle} (both
#: superscripts are read in every profile; the profile says how documents print it).
TIMES = ("subscript", "superscript", "angle")


def is_loss_letter(profile: Profile, base: str, step: bool) -> bool:
    """Whether a letter (a name's key) is the loss (``step``: a step's loss, written with
    a step) in a profile: one of the usual letters, and the notes' own where they name it."""
    usual = ("l", "\\ell", *STEP_LOSS_LETTERS) if step else ("L", *TOTAL_LOSS_NAMES)
    if base not in usual:
        return False
    allowed = profile.step_letters if step else profile.loss_letters
    return not allowed or base in allowed


#: What a size letter of [profile.sizes] may stand for.
SIZES = ("hidden", "inputs", "outputs")


@dataclass(frozen=True)
class Profile:
    """A source's notation (see the module docstring).

    Attributes:
        names: (LaTeX key, subscript) of a bare name -> the model's (``("W", "qh")`` ->
            ``("W", "hy")``; a name without subscript has subscript "").
        vectors: letter of a quantity at step t -> the model's letter (``"a"`` -> ``"s"``).
        time: ``"subscript"``, ``"superscript"`` (``h^t`` is h at step t) or ``"angle"``
            (documents print ``h^{\\langle t \\rangle}``).
        horizon: the names of the last step, T.
        model: the command-line options that describe the source's model.
    """

    name: str
    title: str = ""
    source: str = ""
    names: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    vectors: dict[str, str] = field(default_factory=dict)
    time: str = "subscript"
    horizon: tuple[str, ...] = ("T",)
    model: dict[str, str] = field(default_factory=dict)
    #: a source's function names -> the model's roles (Pascanu et al.'s \\sigma is phi)
    functions: dict[str, str] = field(default_factory=dict)
    #: how documents print in this notation: the model's (key, subscript) -> the source's
    #: LaTeX for it, and the model's letters of quantities at a step -> the source's
    printed: dict[tuple[str, str], str] = field(default_factory=dict)
    printed_vectors: dict[str, str] = field(default_factory=dict)
    #: a letter for a size (C: the number of classes) -> hidden, inputs or outputs
    sizes: dict[str, str] = field(default_factory=dict)
    #: the number of the source's first step: 1, or 0 where steps count from 0 (Britz's
    #: s_0 = tanh(U x_0 + W s_(-1)), the model's h_1; s_(-1) is the initial state)
    first: int = 1
    #: symbols the notes declare for the elementwise product besides ``\\odot`` (``*``,
    #: ``\\circ``, ``\\cdot``, ``\\otimes``), and for the matrix product (``*``, ``\\times``)
    elementwise: tuple[str, ...] = ()
    matrix_product: tuple[str, ...] = ()
    #: names the notes define (:mod:`symbptt.read.definitions`): (left side, right side)
    definitions: tuple[tuple[str, str], ...] = ()
    #: what a d glued to a name means (``total``: dL/dX; ``step``; None: undeclared)
    d_prefix: str | None = None
    #: what \delta before a name means (``total``: \delta h_t is dL/dh_t; None: a name)
    delta_prefix: str | None = None
    #: what dL/dX means where X is a state or a shared parameter: ``total`` (every use of
    #: X), declared; None: it may be one step's part, and a display that holds only so is
    #: refused
    gradients: str | None = None
    #: the symbols the notes write for the gradient \nabla (``\Delta_{h_t} L``)
    nabla: tuple[str, ...] = ()
    #: the letters the notes' loss displays name the loss by (``J``): then no other
    #: letter is the loss (their E may be another sum); empty: every loss letter is
    loss_letters: tuple[str, ...] = ()
    #: ... and the letters they name a step's loss by (``E`` of ``E_t``, beside ``L =
    #: \\frac{1}{T} \\sum_t E_t``: then E alone is no loss, L_t neither)
    step_letters: tuple[str, ...] = ()
    #: the step ``_{next}`` names: ``"t"`` (code-like notes: a_next is a at t, a_prev at
    #: t-1) or ``"t+1"``; None: undeclared
    next_step: str | None = None
    #: what a plain derivative of a state by a parameter or an earlier state means:
    #: ``total`` (every path), ``immediate`` (its own equation); None: undeclared
    partial: str | None = None
    #: names the notes apply as functions of their own (``f(U x_t + W s_{t-1})``), declared
    #: ``functions = f g``: each any differentiable function, applied entry by entry
    generic_functions: tuple[str, ...] = ()
    #: the notes' formulas are about one example (``batch = 1``): a sum over a batch's
    #: letter, whose summand does not depend on it, is that summand
    batch: bool = False

    def __hash__(self) -> int:
        return hash(self.name)

    def describe(self, used: list[str]) -> str:
        """A note saying which reading was used, and of which names."""
        said = f"read in the {self.name} notation ({self.title})" if self.title else ""
        said = said or f"read in the {self.name} notation"
        return said + (f": {', '.join(used)}" if used else "")


def parse_profile(data: dict[str, Any], where: str) -> Profile:
    """A profile from a TOML file's tables.

    Raises:
        SpecError: a missing ``[profile]`` table, an unknown key, or a name that is not
            LaTeX the formula reader reads as a name.
    """
    from symbptt.files import toml_table
    from symbptt.read.vocabulary import latex_key

    if not isinstance(data.get("profile"), dict) or set(data) != {"profile"}:
        raise SpecError(f"{where}: a notation profile has one table, [profile]")
    table = toml_table(data, "profile", _KEYS, where)

    def text(key: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise SpecError(f"{where}: [profile] {key} must be a string")
        return value

    read: dict[str, tuple[str, str | None] | None] = {}  # each name is parsed once

    def key_of(latex: Any, what: str) -> tuple[str, str]:
        if isinstance(latex, str) and len(latex) < 200 and latex not in read:
            read[latex] = latex_key(latex)
        found = read.get(latex) if isinstance(latex, str) else None
        if found is None:
            raise SpecError(f"{where}: [profile.{what}] {latex!r} is not a name")
        return found[0], found[1] or ""

    def table_of(key: str) -> dict[str, Any]:
        value = table.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise SpecError(f"{where}: [profile.{key}] must map names to names (strings)")
        return value

    count = sum(
        len(v)
        for k in ("names", "vectors", "functions", "sizes")
        if isinstance(v := table.get(k), dict)
    )
    if count > MAX_PROFILE_NAMES:  # each name is parsed: refused before any is
        raise SpecError(
            f"{where}: the profile maps {count} names, above the limit of {MAX_PROFILE_NAMES} "
            f"(MAX_PROFILE_NAMES of symbptt/limits.py; a source's notation needs a few dozen)"
        )
    name = text("name")
    if not name:
        raise SpecError(f"{where}: [profile] needs a name")
    time = text("time", "subscript")
    if time not in TIMES:
        raise SpecError(f"{where}: [profile] time must be one of {', '.join(TIMES)}")
    horizon = table.get("horizon", ["T"])
    if not isinstance(horizon, list) or not all(isinstance(h, str) for h in horizon):
        raise SpecError(f"{where}: [profile] horizon must be a list of names")
    names = {key_of(k, "names"): key_of(v, "names") for k, v in table_of("names").items()}
    vectors = {
        key_of(k, "vectors")[0]: key_of(v, "vectors")[0] for k, v in table_of("vectors").items()
    }
    printed: dict[tuple[str, str], str] = {}
    for source, target in table_of("names").items():  # the first name given for each wins
        printed.setdefault(key_of(target, "names"), source)
    printed_vectors: dict[str, str] = {}
    for source, target in table_of("vectors").items():
        printed_vectors.setdefault(key_of(target, "vectors")[0], key_of(source, "vectors")[0])
    functions = {key_of(k, "functions")[0]: v for k, v in table_of("functions").items()}
    model = _model_table(table.get("model", {}), where)
    first = table.get("first", 1)
    if first not in (0, 1) or isinstance(first, bool):
        raise SpecError(f"{where}: [profile] first is the first step's number, 0 or 1")
    sizes = {compact(k): v for k, v in table_of("sizes").items()}
    for letter, size in sizes.items():
        if size not in SIZES or not re.fullmatch(r"[A-Za-z](_[A-Za-z0-9]+)?", letter):
            raise SpecError(
                f"{where}: [profile.sizes] maps a letter to {', '.join(SIZES)}, not "
                f"{letter!r} = {size!r}"
            )
    return Profile(
        first=first,
        sizes=dict(sizes),
        name=name,
        title=text("title"),
        source=text("source"),
        names=names,
        vectors=vectors,
        time=time,
        horizon=tuple(compact(h) for h in horizon),
        model=dict(model),
        printed=printed,
        printed_vectors=printed_vectors,
        functions=functions,
    )


def _model_table(given: Any, where: str) -> dict[str, Any]:
    """A profile's [profile.model]: the options of its source's model, each checked.

    Raises:
        SpecError: not a table, an unknown key, or a value the option does not take.
    """
    from symbptt.core.options import CHOICES, PROFILE_KEYS
    from symbptt.files import toml_table
    from symbptt.limits import MAX_SIZE as MAX_HIDDEN

    table = toml_table({"profile.model": given}, "profile.model", set(PROFILE_KEYS), where)
    for key, value in table.items():
        choices = CHOICES.get(PROFILE_KEYS[key])
        if choices is not None and value not in choices:
            raise SpecError(
                f"{where}: [profile.model] {key} is one of {', '.join(choices)}, not {value!r}"
            )
        if choices is None and not (
            isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_HIDDEN
        ):
            raise SpecError(
                f"{where}: [profile.model] {key} is a size, 1..{MAX_HIDDEN}, not {value!r}"
            )
    return dict(table)


@functools.cache
def built_in(name: str) -> Profile:
    """A built-in profile by name.

    Raises:
        SpecError: no such profile.
    """
    from symbptt.files import parse_toml

    if name not in BUILT_IN:
        raise SpecError(f"unknown notation {name!r}; built in: {', '.join(BUILT_IN)}")
    text = resources.files(__package__).joinpath("profiles", f"{name}.toml").read_text("utf-8")
    return parse_profile(parse_toml(text, where=f"{name}.toml"), f"{name}.toml")


def load_profile(spec: str | Profile | None) -> Profile:
    """A profile: a built-in one by name, a user's TOML file by path, or the default
    (note000) for None.

    Raises:
        SpecError, InputError: no such profile, or a file that is not a valid one.
    """
    if isinstance(spec, Profile):
        return spec
    if spec is None:
        return built_in("note000")
    if spec in BUILT_IN:
        return built_in(spec)
    if spec.endswith(".toml") or "/" in spec:
        return _profile_file(spec, *_identity(spec))
    raise SpecError(
        f"unknown notation {spec!r}; built in: {', '.join(BUILT_IN)}, or a profile's TOML file"
    )


def _identity(path: str) -> tuple[int, int, int, int]:
    """What names one version of a file (device, inode, size, modification time): the
    same profile given twice in a process (the model's options, then the names) is read
    once, and a file changed in between is read again."""
    try:
        info = os.stat(path)
    except OSError:
        return (0, 0, 0, 0)  # read_toml says what is wrong
    if stat.S_ISREG(info.st_mode) and info.st_size > MAX_PROFILE_BYTES:
        raise SpecError(
            f"{path}: a notation profile of {info.st_size} bytes, above the limit of "
            f"{MAX_PROFILE_BYTES} (MAX_PROFILE_BYTES of symbptt/limits.py; a source's "
            f"notation takes a few dozen lines)"
        )
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _profile_file(path: str, *identity: int) -> Profile:
    """A profile's TOML file, read and checked (cached by :func:`_identity`)."""
    from symbptt.files import read_toml

    data = read_toml(Path(path), what="notation profile")
    return parse_profile(data, path)
