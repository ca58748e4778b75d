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
