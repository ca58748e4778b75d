"""Journal PDFs -> figure/caption pairs with quality control (ARCHITECTURE contract 1).

Public API::

    from litclip.corpus import CorpusConfig, build_corpus, merge_corpora, filter_corpus

    summary = build_corpus("pdfs/", "corpus/", CorpusConfig(workers=2, timeout=120))
    merge_corpora("corpus/", ["shard0/", "shard1/"])
    filter_corpus("corpus/", "imaging/", kinds=["image"], modality=["MRI", "CT"])

Extraction lives in :mod:`litclip.corpus.extract`; this package adds orchestration
(:mod:`~litclip.corpus.pipeline`, :mod:`~litclip.corpus.executors`), QC
(:mod:`~litclip.corpus.qc`, :mod:`~litclip.corpus.kinds`, :mod:`~litclip.corpus.modality`)
and the writers (:mod:`~litclip.corpus.writers`). Nothing here imports torch.
"""

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
