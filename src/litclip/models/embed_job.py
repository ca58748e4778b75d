"""``litclip embed``: embed a dataset split to ``.npy`` + metadata Parquet + resolved config."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from litclip.errors import LitclipError
from litclip.io import atomic_path, write_resolved_config
from litclip.models.embed import encode_images, encode_texts
from litclip.models.loading import load_model


@dataclass
class EmbedConfig:
    """Options of an embedding job (written back, resolved, as ``config.json``)."""

    model: str
    dataset: str
    out: str
    split: str = "test"
    batch_size: int = 64
    num_workers: int = 0
    device: str = "cpu"
    precision: str = "fp32"


def embed_dataset(cfg: EmbedConfig, progress: bool = True) -> Path:
    """Embed every image (and caption, for pair datasets) of ``cfg.dataset``.

    Writes ``image_embeddings.npy`` (streamed to disk, float32, L2-normalised),
    ``text_embeddings.npy`` for pair datasets, ``metadata.parquet`` (one row per item: index,
    file path or WebDataset key, label or caption) and ``config.json``. A
    ``text_embeddings.npy`` left in ``out`` by an earlier caption dataset is removed.

    Returns:
        The output directory.
    """
    from litclip.data import open_dataset

    out = Path(cfg.out)
    dataset = open_dataset(cfg.dataset, split=cfg.split)
    if len(dataset) == 0:
        raise LitclipError(
            f"nothing to embed: {cfg.dataset} has no readable items"
            + (f" in split {cfg.split!r}" if cfg.split else "")
            + " (`litclip data info` lists what was skipped and why)"
        )
    out.mkdir(parents=True, exist_ok=True)
    loaded = load_model(cfg.model, device=cfg.device, precision=cfg.precision)
    encode_images(
        loaded,
        dataset,
        batch_size=cfg.batch_size,
        num_workers=cfg.num_workers,
        out_path=out / "image_embeddings.npy",
        progress=progress,
    )
    meta = pd.DataFrame({"index": np.arange(len(dataset))})
    # where each row came from: the index counts kept items only (unreadable ones are dropped)
    filepaths = getattr(dataset, "filepaths", None)
    if filepaths is not None:
        meta["filepath"] = [str(p) for p in filepaths]
    keys = getattr(dataset, "keys", None)
    if keys is not None and not callable(keys):
        meta["key"] = [str(k) for k in keys]
    captions = getattr(dataset, "captions", None)
    if captions is not None:
        meta["caption"] = list(captions)
        text = encode_texts(loaded, list(captions), progress=progress)
        with atomic_path(out / "text_embeddings.npy") as tmp, open(tmp, "wb") as fh:
            np.save(fh, text)  # to a handle: np.save adds ".npy" to a path's name
    else:  # never leave another dataset's captions beside these images
        (out / "text_embeddings.npy").unlink(missing_ok=True)
    labels = getattr(dataset, "labels", None)
    if labels is not None:
        labels = np.asarray(labels)
        classnames = getattr(dataset, "classnames", None)
        if labels.ndim > 1:  # multi-label (e.g. chestmnist): one 0/1 vector per item
            meta["label"] = [row.tolist() for row in labels]
        else:
            meta["label"] = labels
            if classnames:
                meta["classname"] = [classnames[int(i)] for i in labels]
    with atomic_path(out / "metadata.parquet") as tmp:
        meta.to_parquet(tmp, index=False)
    skipped = list(getattr(dataset, "skipped", None) or [])
    write_resolved_config(
        out,
        asdict(cfg),
        model_spec=loaded.spec,
        embed_dim=loaded.embed_dim,
        n=len(dataset),
        skipped=[{"source": s.source, "reason": s.reason} for s in skipped],
    )
    if skipped:  # said as evaluate says it: the rows above hold the kept items only
        first = skipped[0]
        warnings.warn(
            f"{len(skipped)} unreadable or empty item{'s' * (len(skipped) != 1)} left out of "
            f"{cfg.dataset}, e.g. {first.source}: {first.reason} (config.json lists them; "
            "`litclip data info` says why)",
            stacklevel=2,
        )
    return out
