"""Atomic writes: the result appears whole and readable by others (the umask decides)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from litclip import io


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
