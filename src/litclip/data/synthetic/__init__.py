"""A synthetic neuro-imaging journal for the offline demo and for exact extraction tests.

``generate_journal(out_dir, n_articles, seed)`` writes article PDFs whose figures are
procedurally rendered phantom scans (MRI, CT, angiography, spine X-ray) and charts, the exact
figure ground truth (format of ``../shared/data/pdfs/ground_truth.json`` plus structured labels),
article splits and labelled classification sets. Images follow the radiological convention:
the patient's left is on the image right.
"""

from litclip.data.synthetic.classification import (
    TASKS,
    ClassificationTask,
    write_classification_task,
)
from litclip.data.synthetic.journal import (
    DEFAULT_ARTICLES,
    JournalSummary,
    generate_journal,
    pair_splits,
)
from litclip.data.synthetic.phantoms import render_scan
from litclip.data.synthetic.scanned import scan_pdf
from litclip.data.synthetic.spec import Case, ScanLabels, make_labels, sample_case

__all__ = [
    "DEFAULT_ARTICLES",
    "TASKS",
    "Case",
    "ClassificationTask",
    "JournalSummary",
    "ScanLabels",
    "generate_journal",
    "make_labels",
    "pair_splits",
    "render_scan",
    "scan_pdf",
    "sample_case",
    "write_classification_task",
]
