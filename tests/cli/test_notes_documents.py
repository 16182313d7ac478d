"""Documents in the notes' own names (issue 27): ``pdf --forward`` and ``tex --forward``
write the derivation of the model the notes' forward pass states, with their names and
the names symbptt gives what the notes leave unnamed in the same style."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from symbptt.cli import main

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT / "examples" / "own-model.tex"


def _tex(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, ["tex", "-T", "3", "--quiet", *args])
    return done.exit_code, done.output


def test_the_derivation_of_the_notes_model_is_written_in_their_names() -> None:
    code, out = _tex("--forward", str(NOTES))
    assert code == 0, out
    assert r"a^{\langle t \rangle}" in out and r"W_{aa}" in out  # the notes' names
    assert r"z_{a}^{\langle t \rangle}" in out  # the pre-activation, named in their style
    assert r"{y^{\langle t \rangle}}^\top" in out  # a name with a superscript, transposed
    assert "softmax cross-entropy" in out


def test_a_forward_pass_without_a_head_is_documented_with_any_loss() -> None:
    code, out = _tex("--forward", r"h_t = \tanh(W h_{t-1} + U x_t) \\ o_t = V h_t")
    assert code == 0, out
    assert r"\nabla_{o_{t}} \ell_{t}" in out and "generic" in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--forward", r"h_t = f(W h_{t-1})"), "may be a function or a product"),
        (("--conventions", "layout = mixed"), "--conventions applies with --forward"),
    ],
)
def test_notes_that_cannot_be_documented_are_refused_saying_why(
    args: tuple[str, ...], said: str
) -> None:
    code, out = _tex(*args)
    assert code == 2 and said in out


@pytest.mark.tex
def test_the_pdf_of_the_notes_model_compiles(tmp_path: Path) -> None:
    target = tmp_path / "notes.pdf"
    done = CliRunner().invoke(
        main, ["pdf", "--forward", str(NOTES), "-T", "3", "--quiet", "-o", str(target)]
    )
    assert done.exit_code == 0, done.output
    assert target.read_bytes().startswith(b"%PDF") and "all checks hold" in done.output
