"""How well ``corpus build`` tells figure kinds apart, against kinds labelled by eye.

``benchmarks/data/figure_kinds.json`` labels 439 figures: a seeded sample of the corpus of
``benchmarks/unseen_boxes.py``'s PDFs (software manuals, R vignettes, theses, journal
articles) and every figure of ``../shared/data/pdfs``. Labels are finer than the manifest's
``kind``; what each may be called:

==========  ==========================================
label       accepted ``kind``
==========  ==========================================
medical     image
photo       image
render      image or diagram (3D renderings, artwork)
screenshot  other
chart       chart
diagram     diagram
table       table
code, text  other or diagram
mixed       not scored
==========  ==========================================

The user's question is mostly "keep only imaging figures" (``--kinds image``), so the
precision and recall of ``image`` over medical + photo figures are printed apart.

Usage::

    python benchmarks/figure_kinds.py [--cache DIR] [--workers 2]

Builds the corpus of both PDF sets in a temporary folder (a few minutes on 2 cores),
prints the confusion table of each half (``dev``: the rules were tuned on it; ``check``:
printed while tuning, so not blind) and the overall scores.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

from litclip.corpus import CorpusConfig, build_corpus
from litclip.corpus.writers import read_manifest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from unseen_boxes import stage_all  # noqa: E402 - a sibling script, not a package

TRUTH = Path(__file__).resolve().parent / "data" / "figure_kinds.json"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pdfs"
ACCEPT = {
    "medical": {"image"},
    "photo": {"image"},
    "render": {"image", "diagram"},
    "screenshot": {"other"},
    "chart": {"chart"},
    "diagram": {"diagram"},
    "table": {"table"},
    "code": {"other", "diagram"},
    "text": {"other", "diagram"},
}


def predicted_kinds(pdf_dirs: list[Path], out: Path, workers: int) -> pd.DataFrame:
    """Whole-figure rows (pdf_name, page, figure_label, kind) of a corpus built over the PDFs."""
    paths = sorted(p for d in pdf_dirs for p in d.glob("*.pdf"))
    build_corpus(paths, out, CorpusConfig(workers=workers))
    df = read_manifest(out)
    df = df[df["panel"].isna()]
    return df.drop_duplicates(["pdf_name", "page", "figure_label"])[
        ["pdf_name", "page", "figure_label", "kind"]
    ]


def score(truth: pd.DataFrame) -> dict:
    """Accuracy over scored labels and the ``image`` kind's precision and recall."""
    scored = truth[truth["label"].isin(list(ACCEPT))]
    ok = [k in ACCEPT[lab] for lab, k in zip(scored["label"], scored["kind"], strict=True)]
    imaging = scored["label"].isin(["medical", "photo"])
    called = scored["kind"] == "image"
    return {
        "figures": len(scored),
        "accuracy": round(sum(ok) / max(len(scored), 1), 3),
        "image_precision": round((imaging & called).sum() / max(called.sum(), 1), 3),
        "image_recall": round((imaging & called).sum() / max(imaging.sum(), 1), 3),
        "chart_recall": round(
            ((scored["label"] == "chart") & (scored["kind"] == "chart")).sum()
            / max((scored["label"] == "chart").sum(), 1),
            3,
        ),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "litclip" / "unseen-pdfs"))
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    truth = pd.DataFrame(json.loads(TRUTH.read_text(encoding="utf-8"))["labels"])
    work = Path(tempfile.mkdtemp(prefix="litclip-kinds-"))
    try:
        dirs = [work / "pdfs"]
        stage_all(Path(args.cache), dirs[0])
        if SHARED.is_dir():
            dirs.append(SHARED)
        else:
            print(f"{SHARED} is absent: its {sum(truth['set'] == 'shared')} figures are left out")
            truth = truth[truth["set"] != "shared"]
        kinds = predicted_kinds(dirs, work / "corpus", args.workers)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    merged = truth.merge(
        kinds,
        left_on=["file", "page", "figure_label"],
        right_on=["pdf_name", "page", "figure_label"],
        how="left",
    )
    missing = merged["kind"].isna()
    if missing.any():  # the figure was not extracted (or renamed) this time
        print(f"{int(missing.sum())} labelled figures not in the corpus: left out")
    merged = merged[~missing]
    pd.set_option("display.width", 200)
    for half in ("dev", "check"):
        part = merged[merged["half"] == half]
        print(f"\n== {half}: {json.dumps(score(part))}")
        print(pd.crosstab(part["label"], part["kind"]).to_string())
    print(f"\nall: {json.dumps(score(merged))}")


if __name__ == "__main__":
    main()
