"""``open_dataset`` specs, the explicit registry, and spec errors."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from litclip.data import (
    ImageFolderDataset,
    MedMNISTDataset,
    PairsDataset,
    WebDatasetMap,
    WebDatasetPairs,
    list_datasets,
    open_dataset,
    register_dataset,
)
from litclip.data import registry as reg
from litclip.errors import DatasetNotFoundError, LitclipError

from .conftest import write_image


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(reg, "_DATASETS", dict(reg._DATASETS))


def test_builtin_kinds() -> None:
    assert set(list_datasets()) >= {"medmnist", "folder", "pairs", "wds"}
    assert all(list_datasets().values())


def test_medmnist_spec(medmnist_dir: Path) -> None:
    ds = open_dataset(f"medmnist:{medmnist_dir / 'pneumoniamnist.npz'}")
    assert isinstance(ds, MedMNISTDataset) and ds.split == "test" and len(ds) == 624
    assert len(open_dataset(f"medmnist:{medmnist_dir / 'retinamnist.npz'}", split="val")) == 120


def test_folder_spec_flat_and_split(make_folder, tmp_path: Path) -> None:
    flat = make_folder({"a": 1, "b": 2})
    ds = open_dataset(f"folder:{flat}")  # split ignored: no split folders
    assert isinstance(ds, ImageFolderDataset) and len(ds) == 3 and ds.split is None
    split_root = tmp_path / "split"
    make_folder({"a": 1, "b": 1}, split="train", root=split_root)
    make_folder({"a": 2, "b": 1}, split="test", root=split_root)
    assert len(open_dataset(f"folder:{split_root}")) == 3
    assert len(open_dataset(f"folder:{split_root}", split="train")) == 2


def test_pairs_spec_with_options(tmp_path: Path) -> None:
    write_image(tmp_path / "i.png", 0)
    pd.DataFrame({"path": ["i.png"], "text": ["a caption"]}).to_csv(tmp_path / "m.csv", index=False)
    ds = open_dataset(f"pairs:{tmp_path / 'm.csv'}", image_key="path", caption_key="text")
    assert isinstance(ds, PairsDataset) and ds[0][1] == "a caption"


def test_wds_spec_split_placeholder_and_iterable(tmp_path: Path) -> None:
    import io

    from .conftest import image_bytes

    for split in ("train", "test"):
        with tarfile.open(tmp_path / f"{split}-0.tar", "w") as tar:
            for name, data in (("k.png", image_bytes(1)), ("k.txt", split.encode())):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    ds = open_dataset(f"wds:{tmp_path}/{{split}}-0.tar", split="train")
    assert isinstance(ds, WebDatasetMap) and ds.captions == ["train"]
    it = open_dataset(f"wds:{tmp_path}/{{split}}-0.tar", iterable=True)
    assert isinstance(it, WebDatasetPairs) and [c for _, c in it] == ["test"]


def test_unknown_kind_suggests_prefix(tmp_path: Path) -> None:
    with pytest.raises(LitclipError) as exc:
        open_dataset("data/pneumoniamnist.npz")
    msg = str(exc.value)
    assert "medmnist:" in msg and "Did you mean medmnist:data/pneumoniamnist.npz" in msg
    with pytest.raises(LitclipError, match="Did you mean folder:"):
        open_dataset(str(tmp_path))
    with pytest.raises(LitclipError, match="no path"):
        open_dataset("pairs:")


def test_missing_path_errors(tmp_path: Path) -> None:
    for spec in ("medmnist:{}/x.npz", "folder:{}/x", "pairs:{}/x.csv", "wds:{}/x.tar"):
        with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
            open_dataset(spec.format(tmp_path))


def test_register_custom_kind(clean_registry) -> None:
    def factory(path: str, split: str, scale: int = 1) -> list[tuple[str, int]]:
        return [(path, scale)] * (2 if split == "test" else 1)

    register_dataset("toy", factory, "a toy kind")
    assert list_datasets()["toy"] == "a toy kind"
    assert open_dataset("toy:abc", scale=3) == [("abc", 3), ("abc", 3)]
    with pytest.raises(ValueError, match="already registered"):
        register_dataset("toy", factory)
    register_dataset("toy", lambda p, s: [], overwrite=True)
    assert open_dataset("toy:abc") == []
    with pytest.raises(ValueError, match="alphanumeric"):
        register_dataset("bad:name", factory)


def test_datasets_feed_a_dataloader(medmnist_dir: Path) -> None:
    import torch
    from torch.utils.data import DataLoader

    ds = open_dataset(f"medmnist:{medmnist_dir / 'pneumoniamnist.npz'}")
    ds.transform = lambda im: torch.from_numpy(np.asarray(im).copy())
    x, y = next(iter(DataLoader(ds, batch_size=8)))
    assert x.shape == (8, 28, 28, 3) and y.tolist() == ds.labels[:8].tolist()


def test_summarize_and_cli(make_folder, capsys) -> None:
    import json

    from litclip.cli import main
    from litclip.data.registry import summarize_dataset

    from .conftest import CORRUPT_PNG

    root = make_folder({"normal": 2, "pneumonia": 3})
    (root / "pneumonia" / "img_000.png").write_bytes(CORRUPT_PNG)
    summary = summarize_dataset(open_dataset(f"folder:{root}", progress=False))
    assert summary["n"] == 4 and summary["classes"] == {"normal": 2, "pneumonia": 2}
    assert summary["skipped"] == 1 and "img_000.png" in summary["skipped_examples"][0]["source"]
    assert main(["data", "info", f"folder:{root}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped"] == 1
    assert main(["data", "info", f"folder:{root}", "--no-verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 5  # no pre-pass: raw count
    assert main(["data", "info", f"pairs:{root}/missing.csv"]) == 2
    assert "missing.csv" in capsys.readouterr().err
    (root / "m.csv").write_text("path,text\nnormal/img_000.png,a chest X-ray\n")
    spec = f"pairs:{root}/m.csv?image_key=path&caption_key=text"  # the spec's own column names
    assert main(["data", "info", spec, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 1


def test_spec_options(tmp_path: Path) -> None:
    from litclip.data.registry import split_options

    assert split_options("m.csv?caption_key=title&progress=false&n=3") == (
        "m.csv",
        {"caption_key": "title", "progress": False, "n": 3},
    )
    assert split_options("odd?name.csv") == ("odd?name.csv", {})
    # the last one silently won: "?label=pneumonia&label=edema" read edema
    with pytest.raises(LitclipError, match="'label' is given twice"):
        split_options("chestmnist.npz?label=pneumonia&label=edema")
    write_image(tmp_path / "i.png", 0)
    pd.DataFrame({"filepath": ["i.png"], "title": ["t"]}).to_csv(tmp_path / "m.csv", index=False)
    ds = open_dataset(f"pairs:{tmp_path / 'm.csv'}?caption_key=title&progress=false")
    assert ds.captions == ["t"] and ds._progress is False
    with pytest.raises(LitclipError) as exc:
        open_dataset(f"pairs:{tmp_path / 'm.csv'}")
    assert f"pairs:{tmp_path / 'm.csv'}?caption_key=NAME" in str(exc.value)


def test_unknown_spec_options_are_named(tmp_path: Path, capsys) -> None:
    """A stray ?option reached the dataset class as a keyword: TypeError traceback."""
    from litclip.cli import main

    write_image(tmp_path / "i.png", 0)
    pd.DataFrame({"filepath": ["i.png"], "caption": ["c"]}).to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(LitclipError, match=r"unknown option 'bogus'.*caption_key.*image_key"):
        open_dataset(f"pairs:{tmp_path / 'm.csv'}?bogus=1")
    with pytest.raises(LitclipError, match=r"'size'.*\btask\b"):  # the size is in the file name
        open_dataset(f"medmnist:{tmp_path / 'x.npz'}?size=64")
    assert main(["data", "info", f"pairs:{tmp_path / 'm.csv'}?bogus=1"]) == 2
    assert "bogus" in capsys.readouterr().err


def test_spec_options_are_keywords_of_the_readers() -> None:
    """The options a spec lists are ones its reader takes (the list cannot drift)."""
    import inspect

    from litclip.data.medmnist import load_medmnist

    readers = {
        "medmnist": [load_medmnist],
        "folder": [ImageFolderDataset],
        "pairs": [PairsDataset],
        "wds": [WebDatasetMap, WebDatasetPairs],
    }
    for kind, classes in readers.items():
        options = set(reg._DATASETS[kind].options or ()) - {"iterable"}  # picks the wds reader
        params = set().union(*(inspect.signature(c).parameters for c in classes))
        assert options and options <= params, kind


def test_models_command_lists_open_clip_specs(capsys) -> None:
    """`litclip models` promised open_clip architectures (and the unknown-model error points
    there for NAME:TAG) but printed only the two built-ins. Kept here beside `data list`."""
    from litclip.cli import main

    assert main(["models"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "litclip-micro" in out and "ViT-B-32: openai" in out and "RN50:" in out
    assert main(["models", "vit-b-32"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "ViT-B-32: openai" in out and "RN50:" not in out


def test_data_info_leaves_out_the_pairs_failing_qc_as_training_does(tmp_path: Path, capsys) -> None:
    """A corpus's manifest counted its QC-rejected rows: 84 items where training used 79."""
    import json

    from litclip.cli import main

    for i in range(3):
        write_image(tmp_path / f"i{i}.png", i)
    frame = pd.DataFrame(
        {
            "filepath": [f"i{i}.png" for i in range(3)],
            "caption": ["a", "b", "c"],
            "split": ["train"] * 3,
            "qc_pass": [True, False, True],
        }
    )
    frame.to_parquet(tmp_path / "manifest.parquet")
    spec = f"pairs:{tmp_path / 'manifest.parquet'}"
    assert main(["data", "info", spec, "--split", "train", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n"] == 2 and summary["qc_failed_left_out"] == 1
    assert main(["data", "info", spec, "--split", "train"]) == 0
    assert "1 pair(s) failing QC left out" in capsys.readouterr().out


def test_a_corpus_folder_is_pointed_to_its_manifest(tmp_path: Path) -> None:
    """A corpus folder was taken for an image folder ("Did you mean folder:..."), given as
    pairs: it was "manifest not found"; a missing split did not say which ones there are."""
    write_image(tmp_path / "i.png", 0)
    frame = pd.DataFrame({"filepath": ["i.png"], "caption": ["c"], "split": ["train"]})
    frame.to_parquet(tmp_path / "manifest.parquet")
    manifest = tmp_path / "manifest.parquet"
    with pytest.raises(LitclipError, match=rf"Did you mean pairs:{re.escape(str(manifest))}\?"):
        open_dataset(str(tmp_path))
    with pytest.raises(LitclipError, match=r"corpus folder: give its manifest, pairs:"):
        open_dataset(f"pairs:{tmp_path}")
    with pytest.raises(
        LitclipError, match=r"split == 'val'; choose another split \(it holds train\)"
    ):
        open_dataset(f"pairs:{manifest}", split="val")


@pytest.mark.parametrize(
    ("spec", "hint"),
    [
        ("medmist:/x/p.npz", "Did you mean medmnist:/x/p.npz?"),  # was medmnist:medmist:/x/...
        ("pair:/x/m.csv", "Did you mean pairs:/x/m.csv?"),
        ("wd:/x/{0..3}.tar", "Did you mean wds:/x/{0..3}.tar?"),
    ],
)
def test_a_misspelt_kind_is_replaced_not_prefixed(spec: str, hint: str) -> None:
    with pytest.raises(LitclipError) as exc:
        open_dataset(spec)
    assert str(exc.value).endswith(hint)
