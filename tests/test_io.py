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
