"""The shared progress bar: on stderr, and only on a terminal."""

from __future__ import annotations

import pytest

from litclip.progress import progress_bar


def test_a_bar_is_drawn_on_stderr_and_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """Written to a file, each stopped bar left a blank line on stdout (`evaluate --quiet >
    out.txt` began with three of them)."""
    with progress_bar("work", transient=True) as bar:
        for _ in bar.track(range(3), total=3):
            pass
    assert bar.console.stderr and bar.disable  # captured output is no terminal
    assert capsys.readouterr() == ("", "")
    from rich.console import Console

    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    assert not progress_bar("work").disable
    assert progress_bar("work", enabled=False).disable


def test_training_off_a_terminal_says_where_it_is_every_tenth(capsys) -> None:  # noqa: ANN001
    """A run logged to a file printed nothing from its first line to its last (half an hour
    on a busy machine): a log could not tell a slow run from a hung one."""
    from litclip.train.progress import TrainProgress

    with TrainProgress(20, enabled=True) as bar:
        for step in range(1, 21):
            bar.update(step, 12.5, 1.0 / step, 1e-4)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 10 and lines[0].startswith("train 2/20 (10%)  12.5 samples/s")
    assert lines[-1].startswith("train 20/20 (100%)") and "loss 0.0500" in lines[-1]
    with TrainProgress(20, enabled=False) as bar:  # off rank 0, or asked for no progress
        bar.update(20, 1.0, 1.0, 1e-4)
    assert capsys.readouterr().err == ""


def test_consoles_off_a_terminal_do_not_wrap_at_80_columns(monkeypatch) -> None:  # noqa: ANN001
    """In a log, rich's default 80 columns broke tables and path lines mid-way."""
    import io

    from litclip.console import LOG_WIDTH, new_console

    monkeypatch.delenv("COLUMNS", raising=False)
    assert new_console(file=io.StringIO()).width == LOG_WIDTH == 160
    assert new_console(file=io.StringIO(), width=70).width == 70
    monkeypatch.setenv("COLUMNS", "100")
    assert new_console(file=io.StringIO()).width == 100
