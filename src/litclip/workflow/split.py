"""Split a corpus's pairs into train / val / test manifests by article (never by pair).

Panels and their whole figure, and every figure of one PDF, always land in the same split, so
no article leaks between training and evaluation.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from litclip.errors import LitclipError
from litclip.io import atomic_path, read_json_object, write_resolved_config
from litclip.workflow.config import SplitOptions, check_split

SPLITS = ("train", "val", "test")


def _assign_random(articles: list[str], opts: SplitOptions, dropped: str = "") -> dict[str, str]:
    if len(articles) < 3:
        raise LitclipError(
            f"only {len(articles)} PDF(s) have usable figures: splitting by article needs at "
            f"least 3 (train, validation, test); add PDFs or pass split.splits_file{dropped}"
        )
    rng = np.random.default_rng(opts.seed)
    order = sorted(articles)
    rng.shuffle(order)
    n = len(order)
    n_test = max(1, round(n * opts.test_fraction))
    n_val = max(1, round(n * opts.val_fraction))
    split = {a: "test" for a in order[:n_test]}
    split.update({a: "val" for a in order[n_test : n_test + n_val]})
    split.update({a: "train" for a in order[n_test + n_val :]})
    return split


def _assign_from_file(articles: list[str], path: Path) -> dict[str, str]:
    data = read_splits_file(path)
    data = data.get("pairs", data)  # the synthetic journal nests the pair splits under "pairs"
    lookup = {}
    for split in SPLITS:
        for name in data.get(split, []):
            lookup[Path(str(name)).stem] = split
    missing = [a for a in articles if Path(a).stem not in lookup]
    if missing:
        raise LitclipError(
            f"splits file '{path}' does not assign {len(missing)} PDFs, e.g. {missing[0]}"
        )
    return {a: lookup[Path(a).stem] for a in articles}


def read_splits_file(path: str | Path) -> dict:
    """The ``{"train": [...], "val": [...], "test": [...]}`` file, or a one-line error."""
    path = Path(path)
    if not path.is_file():
        raise LitclipError(f"splits file '{path}' does not exist (config.split.splits_file)")
    advice = "it maps train, val and test to lists of PDF names"
    return read_json_object(path, advice, what="splits file")


def split_corpus(
    corpus_dir: str | Path, out_dir: str | Path, opts: SplitOptions
) -> dict[str, Path]:
    """Write ``OUT/{train,val,test}.parquet`` (+ ``.csv``) with absolute image paths.

    Returns:
        Split name -> manifest path (a split with no rows is still written, empty).
    """
    check_split(opts)
    corpus = Path(corpus_dir)
    manifest = corpus / "manifest.parquet"
    if not manifest.is_file():
        raise LitclipError(f"'{corpus}' has no manifest.parquet: run `litclip corpus build` first")
    df = pd.read_parquet(manifest)
    if opts.only_qc_pass:
        df = df[df["qc_pass"]]
    before = df["pdf_name"].nunique()
    if opts.kinds:
        df = df[df["kind"].isin(opts.kinds)]
    lost = before - df["pdf_name"].nunique()
    dropped = (
        f" ({lost} more PDF(s) have only figures of other kinds than split.kinds "
        f"{opts.kinds}: `litclip run --split-kinds all`, or split.kinds: null in --config, "
        "keeps charts and diagrams too)"
        if lost
        else ""
    )
    if df.empty:
        raise LitclipError(
            f"no pairs left in '{manifest}' after QC/kind filtering: nothing to train on"
        )
    df = df.assign(filepath=[str((corpus / p).resolve()) for p in df["filepath"]])
    articles = sorted(df["pdf_name"].unique())
    if opts.splits_file:
        assign = _assign_from_file(articles, Path(opts.splits_file))
    else:
        assign = _assign_random(articles, opts, dropped)
    df = df.assign(split=df["pdf_name"].map(assign))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for split in SPLITS:
        part = df[df["split"] == split].reset_index(drop=True)
        with atomic_path(out / f"{split}.parquet") as tmp:
            part.to_parquet(tmp, index=False)
        cols = ["filepath", "caption"] + [
            c for c in part.columns if c not in ("filepath", "caption")
        ]
        with atomic_path(out / f"{split}.csv") as tmp:
            part[cols].to_csv(tmp, index=False)
        paths[split] = out / f"{split}.parquet"
    # what made these manifests, beside them (the folder may be copied away on its own)
    counts = {k: int((df["split"] == k).sum()) for k in SPLITS}
    resolved = asdict(opts)
    if opts.splits_file:
        resolved["splits_file"] = str(Path(opts.splits_file).resolve())
    write_resolved_config(out, resolved, corpus=str(corpus.resolve()), pairs=counts)
    return paths
