"""Pair manifests (CSV, TSV, Parquet) with relative/absolute paths, bad rows and bad columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from litclip.data import CorruptImageError, PairsDataset, read_manifest
from litclip.errors import DatasetNotFoundError, LitclipError

from .conftest import CORRUPT_PNG, write_image


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus-like dir: images/ plus a frame of relative paths and captions."""
    for i in range(4):
        write_image(tmp_path / "corpus" / "images" / f"fig{i}.png", seed=i)
    return tmp_path / "corpus"


def _frame(n: int = 4) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "filepath": [f"images/fig{i}.png" for i in range(n)],
            "caption": [f"Figure {i}. Chest radiograph {i}." for i in range(n)],
            "pair_id": [f"p{i}" for i in range(n)],
        }
    )


def test_csv_relative_paths(corpus: Path) -> None:
    _frame().to_csv(corpus / "manifest.csv", index=False)
    ds = PairsDataset(corpus / "manifest.csv")
    assert len(ds) == 4
    img, caption = ds[2]
    assert img.mode == "RGB" and caption == "Figure 2. Chest radiograph 2."
    assert ds.filepaths[0] == str(corpus / "images" / "fig0.png")
    assert ds.captions == _frame()["caption"].tolist()
    assert ds.frame["pair_id"].tolist() == ["p0", "p1", "p2", "p3"]


def test_relative_paths_written_on_windows_are_read(corpus: Path) -> None:
    """A manifest made on Windows (``images\\fig0.png``): every image was 'missing file'."""
    frame = _frame()
    frame["filepath"] = [p.replace("/", "\\") for p in frame["filepath"]]
    frame.loc[3, "filepath"] = "C:\\data\\fig3.png"  # another machine's drive: still missing
    frame.to_csv(corpus / "manifest.csv", index=False)
    ds = PairsDataset(corpus / "manifest.csv", progress=False)
    assert ds.filepaths == [str(corpus / "images" / f"fig{i}.png") for i in range(3)]
    assert [s.reason for s in ds.skipped] == ["missing file"]


def test_parquet_relative_paths(corpus: Path) -> None:
    _frame().to_parquet(corpus / "manifest.parquet")
    ds = PairsDataset(corpus / "manifest.parquet")
    assert len(ds) == 4 and ds[3][1].startswith("Figure 3")


def test_absolute_paths_and_root_override(corpus: Path, tmp_path: Path) -> None:
    frame = _frame()
    frame["filepath"] = [str(corpus / p) for p in frame["filepath"]]
    frame.to_csv(tmp_path / "elsewhere.csv", index=False)
    assert len(PairsDataset(tmp_path / "elsewhere.csv")) == 4
    _frame().to_csv(tmp_path / "rooted.csv", index=False)
    assert PairsDataset(tmp_path / "rooted.csv", root=corpus).filepaths[1] == str(
        corpus / "images/fig1.png"
    )


def test_open_clip_tab_separated_csv(corpus: Path) -> None:
    frame = _frame().rename(columns={"filepath": "img", "caption": "title"})
    frame["title"] = frame["title"].str.replace(".", ",")  # commas inside captions
    frame.to_csv(corpus / "train.csv", sep="\t", index=False)
    ds = PairsDataset(corpus / "train.csv", image_key="img", caption_key="title")
    assert len(ds) == 4 and ds.captions[0] == "Figure 0, Chest radiograph 0,"


def test_wrong_column_error(corpus: Path) -> None:
    _frame().rename(columns={"caption": "text"}).to_csv(corpus / "m.csv", index=False)
    with pytest.raises(LitclipError) as exc:
        PairsDataset(corpus / "m.csv")
    msg = str(exc.value)
    assert str(corpus / "m.csv") in msg and "'text'" in msg and "'filepath'" in msg
    # a spec option every command takes, not a --caption-key flag that evaluate lacks
    assert f"pairs:{corpus / 'm.csv'}?caption_key=NAME" in msg and "--caption-key" not in msg
    assert len(PairsDataset(corpus / "m.csv", caption_key="text")) == 4


def test_missing_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError) as exc:
        PairsDataset(tmp_path / "missing.parquet")
    assert str(tmp_path / "missing.parquet") in str(exc.value) and "filepath, caption" in str(
        exc.value
    )


def test_unsupported_suffix(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text("{}")
    with pytest.raises(LitclipError, match="unsupported manifest"):
        read_manifest(tmp_path / "m.json")


def test_bad_rows_skipped_and_counted(corpus: Path) -> None:
    (corpus / "images" / "fig1.png").write_bytes(CORRUPT_PNG)
    frame = _frame(4)
    frame.loc[4] = ["images/gone.png", "Figure 4. Missing file.", "p4"]
    frame.loc[5] = ["images/fig3.png", "", "p5"]
    frame.to_parquet(corpus / "manifest.parquet")
    ds = PairsDataset(corpus / "manifest.parquet", progress=False)
    assert [s.reason for s in ds.skipped] == ["empty caption"]  # row-level checks are eager
    assert len(ds) == 3
    reasons = {s.index: s.reason for s in ds.skipped}
    assert reasons[5] == "empty caption" and reasons[4] == "missing file"
    assert "fig1.png" in next(s.source for s in ds.skipped if s.index == 1)
    assert ds.frame["pair_id"].tolist() == ["p0", "p2", "p3"]
    assert [c[:8] for c in ds.captions] == ["Figure 0", "Figure 2", "Figure 3"]
    assert ds[1][1].startswith("Figure 2")


def test_raise_mode(corpus: Path) -> None:
    (corpus / "images" / "fig2.png").write_bytes(CORRUPT_PNG)
    _frame().to_csv(corpus / "m.csv", index=False)
    ds = PairsDataset(corpus / "m.csv", on_error="raise")
    with pytest.raises(CorruptImageError) as exc:
        ds[2]
    assert "fig2.png" in str(exc.value) and "on_error='skip'" in str(exc.value)
    frame = _frame()
    frame.loc[0, "caption"] = ""
    frame.to_csv(corpus / "empty.csv", index=False)
    with pytest.raises(LitclipError, match="empty caption"):
        PairsDataset(corpus / "empty.csv", on_error="raise")


def test_split_column_and_query(corpus: Path) -> None:
    frame = _frame()
    frame["split"] = ["train", "test", "test", "train"]
    frame["qc_pass"] = [True, True, False, True]
    frame.to_parquet(corpus / "manifest.parquet")
    assert PairsDataset(corpus / "manifest.parquet", split="test").frame["pair_id"].tolist() == [
        "p1",
        "p2",
    ]
    ds = PairsDataset(corpus / "manifest.parquet", split="test", query="qc_pass")
    assert ds.frame["pair_id"].tolist() == ["p1"]
    with pytest.raises(LitclipError, match="no rows with split"):
        PairsDataset(corpus / "manifest.parquet", split="val")
    # A manifest without a split column ignores the split.
    _frame().to_parquet(corpus / "nosplit.parquet")
    assert len(PairsDataset(corpus / "nosplit.parquet", split="test")) == 4


def test_split_values_read_as_training_reads_them(corpus: Path) -> None:
    """A manifest's 'Validation' rows are its val rows for every reader, as training and the
    shard readers take them (evaluate read only exact 'val')."""
    frame = _frame()
    frame["split"] = ["train", "Validation", " valid", "TEST"]
    frame.to_parquet(corpus / "manifest.parquet")
    val = PairsDataset(corpus / "manifest.parquet", split="val")
    assert val.frame["pair_id"].tolist() == ["p1", "p2"]
    assert PairsDataset(corpus / "manifest.parquet", split="test").frame["pair_id"].tolist() == [
        "p3"
    ]


@pytest.mark.parametrize("sep", [",", "\t", ";"])
def test_manifest_separator_is_sniffed_from_the_header(tmp_path: Path, sep: str) -> None:
    """Comma CSV, open_clip's tab-separated "CSV" and European Excel's semicolons."""
    path = tmp_path / "pairs.csv"
    caption = "Axial CT; no bleed" if sep == "," else "Axial CT, no bleed"
    path.write_text(f"filepath{sep}caption\na.png{sep}{caption}\n")
    frame = read_manifest(path)
    assert list(frame.columns) == ["filepath", "caption"] and frame["caption"][0] == caption


def test_parquet_with_embedded_images_reads_like_any_manifest(tmp_path: Path) -> None:
    """Hugging Face datasets store images in the Parquet file ({"bytes", "path"} cells)."""
    import io

    from PIL import Image

    from litclip.train.data import open_pairs

    cells = []
    for shade in (40, 200):
        buf = io.BytesIO()
        Image.new("RGB", (12, 10), (shade, shade, shade)).save(buf, format="PNG")
        cells.append({"bytes": buf.getvalue(), "path": None})
    path = tmp_path / "roco.parquet"
    pd.DataFrame({"image": cells, "caption": ["Axial CT", "Chest X-ray"]}).to_parquet(path)
    ds = PairsDataset(path, image_key="image")
    assert len(ds) == 2 and ds[1][0].getpixel((0, 0)) == (200, 200, 200)
    assert all(Path(p).suffix == ".png" and Path(p).is_file() for p in ds.filepaths)
    table = open_pairs(path, image_key="image")  # training reads the same files
    assert table.captions == ["Axial CT", "Chest X-ray"] and table.load_image(0).size == (12, 10)


def test_a_manifest_not_in_utf8_says_how_to_save_it(tmp_path: Path) -> None:
    """A Windows (cp1252) export failed with Python's "'utf-8' codec can't decode" alone."""
    from litclip.data.pairs import read_manifest

    path = tmp_path / "m.csv"
    rows = "".join(f"a{i}.png,plain caption {i}\n" for i in range(3000))  # past pandas' chunk
    path.write_bytes(f"filepath,caption\n{rows}a.png,Ödem der Lunge\n".encode("cp1252"))
    at = path.read_bytes().index("Ö".encode("cp1252"))
    with pytest.raises(
        LitclipError, match=rf"is not UTF-8 text \(byte {at}\).* Save it as 'CSV UTF-8'"
    ):
        read_manifest(path)
