"""Plain data types shared by the corpus extraction engine and the pipeline around it.

Coordinates are PDF points with the origin at the TOP-LEFT of the page (y grows downwards),
as PyMuPDF and the ground-truth files report them. No torch import anywhere in ``corpus``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

DPI_RANGE = (36, 600)  # crop resolutions `corpus build --dpi` and `litclip run` take

BBox = tuple[float, float, float, float]
"""``(x0, y0, x1, y1)`` in PDF points, origin top-left."""

PDF_ERROR_KINDS = (
    "not_pdf",
    "encrypted",
    "malformed",
    "truncated",
    "zero_pages",
    "huge_image",
    "timeout",
    "unsupported",
    "io",
)

# warnings about a whole PDF's text (``pdf_status.jsonl``); the datasheet counts the PDFs
NO_TEXT_LAYER = "no text layer (scanned PDF?): captions cannot be found"
UNREADABLE_TEXT = "text layer does not read as words"
SCANNED_PAGES = "pages that are pictures with no text layer"  # most of a PDF's pages


class PdfError(Exception):
    """A PDF that cannot be processed; ``kind`` names why (one of :data:`PDF_ERROR_KINDS`).

    The corpus pipeline records ``kind`` in ``pdf_status.jsonl`` and goes on with the next file.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind

    def __str__(self) -> str:  # "encrypted: file.pdf needs a password"
        return f"{self.kind}: {self.args[0]}"


@dataclass
class TextHints:
    """What the PDF's text layer prints inside a figure or panel: hints for the figure-type
    classifier (:func:`litclip.corpus.kinds.classify_kind`) that pixels give poorly."""

    lines: int = 0  # text lines centred inside
    mono: int = 0  # of them, set mostly in a fixed-width font (program text)
    scales: int = 0  # axis scales: columns or rows of 3+ tick numbers


@dataclass
class Panel:
    """One lettered sub-figure of a compound figure."""

    letter: str
    bbox: BBox
    caption: str = ""  # sub-caption text ("Axial T2 ..."); "" when the caption was not split
    printed_letter: str = ""  # the letter as printed in the caption ("a"); "" if not split
    text: TextHints = field(default_factory=TextHints)


@dataclass
class ExtractedFigure:
    """A captioned figure found on one page."""

    label: str  # normalised: "Figure 3", "Figure S2"
    number: str  # "3", "S2"
    page: int  # 1-based
    bbox: BBox
    caption: str  # cleaned full caption including its printed label
    caption_bbox: BBox
    shared_caption: str = ""  # caption text common to all panels ("" if none)
    panels: list[Panel] = field(default_factory=list)  # empty for a single figure
    source: str = "raster"  # "raster" | "vector" | "mixed"
    n_raster: int = 0  # raster image objects inside the figure
    printed_label: str = ""  # the label as printed ("Fig. 3")
    caption_page: int | None = None  # 1-based page of the caption when not ``page``
    # degrees clockwise that turn the page-space crop upright: a figure set sideways with its
    # caption (a landscape figure on a portrait page); ``bbox`` stays in page space
    turn: int = 0
    text: TextHints = field(default_factory=TextHints)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (tuples become lists)."""
        return asdict(self)


@dataclass
class ExtractedTable:
    """A table caption (tables are kept apart from figures, not turned into pairs)."""

    label: str
    page: int
    bbox: BBox | None
    caption: str


@dataclass
class PdfExtraction:
    """Everything :func:`litclip.corpus.extract.extract_pdf` found in one PDF."""

    figures: list[ExtractedFigure]
    tables: list[ExtractedTable]
    n_pages: int
    uncaptioned_regions: int = 0  # figure-like regions without a caption: kept out, counted
    warnings: list[str] = field(default_factory=list)
