"""Write an :class:`ArticlePlan` as a two-column journal PDF and report where every figure landed.

A small page engine on top of reportlab: each page gets its running header/footer, then any
figure waiting for a page top (``span``: both columns), then each column gets any figure waiting
for a column top, then body text flows into what is left (paragraphs split across columns).
Figures become "waiting" when the paragraph that first mentions them is drawn (a zero-size
marker flowable), so figures always follow their first mention, as in real journals.
``inline`` figures are ordinary flowables in the text.

Every drawn figure records its exact boxes in PDF points with the origin at the top left
(reportlab draws from the bottom left, so ``y_top = page_height - y``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Paragraph, Spacer

from litclip.data.synthetic.article import ArticlePlan, FigurePlan

PAGE_W, PAGE_H = letter
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 48.0, 62.0, 58.0
COL_GAP = 18.0
COL_W = (PAGE_W - 2 * MARGIN_X - COL_GAP) / 2
FULL_W = PAGE_W - 2 * MARGIN_X
FIG_GAP = 14.0  # space between a top-placed figure block and the text below
PANEL_GAP = 4.0
MAX_GRID_H = 340.0  # tallest panel grid, so a figure and some text share a page
JOURNAL_NAME = "Journal of Synthetic Neurosurgery"

_BODY = ParagraphStyle(
    "body",
    fontName="Times-Roman",
    fontSize=9.5,
    leading=11.8,
    alignment=TA_JUSTIFY,
    spaceAfter=4,
    firstLineIndent=10,
)
_HEAD = ParagraphStyle(
    "head", fontName="Helvetica-Bold", fontSize=10, leading=13, spaceBefore=6, spaceAfter=3
)
_CAPTION = ParagraphStyle("caption", fontName="Helvetica", fontSize=8, leading=9.8)
_REF = ParagraphStyle("ref", fontName="Times-Roman", fontSize=7.5, leading=9, spaceAfter=1.5)
_TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=17, leading=21, spaceAfter=6)
_AUTH = ParagraphStyle("auth", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=2)
_AFF = ParagraphStyle("aff", fontName="Helvetica-Oblique", fontSize=8, leading=10, spaceAfter=8)
_ABS = ParagraphStyle(
    "abs",
    fontName="Helvetica",
    fontSize=8.5,
    leading=10.8,
    alignment=TA_JUSTIFY,
    spaceAfter=4,
    leftIndent=6,
    rightIndent=6,
)


@dataclass
class PlacedFigure:
    """Where one figure was drawn (PDF points, origin top left, 1-based page)."""

    number: int
    page: int
    bbox: tuple[float, float, float, float]
    caption_bbox: tuple[float, float, float, float]
    panel_bboxes: list[tuple[float, float, float, float]]
    placement: str


@dataclass
class LayoutResult:
    """What :func:`write_article_pdf` produced."""

    path: Path
    pages: int
    figures: list[PlacedFigure] = field(default_factory=list)


def _tl(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """reportlab (bottom-left origin) box -> top-left-origin box, rounded to 0.1 pt."""
    return (round(x0, 1), round(PAGE_H - y1, 1), round(x1, 1), round(PAGE_H - y0, 1))


class FigureBlock(Flowable):
    """A figure: panel grid (raster images with bold panel letters) and its caption below."""

    def __init__(self, fig: FigurePlan, width: float, sink: list[PlacedFigure]) -> None:
        super().__init__()
        self.fig, self.block_w, self.sink = fig, width, sink
        rows, cols = fig.grid
        aspect = fig.images[0].height / fig.images[0].width
        # A single scan or chart across both columns would be huge: shrink it, centred.
        scale = 1.0 if fig.compound else (0.55 if width > COL_W else 0.92)
        self.panel_w = (width * scale - (cols - 1) * PANEL_GAP) / cols
        # Keep multi-row grids short enough to share a page with text.
        self.panel_w = min(self.panel_w, (MAX_GRID_H - (rows - 1) * PANEL_GAP) / rows / aspect)
        self.panel_h = self.panel_w * aspect
        self.grid_w = cols * self.panel_w + (cols - 1) * PANEL_GAP
        self.grid_h = rows * self.panel_h + (rows - 1) * PANEL_GAP
        text = escape(fig.caption)
        head, _, rest = text.partition(". ")
        self.caption = Paragraph(f"<b>{head}.</b> {rest}", _CAPTION)
        _, self.cap_h = self.caption.wrap(width, 10_000)
        self.height = self.grid_h + 5 + self.cap_h
        self.width = width
        self.spaceBefore, self.spaceAfter = 6, 8

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        """Fixed size: the block never reflows."""
        return self.width, self.height

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803
        """Draw at absolute ``(x, y)`` (bottom left) and record the boxes (inline placement)."""
        self.draw_at(canvas, x, y, "inline")

    def draw_at(self, c: Canvas, x: float, y: float, placement: str) -> None:
        """Draw the block with its bottom-left corner at ``(x, y)`` and record it."""
        rows, cols = self.fig.grid
        gx = x + (self.width - self.grid_w) / 2
        top = y + self.height
        panels = []
        for i, img in enumerate(self.fig.images):
            r, col = divmod(i, cols)
            px = gx + col * (self.panel_w + PANEL_GAP)
            py = top - (r + 1) * self.panel_h - r * PANEL_GAP
            c.drawImage(ImageReader(img), px, py, self.panel_w, self.panel_h)
            if self.fig.compound:
                c.setFillColorRGB(1, 1, 1)
                c.setFont("Helvetica-Bold", 11)
                c.drawString(px + 4, py + self.panel_h - 13, chr(ord("A") + i))
                c.setFillColorRGB(0, 0, 0)
            panels.append(_tl(px, py, px + self.panel_w, py + self.panel_h))
        cap_top = top - self.grid_h - 5
        self.caption.drawOn(c, x, cap_top - self.cap_h)
        widths = self.caption.getActualLineWidths0()
        bbox = (
            min(p[0] for p in panels),
            min(p[1] for p in panels),
            max(p[2] for p in panels),
            max(p[3] for p in panels),
        )
        self.sink.append(
            PlacedFigure(
                number=self.fig.number,
                page=c.getPageNumber(),
                bbox=bbox,
                caption_bbox=_tl(x, cap_top - self.cap_h, x + max(widths), cap_top),
                panel_bboxes=panels,
                placement=placement,
            )
        )


class _Marker(Flowable):
    """Zero-size flowable: when drawn, queues its figure for the next page or column top."""

    _ZEROSIZE = True

    def __init__(self, block: FigureBlock, queue: list[FigureBlock]) -> None:
        super().__init__()
        self.block, self.queue = block, queue
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        self.queue.append(self.block)


def _fill(frame: Frame, story: list[Flowable], c: Canvas) -> None:
    """Flow ``story`` into ``frame``, splitting paragraphs at the bottom of the frame."""
    while story:
        if frame.add(story[0], c, trySplit=1):
            story.pop(0)
            continue
        parts = frame.split(story[0], c)
        if len(parts) < 2:
            return  # does not fit and cannot split: the next frame takes it
        story[0:1] = parts
        if not frame.add(story[0], c, trySplit=1):
            return
        story.pop(0)


class _Writer:
    """Page engine for one article."""

    def __init__(self, plan: ArticlePlan, path: Path) -> None:
        self.plan, self.path = plan, path
        self.c = Canvas(str(path), pagesize=letter, invariant=1, pageCompression=1)
        self.c.setTitle(plan.title)
        self.c.setAuthor(", ".join(plan.authors))
        self.c.setSubject(JOURNAL_NAME)
        self.placed: list[PlacedFigure] = []
        self.span_queue: list[FigureBlock] = []
        self.col_queue: list[FigureBlock] = []

    def story(self) -> list[Flowable]:
        plan, out = self.plan, []
        blocks = {}
        for fig in plan.figures:
            width = FULL_W if fig.placement == "span" else COL_W
            blocks[fig.number] = FigureBlock(fig, width, self.placed)
        for heading, paras in plan.sections:
            out.append(Paragraph(heading, _HEAD))
            for text in paras:
                out.append(Paragraph(escape(text), _BODY))
                for fig in plan.figures:  # figures follow the paragraph that first cites them
                    if f"(Figure {fig.number}" in text and fig.number in blocks:
                        block = blocks.pop(fig.number)
                        if fig.placement == "inline":
                            out.append(block)
                        else:
                            queue = self.span_queue if fig.placement == "span" else self.col_queue
                            out.append(_Marker(block, queue))
        out.append(Paragraph("References", _HEAD))
        out += [Paragraph(escape(r), _REF) for r in plan.references]
        return out

    def header_footer(self, page: int) -> None:
        c, plan = self.c, self.plan
        c.setFont("Helvetica", 7.5)
        y = PAGE_H - 36
        if page == 1:
            c.drawString(
                MARGIN_X, y, f"{JOURNAL_NAME} 2026; 12: {plan.first_page}-{plan.first_page + 9}"
            )
            c.drawRightString(PAGE_W - MARGIN_X, y, f"https://doi.org/{plan.doi}")
        elif page % 2 == 0:
            c.drawString(MARGIN_X, y, f"{plan.authors[0].split()[-1]} et al.")
            c.drawRightString(PAGE_W - MARGIN_X, y, JOURNAL_NAME)
        else:
            short = plan.title if len(plan.title) < 70 else plan.title[:67] + "..."
            c.drawString(MARGIN_X, y, short)
            c.drawRightString(PAGE_W - MARGIN_X, y, JOURNAL_NAME)
        c.setLineWidth(0.5)
        c.line(MARGIN_X, y - 4, PAGE_W - MARGIN_X, y - 4)
        c.drawCentredString(PAGE_W / 2, 30, str(plan.first_page + page - 1))
        c.drawString(MARGIN_X, 30, "© 2026 Synthetic data, CC0")

    def title_block(self) -> float:
        plan = self.plan
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            FULL_W,
            PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        items: list[Flowable] = [
            Paragraph(escape(plan.title), _TITLE),
            Paragraph(escape(", ".join(plan.authors)), _AUTH),
            Paragraph(escape(plan.affiliation), _AFF),
            Paragraph(f"<b>Abstract</b> {plan.abstract}", _ABS),
            Paragraph(f"<b>Keywords:</b> {escape('; '.join(plan.keywords))}", _ABS),
            Spacer(1, 4),
        ]
        _fill(frame, items, self.c)
        y = frame._y  # noqa: SLF001 - the frame's current position is what we need
        self.c.line(MARGIN_X, y, PAGE_W - MARGIN_X, y)
        return y - 10

    def page(self, page: int, story: list[Flowable]) -> None:
        self.header_footer(page)
        top = self.title_block() if page == 1 else PAGE_H - MARGIN_TOP
        if self.span_queue and top - self.span_queue[0].height > MARGIN_BOTTOM + 120:
            block = self.span_queue.pop(0)
            block.draw_at(self.c, MARGIN_X, top - block.height, "span")
            top -= block.height + FIG_GAP
        for col in range(2):
            x = MARGIN_X + col * (COL_W + COL_GAP)
            col_top = top
            while self.col_queue and col_top - self.col_queue[0].height > MARGIN_BOTTOM + 60:
                block = self.col_queue.pop(0)
                block.draw_at(self.c, x, col_top - block.height, "column")
                col_top -= block.height + FIG_GAP
            frame = Frame(
                x,
                MARGIN_BOTTOM,
                COL_W,
                col_top - MARGIN_BOTTOM,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )
            _fill(frame, story, self.c)
        self.c.showPage()

    def run(self) -> LayoutResult:
        story = self.story()
        page = 0
        while story or self.span_queue or self.col_queue:
            page += 1
            if page > 60:
                raise RuntimeError(f"layout of {self.plan.article_id} did not converge")
            self.page(page, story)
        self.c.save()
        placed = sorted(self.placed, key=lambda p: p.number)
        return LayoutResult(self.path, page, placed)


def write_article_pdf(plan: ArticlePlan, path: str | Path) -> LayoutResult:
    """Write ``plan`` as a PDF at ``path`` (byte-identical for the same plan).

    Args:
        plan: the article content and figures.
        path: output PDF path.

    Returns:
        The page count and where each figure (and its caption and panels) was drawn.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Binary (not ASCII85) streams: 4x faster without reportlab's C accelerator, 20% smaller.
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        return _Writer(plan, path).run()
    finally:
        rl_config.useA85 = saved
