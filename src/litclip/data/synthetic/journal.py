"""Generate a whole synthetic journal: article PDFs, exact ground truth, splits, classification sets.

Layout of ``out_dir``::

    pdfs/article_0001.pdf ...     the journal (real PDFs, raster figures, two columns)
    pdfs/ground_truth.json        figure boxes/captions in the format of
                                  ../shared/data/pdfs/ground_truth.json + structured labels
    classification/<task>/{train,val,test}/<class>/*.png, classification/<task>/classes.json
    splits.json                   article ids per split (pairs) and per task (classification)
    journal.json                  resolved config + summary (litclip version, counts)

Everything is a function of ``seed``: article ``i`` draws from the stream ``[seed, 0, i]``,
so adding articles never changes existing ones, and PDFs are written with reportlab's
``invariant`` mode so the same seed gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from litclip.data.synthetic.article import ArticlePlan, FigurePlan, plan_article
from litclip.data.synthetic.classification import TASKS, split_ids, write_classification_task
from litclip.data.synthetic.layout import (
    JOURNAL_NAME,
    PAGE_H,
    PAGE_W,
    LayoutResult,
    write_article_pdf,
)
from litclip.io import atomic_path, atomic_write_json, write_resolved_config

#: Default article count of the demo journal: about 380-450 figure/panel pairs (~300 from training
#: articles) in about 20 s of one CPU core, classification sets included.
DEFAULT_ARTICLES = 64

SCHEMA = {
    "coordinates": "PDF points, origin top-left, y down (unrotated page space); converted exactly from where reportlab drew each object",
    "bbox": "figure region = union of the figure's raster panels (panel letters are drawn inside the panels); the caption is excluded",
    "caption_bbox": "box of the caption paragraph: left edge, top of first line box, right end of the longest line, bottom of last line box",
    "caption_start": "first 80 characters of the caption with whitespace collapsed (the generator never hyphenates)",
    "label": "figure label as printed ('Figure 3')",
    "page": "1-based page index in the PDF file",
    "n_panels": "number of lettered panels; 1 = single image or chart",
    "eye_verified": "false: boxes are exact from the generator, not drawn by hand",
    "figure_type": "imaging | chart | diagram | table (what quality control should keep: imaging)",
    "caption": "the full caption text",
    "labels": "structured labels of the figure: the imaged case (lesion, side, location, size_cm, n_lesions) and the view of the first panel",
    "panels": "one entry per panel: letter (null for a single image), bbox, caption (sub-caption, compound only), labels (modality, sequence, plane, lesion, side, location, size_cm, signal)",
    "placement": "span (page top across both columns) | column (top of a column) | inline (in the text flow)",
    "orientation": "radiological convention: patient's left on the image right (axial, coronal, frontal views)",
    "tables": "always empty: tables appear only as figures (figure_type 'table')",
}


@dataclass
class JournalSummary:
    """What :func:`generate_journal` wrote."""

    out_dir: str
    seed: int
    n_articles: int
    n_pages: int
    n_figures: int
    n_imaging_figures: int
    n_compound_figures: int
    n_panels: int
    n_pairs: int
    figure_types: dict[str, int]
    splits: dict[str, int]
    classification: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    seconds: float = 0.0


def _figure_record(fig: FigurePlan, placed: Any) -> dict[str, Any]:
    caption = re.sub(r"\s+", " ", fig.caption).strip()
    rec: dict[str, Any] = {
        "label": fig.label,
        "page": placed.page,
        "caption_start": caption[:80],
        "caption_bbox": list(placed.caption_bbox),
        "bbox": list(placed.bbox),
        "n_panels": fig.n_panels,
        "compound": fig.compound,
        "eye_verified": False,
        "figure_type": fig.figure_type,
        "caption": caption,
        "placement": placed.placement,
    }
    if fig.chart_kind:
        rec["chart_kind"] = fig.chart_kind
    if fig.case is not None:
        case = asdict(fig.case)
        case.pop("seed")
        first = fig.panel_labels[0].to_dict()
        rec["labels"] = {
            **case,
            **{k: first[k] for k in ("modality", "sequence", "plane", "signal")},
        }
    rec["panels"] = [
        {
            "letter": chr(65 + i) if fig.compound else None,
            "bbox": list(box),
            "caption": fig.panel_captions[i] if fig.compound else None,
            "labels": fig.panel_labels[i].to_dict() if fig.panel_labels else None,
        }
        for i, box in enumerate(placed.panel_bboxes)
    ]
    return rec


def _tags(plan: ArticlePlan) -> list[str]:
    tags = {f"{f.placement}_figure" for f in plan.figures}
    tags |= {"compound_figures"} if any(f.compound for f in plan.figures) else set()
    tags |= {"raster_charts"} if any(f.figure_type != "imaging" for f in plan.figures) else set()
    return sorted(tags)


def _document_record(plan: ArticlePlan, layout: LayoutResult, split: str) -> dict[str, Any]:
    data = layout.path.read_bytes()
    placed = {p.number: p for p in layout.figures}
    missing = [f.number for f in plan.figures if f.number not in placed]
    if missing:
        raise RuntimeError(f"{plan.article_id}: figures {missing} were never drawn")
    return {
        "file": layout.path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "pages": layout.pages,
        "page_size_pt": [round(PAGE_W, 1), round(PAGE_H, 1)],
        "source": {"generator": "litclip.data.synthetic", "article_id": plan.article_id},
        "journal": f"{JOURNAL_NAME} (synthetic) 2026",
        "title": plan.title,
        "doi": plan.doi,
        "license": "CC0 (synthetic)",
        "license_evidence": "generated by litclip; no real patient data",
        "hard_case_tags": _tags(plan),
        "domain": "neurosurgery (synthetic MRI, CT, angiography, spine X-ray; charts)",
        "notes": "two-column synthetic article; boxes exact from the generator",
        "article_id": plan.article_id,
        "split": split,
        "figures": [_figure_record(f, placed[f.number]) for f in plan.figures],
        "tables": [],
    }


def pair_splits(n_articles: int, seed: int) -> dict[str, list[str]]:
    """Article ids per split for the figure-caption pairs (70/15/15 by article, from ``seed``)."""
    ids = [f"article_{i + 1:04d}" for i in range(n_articles)]
    return split_ids(ids, np.random.default_rng([seed, 2]))


def _write_articles(
    out: Path,
    n_articles: int,
    seed: int,
    panel_px: int,
    splits: dict[str, list[str]],
    tick: Callable[[str, int], None],
) -> list[dict[str, Any]]:
    split_of = {a: s for s, ids in splits.items() for a in ids}
    docs = []
    for i in range(n_articles):
        plan = plan_article(i + 1, np.random.default_rng([seed, 0, i]), panel_px)
        final = out / "pdfs" / f"{plan.article_id}.pdf"
        with atomic_path(final) as tmp:
            layout = write_article_pdf(plan, tmp)
        layout.path = final
        docs.append(_document_record(plan, layout, split_of[plan.article_id]))
        tick("articles", 1)
    return docs


def _summarise(
    out: Path, seed: int, docs: list[dict[str, Any]], splits: dict[str, list[str]]
) -> JournalSummary:
    figs = [f for d in docs for f in d["figures"]]
    imaging = [f for f in figs if f["figure_type"] == "imaging"]
    types: dict[str, int] = {}
    for f in figs:
        types[f["figure_type"]] = types.get(f["figure_type"], 0) + 1
    n_panels = sum(f["n_panels"] for f in imaging)
    pairs = len(figs) + sum(f["n_panels"] for f in imaging if f["compound"])
    return JournalSummary(
        out_dir=str(out),
        seed=seed,
        n_articles=len(docs),
        n_pages=sum(d["pages"] for d in docs),
        n_figures=len(figs),
        n_imaging_figures=len(imaging),
        n_compound_figures=sum(f["compound"] for f in imaging),
        n_panels=n_panels,
        n_pairs=pairs,
        figure_types=types,
        splits={k: len(v) for k, v in splits.items()},
    )


def generate_journal(
    out_dir: str | Path,
    n_articles: int = DEFAULT_ARTICLES,
    seed: int = 0,
    panel_px: int = 256,
    classification: bool = True,
    classification_articles: int = 60,
    classification_images_per_article: int = 8,
    classification_px: int = 160,
    progress: Callable[[str, int], None] | None = None,
) -> JournalSummary:
    """Write a synthetic neuro-imaging journal to ``out_dir``.

    Args:
        out_dir: output directory (created).
        n_articles: number of article PDFs.
        seed: master seed; same seed -> byte-identical PDFs, ground truth and images.
        panel_px: pixel size of each rendered scan panel.
        classification: also write the labelled classification sets.
        classification_articles: classification-only virtual articles per task.
        classification_images_per_article: images per virtual article.
        classification_px: pixel size of classification images.
        progress: optional callback ``(stage, n_done_increment)``; stages are ``articles``
            (one tick per article) and ``classification`` (one tick per image).

    Returns:
        Counts of what was written.
    """
    if n_articles < 1:
        raise ValueError(f"n_articles must be >= 1, got {n_articles}")
    start = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tick = progress or (lambda stage, n: None)
    splits = pair_splits(n_articles, seed)
    docs = _write_articles(out, n_articles, seed, panel_px, splits, tick)
    atomic_write_json(out / "pdfs" / "ground_truth.json", {"schema": SCHEMA, "documents": docs})
    summary = _summarise(out, seed, docs, splits)
    cls_splits: dict[str, dict[str, list[str]]] = {}
    if classification:
        for task in TASKS:
            res = write_classification_task(
                out / "classification",
                task,
                seed,
                classification_articles,
                classification_images_per_article,
                classification_px,
                progress=lambda n: tick("classification", n),
            )
            summary.classification[task] = res.counts
            cls_splits[task] = res.articles
    atomic_write_json(
        out / "splits.json",
        {
            "seed": seed,
            "pairs": splits,
            "classification": cls_splits,
            "note": "classification images come from classification-only virtual articles (cls_*), disjoint from the journal's articles",
        },
    )
    summary.seconds = round(time.perf_counter() - start, 2)
    config = {
        "n_articles": n_articles,
        "seed": seed,
        "panel_px": panel_px,
        "classification": classification,
        "classification_articles": classification_articles,
        "classification_images_per_article": classification_images_per_article,
        "classification_px": classification_px,
    }
    write_resolved_config(out, config, name="journal.json", summary=asdict(summary))
    return summary
