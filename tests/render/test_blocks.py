"""The format-neutral document: what a derivation says is data (sections, prose, displays),
not LaTeX source, so that a format is an exporter over it."""

from __future__ import annotations

import pytest

from symbptt import ElmanSpec, RNNSpec, Spec, verify
from symbptt.cells.gated import gated_spec
from symbptt.render.blocks import (
    Boxed,
    Claimed,
    Display,
    Document,
    Emph,
    Figure,
    Math,
    Prose,
    Ref,
    Table,
    Text,
    listed,
)
from symbptt.render.document import SECTIONS, DocumentOptions
from symbptt.render.formats.latex import inline, prose, table_columns
from symbptt.render.sections import build_document

SPECS = {
    "scalar": RNNSpec(T=3),
    "elman": ElmanSpec(hidden=2, T=3),
    "lstm": gated_spec("lstm", hidden=2, T=2),
}


@pytest.fixture(scope="module", params=sorted(SPECS))
def document(request: pytest.FixtureRequest) -> tuple[Spec, Document]:
    spec = SPECS[request.param]
    return spec, build_document(spec, verify(spec), DocumentOptions(), measure=34.0)


def _inlines(parts):  # every inline part, emphasis opened
    for part in parts:
        yield part
        if isinstance(part, Emph):
            yield from _inlines(part.parts)


def _prose(doc: Document):
    blocks = list(doc.intro) + [b for s in doc.sections for b in s.blocks]
    for block in blocks:
        if isinstance(block, Prose):
            yield from _inlines(block.parts)
        if isinstance(block, Figure):
            yield from _inlines(block.caption)
        if isinstance(block, Table):
            yield from (p for row in block.rows for cell in row for p in _inlines(cell))


def test_every_section_asked_for_is_there_in_order(document) -> None:
    _, doc = document
    assert doc.keys == SECTIONS


def test_prose_is_plain_text_and_maths_is_marked_as_maths(document) -> None:
    # no LaTeX source in the prose: a format escapes Text for itself
    _, doc = document
    texts = [p.text for p in _prose(doc) if isinstance(p, Text)]
    assert texts and not [t for t in texts if "\\" in t or "$" in t or "~" in t]
    assert any(isinstance(p, Math) for p in _prose(doc))


def test_the_blocks_of_each_section(document) -> None:
    spec, doc = document
    kinds = {s.key: {type(b) for b in s.blocks} for s in doc.sections}
    assert Display in kinds["model"] and Prose in kinds["model"]
    assert Boxed in kinds["sum_of_products"]
    assert kinds["figure"] == {Figure}
    assert Table in kinds["certificate"]
    if spec.model.scalar:  # the seeds' formulas are claims of the scalar cell
        assert Claimed in kinds["model"] | kinds["sum_of_products"] | kinds["backward"]


def test_the_certificate_is_the_reports(document) -> None:
    spec, doc = document
    report = verify(spec)
    table = next(b for b in doc.section("certificate").blocks if isinstance(b, Table))
    assert [row[0][0].text for row in table.rows] == [c.name for c in report.checks]
    assert all(row[-1][0] == Math(r"\checkmark") for row in table.rows)


def test_the_figure_is_data_one_column_per_step_shown() -> None:
    doc = build_document(SPECS["lstm"], verify(SPECS["lstm"]), DocumentOptions(), measure=34.0)
    figure = next(b for s in doc.sections for b in s.blocks if isinstance(b, Figure))
    assert [c.index for c in figure.columns] == [1, 2]
    assert len(figure.rows) == 2 and all(len(c.states) == 2 for c in figure.columns)
    assert any(link.thick for link in figure.links)  # the cell-state path


def test_only_the_sections_asked_for() -> None:
    spec = SPECS["scalar"]
    options = DocumentOptions(sections=("backward", "certificate"))
    assert build_document(spec, verify(spec), options, measure=34.0).keys == (
        "backward",
        "certificate",
    )
    # the document's order, each once, whatever order they are asked in
    options = DocumentOptions(sections=("certificate", "model", "model"))
    assert build_document(spec, verify(spec), options, measure=None).keys == (
        "model",
        "certificate",
    )


def test_listed_joins_with_commas_and_a_last_word() -> None:
    assert listed([Text("a"), Text("b"), Text("c")]) == (
        Text("a"),
        Text(", "),
        Text("b"),
        Text(" and "),
        Text("c"),
    )


def test_the_latex_exporter_escapes_prose_and_keeps_its_spaces() -> None:
    said = inline((Text("50% of {x} "), Math("h_t"), Text(" and\u00a0"), Ref("eq:boxed")))
    assert said == r"50\% of \{x\} $h_t$ and~\eqref{eq:boxed}"
    assert inline((Ref("sec:model", "section"),), prefix="a:", heading_name="Chapter") == (
        r"Chapter~\ref{a:sec:model}"
    )
    assert inline((Emph((Text("fails"),), strong=True),)) == r"\textbf{fails}"


def test_the_latex_exporter_wraps_prose_and_starts_paragraphs() -> None:
    long = Prose((Text("word " * 40),), new=True, indent=False)
    out = prose(long, say=inline)
    assert out.startswith("\n\\noindent word")
    assert max(len(line) for line in out.splitlines()) <= 90


def test_a_table_in_a_fragment_wraps_its_text_columns() -> None:
    table = Table(("a", "n", "b"), (), (False, True, False))
    assert table_columns(table, fragment=False) == "@{}lrl@{}"
    assert table_columns(table, fragment=True) == (r"@{}p{0.38\linewidth}rp{0.12\linewidth}@{}")


def test_displays_are_broken_to_the_formats_measure() -> None:
    spec = ElmanSpec(hidden=2, T=3)
    report = verify(spec)

    def rows(measure: float | None) -> int:
        doc = build_document(spec, report, DocumentOptions(), measure=measure)
        return sum(len(b.rows) for s in doc.sections for b in s.blocks if isinstance(b, Display))

    assert rows(None) < rows(34.0) < rows(20.0)  # a window that wraps breaks nothing


def test_prose_is_never_wrapped_inside_maths() -> None:
    math = Math(r"\frac{\partial h_{t}}{\partial w} % a b c d e f g h i j k l m n o p q r s")
    out = prose(Prose((Text("word " * 12), math, Text(" and more words " * 5))), say=inline)
    assert "$" + math.latex + "$" in out.replace("\n", " ")
    assert not any(line.count("$") % 2 for line in out.splitlines())
