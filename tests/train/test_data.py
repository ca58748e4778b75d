"""Pair sources (corpus dir, CSV, shards), seeded epoch batches, rank slices, hold-out split."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import torch

from litclip.errors import DatasetNotFoundError, LitclipError
from litclip.train.data import (
    Collate,
    PairDataset,
    epoch_batches,
    open_pairs,
    rank_slice,
    split_holdout,
)
from tests.train.conftest import write_corpus


def test_corpus_dir_keeps_only_qc_pass(corpus_dir: Path) -> None:
    table = open_pairs(corpus_dir)
    assert len(table) == 32 and "p0005" not in table.ids and table.ids[0] == "p0000"
    assert table.load_image(0).mode == "RGB" and table.captions[0].startswith("a red square")


def test_csv_manifest_with_relative_paths_and_row_ids(corpus_dir: Path, tmp_path: Path) -> None:
    frame = pd.read_parquet(corpus_dir / "manifest.parquet")[["filepath", "caption"]].head(6)
    frame["filepath"] = [
        str(corpus_dir / p) if i % 2 else f"../{corpus_dir.name}/{p}"
        for i, p in enumerate(frame["filepath"])
    ]
    csv = corpus_dir.parent / "other" / "pairs.csv"
    csv.parent.mkdir(exist_ok=True)
    frame.to_csv(csv, index=False)
    table = open_pairs(csv)
    assert table.ids == [str(i) for i in range(6)]
    assert all(table.load_image(i).size == (32, 32) for i in range(6))


def test_a_manifest_split_column_keeps_val_and_test_out_of_training(
    corpus_dir: Path, tmp_path: Path
) -> None:
    from litclip.train.config import TrainConfig
    from litclip.train.setup import prepare_data

    frame = pd.read_parquet(corpus_dir / "manifest.parquet")[["filepath", "caption"]].head(12)
    frame["filepath"] = [str(corpus_dir / p) for p in frame["filepath"]]
    frame["split"] = ["train"] * 6 + ["Valid"] * 2 + ["test"] * 4
    csv = tmp_path / "pairs.csv"
    frame.to_csv(csv, index=False)
    assert len(open_pairs(csv)) == 6 and len(open_pairs(csv, split="val")) == 2
    data = prepare_data(TrainConfig(data=str(csv), val_fraction=0.5))
    assert len(data.train) == 6 and len(data.val) == 2  # the manifest's own val rows
    frame["split"] = "test"
    frame.to_csv(csv, index=False)
    with pytest.raises(LitclipError, match="no 'train' rows"):
        open_pairs(csv)


def test_webdataset_shards(tmp_path: Path, shard_writer) -> None:
    shard_writer(tmp_path / "shards" / "shard-000000.tar", 5)
    shard_writer(tmp_path / "shards" / "shard-000001.tar", 3, seed=2)
    for spec in (tmp_path, tmp_path / "shards", str(tmp_path / "shards" / "*.tar")):
        table = open_pairs(spec)
        assert len(table) == 8 and table.ids[0] == "shard-000000:p0000"
    one = open_pairs(tmp_path / "shards" / "shard-000001.tar")
    assert len(one) == 3 and one.load_image(2).size == (32, 32)


def test_shards_keep_the_corpus_split_and_take_other_commands_specs(
    tmp_path: Path, shard_writer
) -> None:
    """A corpus's shards carry each pair's split: training on them left its test pairs in."""
    splits = ["train", "test", "train", "val", "train"]
    shard_writer(tmp_path / "shards" / "shard-000000.tar", 5, splits=splits)
    shard_writer(tmp_path / "shards" / "shard-000001.tar", 2, seed=2)  # no json: kept
    shards = tmp_path / "shards"
    brace = str(shards / "shard-{000000..000001}.tar")
    for spec in (shards, f"wds:{shards}", brace, f"wds:{brace}"):
        assert len(open_pairs(spec)) == 3 + 2
    assert len(open_pairs(shards, split="val")) == 1 + 2
    assert len(open_pairs(shards, split=None)) == 7


def test_pairs_spec_options_name_the_columns(corpus_dir: Path, tmp_path: Path) -> None:
    """`pairs:m.csv?image_key=path&caption_key=text` (as `data info` reads it) was taken for a
    shard glob by its '?' ("no WebDataset shards match")."""
    from litclip.train.config import TrainConfig
    from litclip.train.setup import prepare_data

    frame = pd.read_parquet(corpus_dir / "manifest.parquet")[["filepath", "caption"]].head(8)
    frame = frame.rename(columns={"filepath": "path", "caption": "text"})
    frame["path"] = [str(corpus_dir / p) for p in frame["path"]]
    frame["split"] = ["train"] * 6 + ["val"] * 2
    csv = tmp_path / "renamed.csv"
    frame.to_csv(csv, index=False)
    spec = f"pairs:{csv}?image_key=path&caption_key=text"
    table = open_pairs(spec)
    assert len(table) == 6 and table.captions[0] == frame["text"][0]
    data = prepare_data(TrainConfig(data=spec))
    assert len(data.train) == 6 and len(data.val) == 2  # its split column is read too
    with pytest.raises(LitclipError, match="only image_key, caption_key, root .* not on_error"):
        open_pairs(f"pairs:{csv}?image_key=path&on_error=raise")
    with pytest.raises(LitclipError, match="--out .* is the data's own folder"):
        TrainConfig(data=spec, out=str(tmp_path))


def test_missing_and_bad_sources(tmp_path: Path, corpus_dir: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match="nothing' does not exist: check the path"):
        open_pairs(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetNotFoundError, match="manifest.parquet"):
        open_pairs(tmp_path / "empty")
    with pytest.raises(LitclipError, match="caption_key"):
        open_pairs(corpus_dir, caption_key="text")


def test_missing_and_unreadable_images_never_stop_training(
    corpus_dir: Path, tmp_path: Path
) -> None:
    """A missing file leaves its pair out up front (with a warning naming the path rule); a
    corrupt one is replaced by the next pair when it is read."""
    frame = pd.read_parquet(corpus_dir / "manifest.parquet")[["filepath", "caption"]].head(6)
    frame["filepath"] = [str(corpus_dir / p) for p in frame["filepath"]]
    frame.loc[1, "filepath"] = str(tmp_path / "gone.png")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    frame.loc[3, "filepath"] = str(broken)
    csv = tmp_path / "pairs.csv"
    frame.to_csv(csv, index=False)
    with pytest.warns(UserWarning, match="1 of 6 images .* missing.*manifest's folder"):
        table = open_pairs(csv)
    assert len(table) == 5 and table.images[2] == str(broken)
    ds = PairDataset(table, lambda im: torch.zeros(1))
    with pytest.warns(UserWarning, match="unreadable image of pair 2") as said:
        _img, caption, index = ds[2]
    # said from litclip's code, so the CLI prints one 'warning:' line, not a torch source line
    assert "litclip" in said[0].filename
    assert index == 3 and caption == table.captions[3]
    frame["filepath"] = str(tmp_path / "gone.png")
    frame.to_csv(csv, index=False)
    with pytest.raises(LitclipError, match="none of the 6 images"):
        open_pairs(csv)


def test_a_compressed_shard_is_refused_with_the_fix(tmp_path: Path, shard_writer) -> None:
    import gzip

    plain = shard_writer(tmp_path / "s.tar", 3)
    packed = tmp_path / "s.tar.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    with pytest.raises(LitclipError, match="compressed .gzip.*gunzip -k"):
        open_pairs(packed)
    from litclip.data import WebDatasetMap

    with pytest.raises(LitclipError, match="needs plain .tar shards"):
        len(WebDatasetMap(str(packed)))


def test_epoch_batches_seeded_and_rank_slices_partition() -> None:
    a, b = epoch_batches(10, 4, seed=1, epoch=0), epoch_batches(10, 4, seed=1, epoch=0)
    assert a == b and len(a) == 2 and len({i for x in a for i in x}) == 8
    assert epoch_batches(10, 4, seed=1, epoch=1) != a
    batch = a[0]
    assert rank_slice(batch, 0, 2) + rank_slice(batch, 1, 2) == batch
    with pytest.raises(LitclipError, match="global batch"):
        epoch_batches(3, 4, 0, 0)


def test_holdout_split_is_stable(corpus_dir: Path) -> None:
    table = open_pairs(corpus_dir)
    train, val = split_holdout(table, 0.25, seed=0)
    assert len(train) + len(val) == len(table) and not set(train.ids) & set(val.ids)
    again = split_holdout(table.subset(range(len(table) - 4)), 0.25, seed=0)[1]
    assert set(again.ids) <= set(val.ids)  # dropping pairs never moves others across the split


def test_dataset_and_collate(corpus_dir: Path) -> None:
    from litclip.models import load_model

    lm = load_model("litclip-micro")
    ds = PairDataset(open_pairs(corpus_dir), lm.preprocess_val)
    batch = Collate(lm.tokenizer)([ds[0], ds[3]])
    assert batch["images"].shape == (2, 3, 32, 32) and batch["texts"].shape == (2, 32)
    assert torch.equal(batch["indices"], torch.tensor([0, 3]))


def test_val_fraction_holds_out_whole_articles_and_figures(
    corpus_dir: Path, tmp_path: Path
) -> None:
    """Held out pair by pair, 12 of 13 validation pairs had their figure or a sibling panel
    in training: validation recall, best_model and early stopping measured recall of seen
    figures."""
    frame = pd.read_parquet(corpus_dir / "manifest.parquet")[["filepath", "caption"]].head(30)
    frame["filepath"] = [str(corpus_dir / p) for p in frame["filepath"]]
    frame["pair_id"] = [f"p{i}" for i in range(30)]
    frame["pdf_sha256"] = [f"pdf{i // 6}" for i in range(30)]  # five articles of six pairs
    frame.to_csv(tmp_path / "articles.csv", index=False)
    table = open_pairs(tmp_path / "articles.csv")
    train, val = split_holdout(table, 0.4, seed=1)
    assert set(train.groups).isdisjoint(val.groups) and len(val) % 6 == 0 and len(val) > 0
    # without articles, a panel stays with its figure (parent_id), a figure alone
    frame = frame.drop(columns="pdf_sha256")
    frame["parent_id"] = [None if i % 3 == 0 else f"p{i - i % 3}" for i in range(30)]
    frame.to_csv(tmp_path / "figures.csv", index=False)
    train, val = split_holdout(open_pairs(tmp_path / "figures.csv"), 0.4, seed=1)
    assert set(train.groups).isdisjoint(val.groups) and len(val) % 3 == 0
    assert all(
        g == f"p{int(i[1:]) - int(i[1:]) % 3}" for g, i in zip(val.groups, val.ids, strict=True)
    )


def test_validating_on_the_training_pairs_is_said(corpus_dir: Path) -> None:
    """--val-data equal to the training data was used without a word."""
    from litclip.train.config import TrainConfig
    from litclip.train.setup import prepare_data

    with pytest.warns(UserWarning, match=r"\d+ of its \d+ pairs are training pairs"):
        prepare_data(TrainConfig(data=str(corpus_dir), val_data=str(corpus_dir)))


def test_val_data_with_a_split_column_but_no_val_rows_is_refused(tmp_path: Path) -> None:
    """All its rows were validated on, its train and test pairs among them: the best model
    was chosen on the test split later reported on, without a word."""
    from litclip.errors import LitclipError
    from litclip.train.config import TrainConfig
    from litclip.train.setup import prepare_data

    root = write_corpus(tmp_path / "c", 10)
    frame = pd.read_parquet(root / "manifest.parquet")
    frame["split"] = ["train"] * 8 + ["test"] * 2
    frame.to_parquet(root / "manifest.parquet")
    with pytest.raises(LitclipError, match=r"split column \(test, train\) but no val rows"):
        prepare_data(TrainConfig(data=str(root), val_data=str(root)))


def test_the_rows_a_manifest_does_not_train_on_are_counted(tmp_path: Path) -> None:
    """A corpus build writes a split column: its test articles were left out of training
    without a word (and so were the pairs that failed QC)."""
    root = write_corpus(tmp_path / "c", 10, failing=(0,))
    frame = pd.read_parquet(root / "manifest.parquet")
    frame["split"] = ["train"] * 6 + ["test"] * 3 + [None]
    frame.loc[5, "caption"] = " "
    frame.to_parquet(root / "manifest.parquet")
    table = open_pairs(str(root))
    assert len(table) == 4
    assert table.left_out == {"test": 3, "unsplit": 1, "failed QC": 1, "with no caption": 1}
    train, _val = split_holdout(table, 0.4, seed=0)  # a val_fraction holdout keeps the count
    assert train.left_out == table.left_out


def test_a_pairs_spec_root_is_where_relative_paths_are_read(corpus_dir: Path, tmp_path: Path):
    """The README says train takes other commands' specs; ?root= was refused."""
    frame = pd.read_parquet(corpus_dir / "manifest.parquet")[["filepath", "caption"]].head(4)
    csv = tmp_path / "elsewhere" / "m.csv"
    csv.parent.mkdir()
    frame.to_csv(csv, index=False)  # paths relative to the corpus, not to the csv's folder
    table = open_pairs(f"pairs:{csv}?root={corpus_dir}")
    assert len(table) == 4 and table.load_image(0).mode == "RGB"


def test_empty_holdout_names_the_fractions_that_split(corpus_dir: Path) -> None:
    """The error said the split was empty but not which val_fraction would work (0.3 held out
    none of an 11-article corpus whose smallest draw was 0.315)."""
    table = open_pairs(corpus_dir)
    with pytest.raises(LitclipError, match=r"empty validation split") as info:
        split_holdout(table, 1e-9, seed=0)
    m = re.search(r"a val_fraction from ([\d.]+) to ([\d.]+) splits them", str(info.value))
    assert m, info.value
    lo, hi = float(m[1]), float(m[2])
    for fraction in (lo, hi):  # the named ends both split
        train, val = split_holdout(table, fraction, seed=0)
        assert len(train) and len(val)
    with pytest.raises(LitclipError, match=r"empty training split"):
        split_holdout(table, 1.0, seed=0)


def test_missing_column_names_the_option_that_fixes_it(corpus_dir: Path, tmp_path: Path) -> None:
    """The error said "set image_key / caption_key / selip_fields" without naming which or how
    (train takes them as --set key=value or in the pairs: spec)."""
    frame = pd.read_parquet(corpus_dir / "manifest.parquet")[["filepath", "caption"]].head(4)
    frame["filepath"] = [str(corpus_dir / p) for p in frame["filepath"]]
    frame.rename(columns={"filepath": "path", "caption": "text"}).to_csv(tmp_path / "m.csv")
    with pytest.raises(LitclipError, match=r"no column 'filepath'.*--set image_key=NAME, or the "):
        open_pairs(tmp_path / "m.csv")
    with pytest.raises(LitclipError, match=r"no column 'caption'.*--set caption_key=NAME"):
        open_pairs(f"pairs:{tmp_path / 'm.csv'}?image_key=path")
    assert len(open_pairs(f"pairs:{tmp_path / 'm.csv'}?image_key=path&caption_key=text")) == 4
