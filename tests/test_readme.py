"""The README's Python examples run as written, in order, as one session (a later one
uses what an earlier one imported), and a printed verdict is the one its comment says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
#: print(...)  # True ...: the first word the print's comment says it prints
SAYS = re.compile(r"^print\(.*?#\s*(True|False)\b", flags=re.MULTILINE)


def test_the_python_examples_run_and_print_what_their_comments_say(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert len(BLOCKS) >= 4
    session: dict = {"__name__": "readme"}
    for number, block in enumerate(BLOCKS):
        exec(compile(block, f"README.md (python block {number})", "exec"), session)
        printed = capsys.readouterr().out.splitlines()
        said = SAYS.findall(block)
        firsts = [line.split()[0] for line in printed if line.split()]
        verdicts = [word for word in firsts if word in ("True", "False")]
        assert verdicts == said, (number, printed)
