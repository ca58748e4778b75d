"""Usage mistakes on the command line print click's one-line error, never a traceback."""

from __future__ import annotations

import errno
import os

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


def _medmnist_like(tmp_path):  # noqa: ANN001, ANN202
    """A tiny MedMNIST-format file: a dataset spec that opens without ../shared."""
    import numpy as np

    rng = np.random.default_rng(0)
    arrays = {}
    for split in ("train", "val", "test"):
        arrays[f"{split}_images"] = rng.integers(0, 255, (6, 28, 28), dtype=np.uint8)
        arrays[f"{split}_labels"] = np.array([[0], [1]] * 3)
    path = tmp_path / "pneumoniamnist.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--tasks", "few-shot", "--shots", "0"], "--shots takes one or more"),
        (["--tasks", "few-shot", "--shots", "1,-2"], "--shots takes one or more"),
        (["--tasks", "few-shot", "--seeds", ""], "--seeds takes one or more"),
        (["--tasks", "zeroshot", "--device", "gpu"], "unknown device 'gpu'"),
        (["--tasks", ""], "no task given"),
        (["--tasks", "zeroshot", "--exclude-contaminated"], "needs --contamination-manifest"),
        (["--tasks", "zeroshot", "--criterion", "auc"], "--criterion must be f1 or youden"),
    ],
)
def test_bad_evaluate_options_are_user_errors(
    extra: list[str], expected: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = f"medmnist:{_medmnist_like(tmp_path)}"
    argv = ["evaluate", "-m", "litclip-micro", "-d", data, "--out", str(tmp_path / "e"), *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_cuda_without_a_gpu_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    from litclip.errors import LitclipError
    from litclip.models.device import resolve_device

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(LitclipError, match="no CUDA GPU is available here"):
        resolve_device("cuda")


def test_out_naming_a_file_is_a_user_error(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["synth", "journal", "--out", str(afile / "sub"), "--articles", "1"]) == 2
    err = capsys.readouterr().err
    # rich wraps at the terminal width, at any space: compare with whitespace collapsed
    assert f"{afile} is a file, not a folder" in " ".join(err.split()) and "Traceback" not in err


def test_serve_port_out_of_range(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(tmp_path), "--port", "99999"]) == 2
    assert "Invalid value for '--port'" in capsys.readouterr().err


def test_serve_on_a_taken_port(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    (tmp_path / "index.json").write_text("{}")  # the port is checked before the index loads
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", str(tmp_path), "--host", "127.0.0.1", "--port", str(port)]) == 2
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert f"cannot listen on 127.0.0.1:{port}" in err and "serving" not in err


def test_litclips_own_warnings_are_one_line(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """Not '/path/medmnist.py:302: UserWarning: ...' with the source line under it."""
    data = _medmnist_like(tmp_path)
    custom = tmp_path / "mydata.npz"
    custom.write_bytes(data.read_bytes())
    assert main(["data", "info", f"medmnist:{custom}"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: mydata.npz is not named after a MedMNIST flag")
    assert "UserWarning" not in err and ".py:" not in err


@pytest.mark.parametrize(
    ("code", "said"), [(errno.EROFS, "read-only file system"), (errno.ENOSPC, "no space left")]
)
def test_an_unwritable_disk_is_one_line(
    code: int, said: str, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def full_disk(**kwargs: object) -> None:
        raise OSError(code, os.strerror(code), str(tmp_path / ".config.json.1234.tmp"))

    monkeypatch.setattr("litclip.cli.app", full_disk)
    assert main(["synth", "journal", "--out", str(tmp_path)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{tmp_path} " in err and said in err and "Traceback" not in err


def _commands(group, path):  # noqa: ANN001, ANN202
    """(argv path, click command) for every leaf command under a click group."""
    import click

    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, [*path, name])
        else:
            yield [*path, name], cmd


def test_help_at_80_columns_shows_every_option_and_command_whole() -> None:
    """A narrow terminal wraps help text; it never cuts an option name or a summary short."""
    import typer
    from typer.testing import CliRunner

    from litclip.cli import app

    runner = CliRunner()
    root = typer.main.get_command(app)
    for argv, cmd in _commands(root, []):
        text = runner.invoke(app, [*argv, "--help"], terminal_width=80).output
        assert "…" not in text, argv
        for param in cmd.params:
            for opt in (*param.opts, *param.secondary_opts):
                if opt.startswith("--"):
                    assert opt in text, (argv, opt)
    for argv in ([], ["corpus"], ["data"], ["synth"]):
        text = runner.invoke(app, [*argv, "--help"], terminal_width=80).output
        assert "..." not in text.split("Commands:")[1], argv


def test_error_messages_keep_square_brackets(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path or a format in an error is text: rich markup ate '[bold]' and '[x]' from it."""
    missing = tmp_path / "paper[bold]1"
    assert main(["corpus", "build", str(missing), "--out", str(tmp_path / "out[x]")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"input {missing} does not exist" in err and "Traceback" not in err


def test_help_texts_give_values_not_internal_names(capsys) -> None:  # noqa: ANN001
    """--articles said "default: the demo's DEFAULT_ARTICLES"; --truth named a document the
    repository does not ship ("ARCHITECTURE contract 2")."""
    from litclip.cli import main
    from litclip.data.synthetic.journal import DEFAULT_ARTICLES

    main(["synth", "journal", "--help"])
    main(["corpus", "evaluate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"default: {DEFAULT_ARTICLES}" in text
    assert "DEFAULT_ARTICLES" not in text and "ARCHITECTURE" not in text


def test_python_dash_m_litclip_runs_the_cli() -> None:
    """Where the litclip script is not on PATH (a torchrun -m launch, a bare interpreter)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "litclip", "train", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "--resume" in done.stdout


def test_under_torchrun_only_rank_0_prints_a_user_error(
    tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """torchrun starts one process a GPU, each meeting the same bad input: one error line, not
    one per rank; every rank exits with its code."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    argv = ["synth", "journal", "--out", str(afile / "sub"), "--articles", "1"]
    monkeypatch.setenv("RANK", "1")
    assert main(argv) == 2
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("RANK", "0")
    assert main(argv) == 2
    assert "error:" in capsys.readouterr().err
