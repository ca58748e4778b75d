"""Atomic writes: the result appears whole and readable by others (the umask decides).
JSON objects read back: a damaged file is a one-line error naming it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from litclip import io
from litclip.errors import LitclipError, ModelLoadError
from litclip.io import read_json_object


def test_atomic_writes_follow_the_umask_not_mkstemp(tmp_path: Path) -> None:
    io.atomic_write_text(tmp_path / "a.txt", "hello")
    io.atomic_write_json(tmp_path / "b.json", {"x": 1})
    with io.atomic_path(tmp_path / "c.bin") as tmp:
        tmp.write_bytes(b"\x00")
    for name in ("a.txt", "b.json", "c.bin"):
        mode = stat.S_IMODE(os.stat(tmp_path / name).st_mode)
        assert mode == 0o666 & ~io._current_umask()
    assert (tmp_path / "a.txt").read_text() == "hello"


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), io.atomic_path(tmp_path / "x.bin") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'{"a": 1', "is not valid JSON"),
        (b"\xff\xfe not text", "is not valid JSON"),
        (b"[1, 2]", "must hold a JSON object, not list"),
    ],
)
def test_read_json_object_names_the_file_the_problem_and_the_advice(
    tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(content)
    with pytest.raises(ModelLoadError) as exc:
        read_json_object(path, "save it again", what="model config", error=ModelLoadError)
    message = str(exc.value)
    assert message.startswith(f"model config '{path}' {said}")
    assert message.endswith(": save it again") and "\n" not in message


def test_read_json_object_of_a_folder_is_a_litclip_error(tmp_path: Path) -> None:
    with pytest.raises(LitclipError, match="cannot be read"):
        read_json_object(tmp_path, "give a file")
    (tmp_path / "ok.json").write_text('{"runs": []}')
    assert read_json_object(tmp_path / "ok.json", "unused") == {"runs": []}


def test_sole_writer_holds_a_folder_until_it_is_done(tmp_path: Path) -> None:
    with io.sole_writer(tmp_path, "corpus build"):
        with pytest.raises(LitclipError, match=r"another process is writing into .* started twice"):
            with io.sole_writer(tmp_path, "corpus build"):
                pass
    with io.sole_writer(tmp_path, "corpus build"):  # released: taken again
        pass
    assert list(tmp_path.iterdir()) == []  # no lock file left behind


def test_atomic_folder_replaces_a_folder_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "model"
    with io.atomic_folder(target) as tmp:
        (tmp / "weights").write_text("v1")
        (tmp / "meta").write_text("v1")
        assert not target.exists()  # nothing is seen before the whole folder is done
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o777 & ~io._current_umask()
    with pytest.raises(RuntimeError), io.atomic_folder(target) as tmp:
        (tmp / "weights").write_text("v2")  # new weights...
        raise RuntimeError("killed before the metadata")  # ...never beside old metadata
    assert {p.name: p.read_text() for p in target.iterdir()} == {"weights": "v1", "meta": "v1"}
    with io.atomic_folder(target) as tmp:
        (tmp / "weights").write_text("v3")
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temporary or old folder
    assert [p.read_text() for p in target.iterdir()] == ["v3"]


def test_mend_folder_swap_puts_back_a_folder_renamed_aside(tmp_path: Path) -> None:
    # killed between the two renames: the earlier folder aside, the new one still temporary
    old = tmp_path / ".model.ab12.old"
    old.mkdir()
    (old / "weights").write_text("v1")
    (tmp_path / ".model.cd34.tmp").mkdir()
    gone = io.mend_folder_swap(tmp_path / "model")
    assert [p.name for p in gone] == [".model.cd34.tmp"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    assert (tmp_path / "model" / "weights").read_text() == "v1"


def test_json_is_strict_nan_and_infinity_become_null(tmp_path: Path) -> None:
    """results.json held NaN tokens in run details: JSON.parse and strict parsers refused it."""
    import json

    import numpy as np

    obj = {"a": float("nan"), "b": [1.0, float("inf"), np.float64("nan")], "c": np.array([np.nan])}
    io.atomic_write_json(tmp_path / "x.json", obj)
    text = (tmp_path / "x.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"a": None, "b": [1.0, None, None], "c": [None]}


def test_logs_sent_into_an_output_folder_are_not_foreign(tmp_path: Path) -> None:
    """`litclip train ... > run/train.log` made the run folder 'hold other files' before
    the command looked at it; a resume was refused for the same log."""
    from litclip.io import foreign_entries, refuse_foreign_out

    for name in ("train.log", "slurm-41.out", "job.err"):
        (tmp_path / name).write_text("x")
    allowed = frozenset({"config.json"})
    assert foreign_entries(tmp_path, allowed) == []
    refuse_foreign_out(tmp_path, allowed, "a training run", "hint")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(LitclipError, match=r"holds other files \(notes.txt\) and is not a"):
        refuse_foreign_out(tmp_path, allowed, "a training run", "hint")
    (tmp_path / "metrics.jsonl").write_text("")  # the run's own files beside the stray
    allowed |= {"metrics.jsonl"}
    with pytest.raises(LitclipError, match=r"is a training run that also holds other files \("):
        refuse_foreign_out(tmp_path, allowed, "a training run", "hint")
