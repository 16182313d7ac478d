"""Time `symbptt pdf` end to end against the bare TeX compile of the same .tex, in one run.

symbptt's own share (engine, checks, rendering) is the difference; the target is under
30% of the total at T = 4, and `symbptt pdf -T 50` under 10 s.

Usage:
    python benchmarks/bench_pdf.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path


def seconds(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def in_process(T: int) -> tuple[float, float]:
    """(engine + rendering seconds, TeX seconds) for one document, in this process."""
    from symbptt import RNNSpec
    from symbptt.build import make_tex
    from symbptt.render.texbuild import compile_pdf

    start = time.perf_counter()
    tex, _ = make_tex(RNNSpec(T=T))
    engine = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as work:
        start = time.perf_counter()
        compile_pdf(tex, Path(work) / "d.pdf")
        return engine, time.perf_counter() - start


def main() -> None:
    from symbptt.render.texbuild import latexmk_command

    print("In process: symbptt's engine + rendering against the TeX compile it drives")
    print(f"{'T':>4}  {'engine+render':>14}  {'TeX':>8}  {'share':>6}")
    for T in (4, 12, 50):
        engine, tex = in_process(T)
        print(f"{T:>4}  {engine:12.2f} s  {tex:6.2f} s  {engine / (engine + tex):6.0%}")
    print("\nWhole process: `symbptt pdf` against bare latexmk on the same .tex")
    print(f"{'T':>4}  {'symbptt pdf':>12}  {'bare TeX':>9}  {'symbptt share':>14}")
    for T in (4, 12, 50):
        with tempfile.TemporaryDirectory() as work:
            cwd = Path(work)
            total = seconds(
                [sys.executable, "-m", "symbptt", "pdf", "-T", str(T), "-o", "d.pdf", "--keep-tex"],
                cwd,
            )
            tex_dir = cwd / "tex"
            tex_dir.mkdir()
            (tex_dir / "d.tex").write_text((cwd / "d.tex").read_text())
            bare = seconds(latexmk_command("d.tex"), tex_dir)
            share = max(total - bare, 0.0) / total
            print(f"{T:>4}  {total:10.2f} s  {bare:7.2f} s  {share:13.0%}")


if __name__ == "__main__":
    main()
