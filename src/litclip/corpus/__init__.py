"""Journal PDFs -> figure/caption pairs with quality control (ARCHITECTURE contract 1).

Public API::

    from litclip.corpus import CorpusConfig, build_corpus, merge_corpora, filter_corpus

    summary = build_corpus("pdfs/", "corpus/", CorpusConfig(workers=2, timeout=120))
    merge_corpora("corpus/", ["shard0/", "shard1/"])
    filter_corpus("corpus/", "imaging/", kinds=["image"], modality=["MRI", "CT"])

Extraction lives in :mod:`litclip.corpus.extract`; this package adds orchestration
(:mod:`~litclip.corpus.pipeline`, :mod:`~litclip.corpus.executors`), QC
(:mod:`~litclip.corpus.qc`, :mod:`~litclip.corpus.kinds`, :mod:`~litclip.corpus.modality`)
and the writers (:mod:`~litclip.corpus.writers`, :mod:`~litclip.corpus.preview` for an HTML
contact sheet to read a corpus by eye). Nothing here imports torch.

Decisions worth knowing:

* The pair's image (``filepath``) is always the crop rendered at ``dpi``, so every pair has
  the same kind of pixels (and a figure's printed panel letters and vector overlays). When a
  figure is exactly one embedded raster image, its original bytes are also kept, unchanged,
  as ``images/<sha16>/<pair_id>.native.<ext>`` (column ``native_filepath``).
* Crops read upright: a figure set sideways with its caption (a landscape figure on a
  portrait page) is turned as a reader turns the page; ``bbox`` stays in page space and
  column ``turn`` gives the degrees (clockwise) from the page to the crop.
* A PDF's outcome is one atomic part file (``parts/<sha256>.json``); the manifest, shards,
  ``pdf_status.jsonl`` and ``datasheet.md`` are reassembled from parts at the end of every
  run, so reruns resume and a SIGKILL never loses or duplicates pairs.
* Shards hold the pairs that pass QC; the manifest holds every pair with its QC labels, and
  ``litclip corpus filter`` writes narrower copies (kinds, modality) without re-extracting.
* Crops are PNG by default (the contract); ``image_format="jpg"`` trades lossless pixels for
  an encoder about ten times faster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litclip.corpus.pipeline import (
        BuildSummary,
        CorpusConfig,
        build_corpus,
        filter_corpus,
        merge_corpora,
    )
    from litclip.corpus.qc import QcConfig

__all__ = [
    "BuildSummary",
    "CorpusConfig",
    "QcConfig",
    "build_corpus",
    "filter_corpus",
    "merge_corpora",
]


def __getattr__(name: str) -> Any:
    # Lazy: worker processes import litclip.corpus.worker without pandas/pyarrow.
    if name == "QcConfig":
        from litclip.corpus.qc import QcConfig

        return QcConfig
    if name in __all__:
        from litclip.corpus import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'litclip.corpus' has no attribute {name!r}")
