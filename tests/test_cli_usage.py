"""Usage mistakes on the command line print click's one-line error, never a traceback."""

from __future__ import annotations

import pytest

from litclip.cli import main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["corpus", "build", "--no-such-option"], "No such option"),
        (["synth", "journal", "--articles", "2"], "Missing option '--out'"),
        (
            ["synth", "journal", "--out", "x", "--articles", "many"],
            "Invalid value for '--articles'",
        ),
        (["no-such-stage"], "No such command"),
    ],
)
def test_usage_errors_exit_2_without_traceback(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
