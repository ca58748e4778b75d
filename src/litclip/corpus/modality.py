"""Optional zero-shot modality labels for corpus pairs, with any litclip model.

Each crop is compared with one text prompt per modality ("MRI", "CT", "X-ray", ...); the
best prompt becomes ``modality`` and its softmax probability ``modality_score``. This is the
only corpus module that touches torch, and it imports :mod:`litclip.models` lazily, inside
:func:`score_modality`, so PDF workers never load it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_PROMPTS = [
    "MRI",
    "CT",
    "X-ray",
    "angiography",
    "histology",
    "photograph",
    "chart",
    "diagram",
]
TEMPLATE = "a medical figure: {}."


def score_modality(
    image_paths: Sequence[str | Path],
    model_spec: str,
    prompts: Sequence[str] | None = None,
    batch_size: int = 64,
    progress: bool = False,
) -> tuple[list[str], np.ndarray]:
    """Zero-shot modality of each image.

    Args:
        image_paths: crop files.
        model_spec: anything :func:`litclip.models.load_model` accepts.
        prompts: modality names (default :data:`DEFAULT_PROMPTS`).
        batch_size: images per forward pass.
        progress: show the embedding progress bars.

    Returns:
        ``(labels, scores)``: the best prompt per image and its softmax probability.
    """
    from litclip.models import encode_images, encode_texts, load_model

    names = list(prompts or DEFAULT_PROMPTS)
    lm = load_model(model_spec)
    text = encode_texts(lm, [TEMPLATE.format(p) for p in names], progress=progress)
    img = encode_images(lm, [str(p) for p in image_paths], batch_size=batch_size, progress=progress)
    scale = float(lm.model.logit_scale.exp().item()) if hasattr(lm.model, "logit_scale") else 100.0
    logits = scale * (np.asarray(img) @ text.T)
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    best = probs.argmax(axis=1)
    return [names[i] for i in best], probs[np.arange(len(best)), best].astype(np.float32)


def check_model(model_spec: str) -> None:
    """Load ``model_spec`` once, so a bad spec is a :class:`~litclip.errors.ModelLoadError`
    before a build spends its extraction (the model is loaded again to score the pairs)."""
    from litclip.models import load_model

    load_model(model_spec)


def add_modality(
    df: pd.DataFrame, corpus_dir: str | Path, model_spec: str, prompts: Sequence[str] | None = None
) -> pd.DataFrame:
    """Return ``df`` with ``modality``, ``modality_score`` and ``modality_model`` columns."""
    paths = [Path(corpus_dir) / fp for fp in df["filepath"]]
    labels, scores = score_modality(paths, model_spec, prompts)
    return df.assign(
        modality=labels, modality_score=scores.astype(float), modality_model=model_spec
    )
