"""The built-in cells written in the cell language (symbptt/cells/*.toml): each gives,
for every option, exactly the model its Python declaration gave before the declarations
were deleted (tests/pinned/models.json holds a digest of each, recorded from them); the
cell language's new keys are checked with messages that name the file and the key; and
every shipped cell verifies."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from symbptt import cells
from symbptt.core.losses import CONCRETE_LOSSES
from symbptt.core.model import Model
from symbptt.core.primitives import PRIMITIVES
from symbptt.errors import SpecError
from symbptt.read.cell import declare_cell, read_cell

#: The digest of each grid point's model, recorded from the Python declarations.
PINNED = json.loads((Path(__file__).parents[1] / "pinned" / "models.json").read_text("utf-8"))
#: Each shipped cell's options and their defaults, as its Python declaration took them.
PYTHON_OPTIONS: dict[str, dict[str, Any]] = {
    "scalar": dict(
        activation="generic",
        output_activation="generic",
        loss="generic",
        reduction="mean",
        h0="symbol",
    ),
    "elman": dict(
        hidden=None,
        inputs=1,
        outputs=1,
        activation="tanh",
        output_activation="identity",
        loss="squared",
        reduction="mean",
    ),
    **{
        cell: dict(
            hidden=None,
            inputs=1,
            outputs=1,
            output_activation="identity",
            loss="squared",
            reduction="mean",
            initial="parameter",
        )
        for cell in ("lstm", "gru-torch", "gru-cho")
    },
}
ACTIVATIONS = tuple(PRIMITIVES)
REDUCTIONS = ("mean", "sum")
SIZES = (
    dict(hidden=1, inputs=1, outputs=1),
    dict(hidden=2, inputs=1, outputs=1),
    dict(hidden=3, inputs=2, outputs=4),
)


def _grid() -> list[tuple[str, dict[str, Any]]]:
    """(cell, options): every activation for phi and theta where the cell has them, each
    loss it accepts, both reductions, both initial states, a few sizes."""
    out = []
    for phi, theta, loss, reduction, h0 in itertools.product(
        ACTIVATIONS, ACTIVATIONS, ("generic", "squared"), REDUCTIONS, ("symbol", "zero")
    ):
        options = dict(activation=phi, output_activation=theta, loss=loss, reduction=reduction)
        out.append(("scalar", {**options, "h0": h0}))
    for phi, theta, loss, reduction, sizes in itertools.product(
        ACTIVATIONS, ACTIVATIONS, CONCRETE_LOSSES, REDUCTIONS, SIZES
    ):
        options = dict(activation=phi, output_activation=theta, loss=loss, reduction=reduction)
        out.append(("elman", {**sizes, **options}))
    for cell in ("lstm", "gru-torch", "gru-cho"):
        for theta, loss, reduction, initial, sizes in itertools.product(
            ACTIVATIONS, CONCRETE_LOSSES, REDUCTIONS, ("parameter", "zero"), SIZES
        ):
            options = dict(output_activation=theta, loss=loss, reduction=reduction)
            out.append((cell, {**sizes, **options, "initial": initial}))
    return out


GRID = _grid()


#: Fields the Model gained after the digests were recorded (each tested on its own).
NEWER_FIELDS = ("witness", "notes", "rows")


def digest(model: Model) -> str:
    """A model's digest as tests/pinned/models.json records it: its repr (every field, in
    order) without the fields it gained since (:data:`NEWER_FIELDS`)."""
    shown = ", ".join(
        f"{f.name}={getattr(model, f.name)!r}"
        for f in dataclasses.fields(model)
        if f.repr and f.name not in NEWER_FIELDS
    )
    return hashlib.sha256(f"Model({shown})".encode()).hexdigest()[:16]


def test_each_built_in_cell_names_its_pytorch_witness() -> None:
    witnesses = {name: dict(cells.declare(name, **_sized(name)).witness) for name in cells.names()}
    assert witnesses == {
        "elman": {"torch": "RNN"},
        "gru-cho": {"torch": "cho-gru"},
        "gru-torch": {"torch": "GRU", "gates": "rzn"},
        "lstm": {"torch": "LSTM", "gates": "ifgo"},
        "scalar": {},
    }


def _sized(name: str) -> dict[str, int]:
    return {"hidden": 1} if "hidden" in cells.options(name) else {}


def test_the_shipped_cells_are_the_toml_files_of_the_package() -> None:
    assert cells.names() == ("elman", "gru-cho", "gru-torch", "lstm", "scalar")
    assert set(cells.names()) == set(PYTHON_OPTIONS)


@pytest.mark.parametrize(
    "cell,options", GRID, ids=[f"{c}-{'-'.join(map(str, o.values()))}" for c, o in GRID]
)
def test_a_built_in_cell_read_from_toml_is_exactly_its_python_declaration(
    cell: str, options: dict[str, Any]
) -> None:
    assert (
        digest(cells.declare(cell, **options))
        == PINNED[f"{cell} {json.dumps(options, sort_keys=True)}"]
    )


def test_every_grid_point_is_pinned() -> None:
    assert len(PINNED) == len(GRID)


@pytest.mark.parametrize("cell", sorted(PYTHON_OPTIONS))
def test_a_built_in_cell_takes_the_options_of_its_python_declaration(cell: str) -> None:
    python = PYTHON_OPTIONS[cell]
    taken = cells.options(cell)
    assert set(taken) == set(python)
    assert {o: taken[o] for o, default in python.items() if default is not None} == {
        o: default for o, default in python.items() if default is not None
    }


def test_a_user_s_copy_of_a_built_in_cell_reads_the_same_but_for_its_limits() -> None:
    """A user may copy a built-in cell as the start of their own; the limits (family,
    exact_work) are only the shipped files' to set: they bound the work a run asks for."""
    for cell in cells.names():
        where, text = cells.source(cell)
        mine = {k: v for k, v in cells.table(cell).items() if k not in ("family", "exact_work")}
        shipped = cells.declare(cell)
        expected = dataclasses.replace(shipped, family="cell", exact_work=0)
        assert read_cell(mine, where="mine.toml") == expected
        assert "symbptt/cells/" in where and "[cell]" in text
        if "family" in cells.table(cell) or "exact_work" in cells.table(cell):
            with pytest.raises(SpecError, match="only the cell files shipped"):
                read_cell(cells.table(cell), where="mine.toml")


@pytest.mark.parametrize(
    "cell,options,message",
    [
        ("elman", {"initial": "zero"}, "takes no option 'initial'"),
        ("lstm", {"activation": "tanh"}, "takes no option 'activation'"),
        ("scalar", {"hidden": 2}, "takes no option 'hidden'"),
        ("scalar", {"initial": "zero"}, "takes no option 'initial'"),
        ("gru-torch", {"variant": "cho"}, "takes no option 'variant'"),
        ("elman", {"hidden": 0}, "the size n must be an integer 1..64"),
        ("elman", {"loss": "hinge"}, "unknown loss 'hinge'"),
        ("lstm", {"initial": "random"}, "unknown initial 'random'"),
        ("scalar", {"activation": "relu"}, "unknown activation 'relu'"),
    ],
)
def test_a_built_in_cell_refuses_an_option_it_does_not_take(
    cell: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        cells.declare(cell, **options)
    assert f"symbptt/cells/{cell}.toml" in str(caught.value)


def test_an_unknown_built_in_cell_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="unknown built-in cell 'peephole'.*lstm"):
        cells.declare("peephole")


def _lstm(**changes: Any) -> dict[str, Any]:
    return {**cells.table("lstm"), **changes}


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"adjoints": {"g": {"of": "q", "latex": "g"}}}, r"adjoints\.g\.of must name"),
        ({"adjoints": {"h": {"of": "h", "latex": "g"}}}, r"adjoints\.h: 'h' is not a free"),
        ({"variables": {"q": {}}}, r"variables\.q: the cell has no variable 'q'"),
        ({"variables": {"h": {"colour": "red"}}}, r"variables\.h has unknown key 'colour'"),
        ({"variables": {"h": {"slope": "dh2"}}}, r"variables\.h\.slope: no equation"),
        ({"variables": {"h": {"size": "n"}}}, r"variables\.h: h is declared already"),
        ({"variables": {"h": {"aliases": "h"}}}, r"variables\.h\.aliases must be a list"),
        ({"views": {"w": {"parts": ["x"], "latex": "w"}}}, r"views\.w\.parts must list"),
        ({"views": {"w": {"parts": ["W_ii", "W_hy"], "latex": "w"}}}, "as many rows"),
        ({"claims": {"everything": "holds"}}, "claims: unknown kind 'everything'"),
        ({"family": "gated"}, "family must be one of: scalar, elman, cell"),
        ({"slug": "lstm-{q}"}, r"slug uses \{q\}, which sizes lacks"),
        ({"exact_work": -1}, "exact_work must be a whole number"),
        ({"scalar": "yes"}, "scalar must be true or false"),
        ({"functions": {"phi": "sigmoid"}}, r"functions\.phi: 'phi' is not a free role"),
        ({"functions": {"s": "relu"}}, r"functions\.s must be a primitive"),
        ({"options": {"hidden": "q"}}, r"options\.hidden must name one letter of sizes"),
        ({"options": {"loss": "n"}}, r"options\.loss: an option's name is a new name"),
        ({"initial": "one"}, "initial: unknown initial 'one'"),
        ({"defaults": {"initial": "zero"}}, "defaults has unknown key 'initial'"),
        ({"when": {"colour": {}}}, r"when\.colour: expected a table under one of"),
        ({"when": {"loss": {"hinge": {}}}}, r"when\.loss\.hinge: unknown loss 'hinge'"),
        ({"when": {"loss": {"squared": {"sizes": {}}}}}, "'sizes' cannot depend on an option"),
        ({"identities": {"i": {"latex": 3}}}, r"identities\.'i'\.latex must be LaTeX"),
        ({"identities": {"i": {"latex": "a = b", "cite": "x"}}}, "has unknown key 'cite'"),
        ({"identities": {"i": {"latex": "a = b", "section": "The End"}}}, "section must be"),
    ],
)
def test_a_bad_metadata_key_is_a_spec_error_naming_the_file_and_the_key(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        declare_cell(_lstm(**changes), where="mine.toml", shipped=True)
    assert str(caught.value).startswith("mine.toml: ") and str(caught.value).count("mine.toml") == 1


def test_an_option_dependent_part_applies_only_under_its_option() -> None:
    table = cells.table("elman")
    entropy = read_cell(table, where="e", loss="cross-entropy", shipped=True)
    squared = read_cell(table, where="e", loss="squared", shipped=True)
    assert entropy.variable("d").latex == r"\mathbf{e}_{y_{@}}"
    assert squared.variable("d").latex == r"\mathbf{d}_{@}"
    assert entropy.variable("o").aliases == ("\\hat o",)
    assert "lgrad" in cells.declare("scalar").of_kind("intermediate")
    assert "lgrad" not in cells.declare("scalar", loss="squared").of_kind("intermediate")
    mean, total = cells.declare("scalar"), cells.declare("scalar", reduction="sum")
    assert [i.name for i in mean.identities] == [i.name for i in total.identities]
    assert r"\frac{1}{T}" in mean.identities[4].latex
    assert r"\frac{1}{T}" not in total.identities[4].latex


def test_a_label_written_as_a_superscript_names_an_intermediate() -> None:
    model = cells.declare("gru-cho", hidden=1)
    assert model.variable("a_h_tilde").latex == r"\mathbf{a}^{\tilde{h}}_{@}"
    assert model.variable("a_r").latex == r"\mathbf{a}^{r}_{@}"
    lstm_model = cells.declare("lstm", hidden=1)  # written a^g, named by its LaTeX
    assert lstm_model.equation("c_tilde").expr.arg.name == "a_c_tilde"
    assert lstm_model.variable("tanh_c").latex == r"\tanh(\mathbf{c}_{@})"


def test_reading_a_cell_loads_the_grammar_from_the_parser_cache(tmp_path, monkeypatch) -> None:
    """The first cell of a process builds the grammar's tables once and saves them;
    a later process loads them (no build), and later cells reuse the parser."""
    from symbptt.read import parse, parser_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    parse.parser.cache_clear()
    try:
        cells.declare("elman", hidden=1)
        assert list((tmp_path / "symbptt").glob("grammar-*.lark"))
        parse.parser.cache_clear()  # as a new process

        def build(*args: Any, **kwargs: Any) -> None:
            raise AssertionError("the grammar was built again")

        monkeypatch.setattr(parse, "Lark", build)
        assert cells.declare("lstm", hidden=1).name == "LSTM"
        loads: list[Any] = []
        monkeypatch.setattr(parser_cache, "cached_parser", lambda *a: loads.append(a))
        assert "GRU" in cells.declare("gru-cho", hidden=1).name
        assert loads == []
    finally:
        parse.parser.cache_clear()


@pytest.mark.parametrize("cell", ["scalar", "elman", "lstm", "gru-torch", "gru-cho"])
def test_every_shipped_cell_verifies(cell: str) -> None:
    import symbptt
    from symbptt.core.spec import Spec

    sizes = {"hidden": 1} if "hidden" in cells.options(cell) else {}
    report = symbptt.verify(Spec(model=cells.declare(cell, **sizes), T=2), method="modular")
    assert report.holds, [c.name for c in report.failures]


def test_a_cell_file_dropped_into_the_package_is_a_model_the_options_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding a built-in cell is adding one file: --model names it, the options it takes
    set its sizes and settings, one it does not take is refused, and it verifies."""
    from symbptt import verify
    from symbptt.cells.choose import build_spec, model_kinds

    for name in cells.names():
        (tmp_path / f"{name}.toml").write_text(cells.source(name)[1], encoding="utf-8")
    mgu = (Path(__file__).parents[2] / "derivations" / "minimal-gated-unit.toml").read_text()
    cell = mgu[mgu.index("[cell]") :].replace("[cell]", '[cell]\noptions = { hidden = "n" }', 1)
    (tmp_path / "mgu.toml").write_text(cell, encoding="utf-8")
    monkeypatch.setattr(cells, "files", lambda _: tmp_path)
    cells.source.cache_clear()
    cells.table.cache_clear()
    try:
        assert "mgu" in cells.names() and model_kinds()[-1] == "mgu"
        spec = build_spec(model="mgu", T=2, hidden=1)
        assert spec.model.name == "minimal gated unit" and spec.hidden == 1
        assert verify(spec, method="modular").holds
        assert spec.replace(hidden=2).hidden == 2
        with pytest.raises(SpecError, match="--inputs does not apply to --model mgu"):
            build_spec(model="mgu", T=2, inputs=2)
    finally:
        cells.source.cache_clear()
        cells.table.cache_clear()
