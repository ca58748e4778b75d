"""The step runner: what it reuses and what it does again."""

from __future__ import annotations

import io

from rich.console import Console

from litclip.workflow.steps import StepRunner


def _runner(out):
    return StepRunner(out, Console(file=io.StringIO()))


def test_a_step_whose_output_is_gone_is_done_again(tmp_path) -> None:
    made = tmp_path / "made.txt"
    calls = []

    def make() -> dict:
        calls.append(1)
        made.write_text("x")
        return {"file": made.name}

    products = lambda o: [tmp_path / o["file"]]  # noqa: E731
    _runner(tmp_path).run("make", {"a": 1}, make, products=products)
    _runner(tmp_path).run("make", {"a": 1}, make, products=products)
    assert len(calls) == 1
    made.unlink()
    _runner(tmp_path).run("make", {"a": 1}, make, products=products)
    assert len(calls) == 2 and made.is_file()


def test_a_redone_step_redoes_the_steps_after_it(tmp_path) -> None:
    """Same key, made again (its output was deleted): what was built on the old one is stale."""
    made = tmp_path / "model"
    after = []

    def both() -> None:
        steps = _runner(tmp_path)
        steps.run("train", {}, lambda: made.mkdir() or {}, products=lambda _: [made])
        steps.run("evaluate", {}, lambda: after.append(1) or {}, after=["train"])

    both()
    both()
    assert len(after) == 1
    made.rmdir()
    both()
    assert len(after) == 2
