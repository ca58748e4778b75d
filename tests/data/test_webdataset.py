"""WebDataset shards written in tmp_path: streaming reader, map-style reader, bad samples."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch
import webdataset as wds
from torch.utils.data import DataLoader

from litclip.data import CorruptImageError, WebDatasetMap, WebDatasetPairs, expand_shards
from litclip.errors import DatasetNotFoundError, LitclipError

from .conftest import CORRUPT_PNG, image_bytes


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


@pytest.fixture
def shard(tmp_path: Path) -> Path:
    """One shard: 3 good samples (png+txt, jpg+json, png+txt+json), 1 corrupt, 1 captionless."""
    path = tmp_path / "shards" / "shard-000000.tar"
    path.parent.mkdir()
    with tarfile.open(path, "w") as tar:
        _add(tar, "a0.png", image_bytes(0))
        _add(tar, "a0.txt", b"Figure 1. Axial CT of the abdomen.")
        _add(tar, "a1.jpg", image_bytes(1, "JPEG"))
        _add(
            tar,
            "a1.json",
            json.dumps({"caption": "Figure 2. Fundus photograph.", "page": 3}).encode(),
        )
        _add(tar, "a2.png", CORRUPT_PNG)
        _add(tar, "a2.txt", b"Figure 3. Broken image.")
        _add(tar, "a3.png", image_bytes(3))
        _add(tar, "a4.png", image_bytes(4))
        _add(tar, "a4.txt", b"Figure 5. Chest X-ray.")
        _add(tar, "a4.json", json.dumps({"caption": "ignored: txt wins", "pair_id": "p4"}).encode())
    return path


def _second_shard(tmp_path: Path) -> Path:
    path = tmp_path / "shards" / "shard-000001.tar"
    with wds.TarWriter(str(path)) as sink:
        for i in range(2):
            sink.write(
                {
                    "__key__": f"b{i}",
                    "png": image_bytes(10 + i),
                    "txt": f"Figure {i}. Second shard.",
                }
            )
    return path


def test_iterable_skips_and_counts(shard: Path) -> None:
    ds = WebDatasetPairs(shard)
    items = list(ds)
    assert [c for _, c in items] == [
        "Figure 1. Axial CT of the abdomen.",
        "Figure 2. Fundus photograph.",
        "Figure 5. Chest X-ray.",
    ]
    assert all(img.mode == "RGB" and img.size == (16, 16) for img, _ in items)
    assert len(ds.skipped) == 2
    reasons = {s.source.rsplit(":", 1)[1]: s.reason for s in ds.skipped}
    assert "no caption" in reasons["a3"] and reasons["a2"]


def test_iterable_raise_mode(shard: Path) -> None:
    with pytest.raises(CorruptImageError) as exc:
        list(WebDatasetPairs(shard, on_error="raise"))
    assert "shard-000000.tar:a2" in str(exc.value) and "on_error='skip'" in str(exc.value)


def test_iterable_in_dataloader_with_workers(shard: Path, tmp_path: Path) -> None:
    _second_shard(tmp_path)
    ds = WebDatasetPairs(
        tmp_path / "shards", transform=lambda im: torch.from_numpy(np.asarray(im).copy())
    )
    loader = DataLoader(ds, batch_size=2, num_workers=2)
    captions = [c for batch in loader for c in batch[1]]
    assert sorted(captions) == sorted(
        [
            "Figure 1. Axial CT of the abdomen.",
            "Figure 2. Fundus photograph.",
            "Figure 5. Chest X-ray.",
        ]
        + [f"Figure {i}. Second shard." for i in range(2)]
    )


def test_map_reader(shard: Path) -> None:
    ds = WebDatasetMap(shard, progress=False)
    assert len(ds.skipped) == 1  # captionless sample dropped at indexing time
    assert len(ds) == 3 and len(ds.skipped) == 2  # corrupt image dropped by lazy verification
    assert ds.keys == ["a0", "a1", "a4"]
    assert ds.captions[2] == "Figure 5. Chest X-ray."
    img, caption = ds[1]
    assert img.mode == "RGB" and caption == "Figure 2. Fundus photograph."
    assert ds.metadata(1)["page"] == 3 and ds.metadata(0) == {}
    assert np.array_equal(np.asarray(ds[0][0]), np.asarray(next(iter(WebDatasetPairs(shard)))[0]))


def test_bad_json_caption_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "s.tar"
    with tarfile.open(path, "w") as tar:
        _add(tar, "k0.png", image_bytes(0))
        _add(tar, "k0.json", b"{not json")
        _add(tar, "k1.png", image_bytes(1))
        _add(tar, "k1.txt", b"fine")
    ds = WebDatasetMap(path, progress=False)
    assert ds.captions == ["fine"] and "unreadable caption" in ds.skipped[0].reason
    stream = WebDatasetPairs(path)
    assert [c for _, c in stream] == ["fine"] and len(stream.skipped) == 1


def test_map_reader_raise_mode(shard: Path) -> None:
    with pytest.raises(LitclipError, match="no caption"):
        WebDatasetMap(shard, on_error="raise")


def test_shard_patterns(shard: Path, tmp_path: Path) -> None:
    second = _second_shard(tmp_path)
    d = tmp_path / "shards"
    assert expand_shards(d) == [str(shard), str(second)]
    assert expand_shards(str(d / "shard-{000000..000001}.tar")) == [str(shard), str(second)]
    assert expand_shards(str(d / "*.tar")) == [str(shard), str(second)]
    assert len(WebDatasetMap([str(shard), str(second)], progress=False)) == 5


def test_missing_shards(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError) as exc:
        expand_shards(str(tmp_path / "s-{000..002}.tar"))
    assert "s-000.tar" in str(exc.value) and "3 missing of 3" in str(exc.value)
    with pytest.raises(DatasetNotFoundError, match="no WebDataset shards"):
        expand_shards(str(tmp_path / "*.tar"))


def test_unreadable_shard(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"\x00garbage" * 200)
    with pytest.raises(LitclipError, match="bad.tar"):
        WebDatasetMap(bad)


def _split_shard(tmp_path: Path) -> Path:
    """Samples whose json records their split (as a corpus writes them), and one without."""
    path = tmp_path / "split.tar"
    with tarfile.open(path, "w") as tar:
        for key, split in (("t0", "train"), ("t1", "train"), ("v0", "val"), ("s0", "test")):
            _add(tar, f"{key}.png", image_bytes(len(key) + ord(key[0])))
            _add(tar, f"{key}.json", json.dumps({"caption": key, "split": split}).encode())
        _add(tar, "u0.png", image_bytes(9))
        _add(tar, "u0.txt", b"u0")  # no split recorded: belongs to every split
    return path


def test_recorded_split_selects_samples(tmp_path: Path) -> None:
    """Every sample was read whatever --split said (a test split embedded the train rows)."""
    path = _split_shard(tmp_path)
    ds = WebDatasetMap(path, split="train", progress=False)
    assert ds.keys == ["t0", "t1", "u0"] and ds.split == "train"
    assert WebDatasetMap(path, split="validation", progress=False).keys == ["v0", "u0"]
    assert sorted(c for _, c in WebDatasetPairs(path, split="test")) == ["s0", "u0"]
    assert len(WebDatasetMap(path, progress=False)) == 5  # no split: everything


def test_split_without_samples_is_an_error(tmp_path: Path, shard: Path, capsys) -> None:
    from litclip.cli import main

    path = tmp_path / "train.tar"
    with tarfile.open(path, "w") as tar:
        _add(tar, "t0.png", image_bytes(0))
        _add(tar, "t0.json", json.dumps({"caption": "c", "split": "train"}).encode())
    with pytest.raises(LitclipError, match=r"no samples with split == 'test'.*\['train'\]"):
        WebDatasetMap(path, split="test")
    assert main(["data", "info", f"wds:{path}", "--split", "test"]) == 2
    assert "split == 'test'" in capsys.readouterr().err
    assert main(["data", "info", f"wds:{path}", "--split", "train", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["split"] == "train"
    # shards that record no split are read whole, whatever the split asked
    assert main(["data", "info", f"wds:{shard}", "--split", "val", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n"] == 3 and summary["split"] is None


def test_data_info_prints_keys_as_written_and_no_object_reprs(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A sample keyed 'a' printed as the emoji 🅰 (rich's ':a:' code), and an undecodable
    image's reason ended in '<_io.BytesIO object at 0x7f...>'."""
    from litclip.cli import main

    path = tmp_path / "s.tar"
    with tarfile.open(path, "w") as tar:
        _add(tar, "a.png", b"not an image")
        _add(tar, "a.txt", b"Figure 1. A caption.")
        _add(tar, "b.png", image_bytes(0))
        _add(tar, "b.txt", b"Figure 2. A caption.")
    assert main(["data", "info", f"wds:{path}"]) == 0
    out = capsys.readouterr().out
    assert "🅰" not in out and "BytesIO" not in out
    assert f"{path}:a: UnidentifiedImageError" in " ".join(out.split())
