"""Article-level splitting of a corpus manifest."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from litclip.errors import LitclipError
from litclip.workflow.config import SplitOptions
from litclip.workflow.split import split_corpus


def _corpus(tmp_path, n_pdfs: int = 10):
    rows = []
    for a in range(n_pdfs):
        for f in range(3):
            rows.append(
                {
                    "pair_id": f"p{a}_{f}",
                    "filepath": f"images/p{a}_{f}.png",
                    "caption": f"figure {f} of article {a}",
                    "pdf_name": f"article_{a:04d}.pdf",
                    "kind": "image" if f < 2 else "chart",
                    "qc_pass": f != 1 or a % 2 == 0,
                }
            )
    (tmp_path / "corpus").mkdir()
    pd.DataFrame(rows).to_parquet(tmp_path / "corpus" / "manifest.parquet")
    return tmp_path / "corpus"


def test_split_by_article_is_disjoint_and_deterministic(tmp_path) -> None:
    corpus = _corpus(tmp_path)
    paths = split_corpus(corpus, tmp_path / "s1", SplitOptions(seed=1))
    again = split_corpus(corpus, tmp_path / "s2", SplitOptions(seed=1))
    frames = {k: pd.read_parquet(v) for k, v in paths.items()}
    articles = {k: set(f["pdf_name"]) for k, f in frames.items()}
    assert not (articles["train"] & articles["val"]) and not (articles["train"] & articles["test"])
    assert articles["val"] and articles["test"] and articles["train"]
    for k in paths:
        assert frames[k].equals(pd.read_parquet(again[k]))
    allrows = pd.concat(frames.values())
    assert set(allrows["kind"]) == {"image"} and allrows["qc_pass"].all()
    assert all(p.startswith("/") for p in allrows["filepath"])
    assert (tmp_path / "s1" / "train.csv").read_text().startswith("filepath,caption")


def test_splits_file(tmp_path) -> None:
    corpus = _corpus(tmp_path, 4)
    spec = {
        "train": ["article_0000", "article_0001"],
        "val": ["article_0002"],
        "test": ["article_0003.pdf"],
    }
    (tmp_path / "splits.json").write_text(json.dumps(spec))
    paths = split_corpus(
        corpus, tmp_path / "s", SplitOptions(splits_file=str(tmp_path / "splits.json"))
    )
    assert set(pd.read_parquet(paths["test"])["pdf_name"]) == {"article_0003.pdf"}
    (tmp_path / "bad.json").write_text(json.dumps({"train": ["article_0000"]}))
    with pytest.raises(LitclipError, match="does not assign"):
        split_corpus(corpus, tmp_path / "b", SplitOptions(splits_file=str(tmp_path / "bad.json")))


def test_empty_after_filtering(tmp_path) -> None:
    corpus = _corpus(tmp_path, 2)
    with pytest.raises(LitclipError, match="no pairs left"):
        split_corpus(corpus, tmp_path / "s", SplitOptions(kinds=["table"]))
    with pytest.raises(LitclipError, match="corpus build"):
        split_corpus(tmp_path, tmp_path / "s", SplitOptions())


def test_too_few_articles(tmp_path) -> None:
    corpus = _corpus(tmp_path, 2)
    with pytest.raises(LitclipError, match="at least 3"):
        split_corpus(corpus, tmp_path / "s", SplitOptions())


def test_too_few_articles_says_when_the_kinds_filter_is_why(tmp_path) -> None:
    corpus = _corpus(tmp_path, 4)
    frame = pd.read_parquet(corpus / "manifest.parquet")
    frame.loc[frame["pdf_name"] >= "article_0002.pdf", "kind"] = "chart"  # 2 PDFs: charts only
    frame.to_parquet(corpus / "manifest.parquet")
    with pytest.raises(
        LitclipError, match=r"2 more PDF.* --split-kinds all`, or split.kinds: null"
    ):
        split_corpus(corpus, tmp_path / "s", SplitOptions())
    assert len(split_corpus(corpus, tmp_path / "s", SplitOptions(kinds=None))) == 3


def test_split_records_its_options_and_a_missing_splits_file_is_a_user_error(tmp_path) -> None:
    corpus = _corpus(tmp_path)
    split_corpus(corpus, tmp_path / "s", SplitOptions(seed=2))
    config = json.loads((tmp_path / "s" / "config.json").read_text())
    assert config["config"]["seed"] == 2 and config["litclip_version"]
    assert config["corpus"] == str(corpus.resolve())
    assert sum(config["pairs"].values()) > 0
    with pytest.raises(LitclipError, match="does not exist"):
        split_corpus(corpus, tmp_path / "b", SplitOptions(splits_file=str(tmp_path / "no.json")))
    with pytest.raises(LitclipError, match="leaves no articles"):
        split_corpus(corpus, tmp_path / "b", SplitOptions(val_fraction=0.5, test_fraction=0.5))
