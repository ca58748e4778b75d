"""Plan one synthetic article: its prose, its figures (pixels + captions + labels) and layout hints.

Planning is separate from PDF writing (:mod:`litclip.data.synthetic.layout`) so the same
figure objects can be reused for ground truth and tests without opening a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from litclip.data.synthetic import captions, prose
from litclip.data.synthetic.charts import CHART_KINDS, render_chart
from litclip.data.synthetic.phantoms import render_scan, to_rgb
from litclip.data.synthetic.spec import Case, ScanLabels, make_labels, sample_case, sample_views


@dataclass
class FigurePlan:
    """One figure of an article.

    Attributes:
        number: figure number (1-based, in order of first mention).
        figure_type: ``imaging``, ``chart``, ``diagram`` or ``table``.
        caption: full caption text, starting with ``"Figure N."``.
        images: one RGB image per panel (a chart is one panel).
        panel_labels: the :class:`ScanLabels` of each panel (empty for non-imaging figures).
        panel_captions: the sub-caption of each panel (compound figures only).
        case: the imaged case (``None`` for non-imaging figures).
        placement: ``span`` (page top, both columns), ``column`` (top of a column) or ``inline``.
        grid: ``(rows, cols)`` of the panel grid.
        chart_kind: ``bar`` / ``survival`` / ``flow`` / ``table`` for non-imaging figures.
    """

    number: int
    figure_type: str
    caption: str
    images: list[Image.Image]
    panel_labels: list[ScanLabels] = field(default_factory=list)
    panel_captions: list[str] = field(default_factory=list)
    case: Case | None = None
    placement: str = "column"
    grid: tuple[int, int] = (1, 1)
    chart_kind: str | None = None

    @property
    def label(self) -> str:
        """``"Figure N"``."""
        return f"Figure {self.number}"

    @property
    def n_panels(self) -> int:
        """Number of panels (1 for a single image or a chart)."""
        return len(self.images)

    @property
    def compound(self) -> bool:
        """Whether the figure has two or more lettered panels."""
        return self.n_panels > 1


@dataclass
class ArticlePlan:
    """Everything printed in one article PDF."""

    article_id: str
    number: int
    title: str
    authors: list[str]
    affiliation: str
    abstract: str
    keywords: list[str]
    sections: list[tuple[str, list[str]]]
    references: list[str]
    figures: list[FigurePlan]
    doi: str
    first_page: int


def _n_panels(rng: np.random.Generator) -> int:
    return int(rng.choice([2, 3, 4, 5, 6], p=[0.3, 0.25, 0.25, 0.1, 0.1]))


def _grid_and_placement(n: int, rng: np.random.Generator) -> tuple[tuple[int, int], str]:
    if n == 1:
        return (1, 1), str(rng.choice(["column", "inline", "span"], p=[0.45, 0.45, 0.1]))
    if n == 2:
        return (1, 2), str(rng.choice(["column", "inline", "span"], p=[0.45, 0.35, 0.2]))
    if n == 3:
        return ((1, 3), "span") if rng.random() < 0.6 else ((2, 2), "column")
    if n == 4:
        return (
            ((1, 4), "span")
            if rng.random() < 0.3
            else ((2, 2), str(rng.choice(["column", "span"])))
        )
    return (2, 3), "span"


def plan_imaging_figure(
    number: int, rng: np.random.Generator, panel_px: int, compound: bool, case: Case | None = None
) -> FigurePlan:
    """Draw a case, its views, the panel images and the caption of one imaging figure."""
    case = case or sample_case(rng)
    views = sample_views(case, _n_panels(rng) if compound else 1, rng)
    labels = [make_labels(case, *v) for v in views]
    images = [
        to_rgb(render_scan(lab, panel_px, seed=case.seed + i)) for i, lab in enumerate(labels)
    ]
    label = f"Figure {number}"
    if len(labels) == 1:
        caption, subs = captions.single_caption(label, case, labels[0], rng), []
    else:
        caption, subs = captions.compound_caption(label, case, labels, rng)
    grid, placement = _grid_and_placement(len(labels), rng)
    return FigurePlan(number, "imaging", caption, images, labels, subs, case, placement, grid)


def plan_chart_figure(number: int, rng: np.random.Generator) -> FigurePlan:
    """A non-imaging figure (chart, flow diagram or table) with its caption."""
    kind = str(rng.choice(CHART_KINDS))
    chart = render_chart(kind, rng, 480, 330 if kind != "table" else 260)
    placement = str(rng.choice(["column", "inline"]))
    return FigurePlan(
        number,
        chart.figure_type,
        f"Figure {number}. {chart.caption}",
        [chart.image],
        placement=placement,
        chart_kind=kind,
    )


def plan_figures(
    rng: np.random.Generator,
    panel_px: int,
    imaging_fraction: float = 0.5,
    compound_fraction: float = 0.5,
) -> list[FigurePlan]:
    """Two to four figures; the first is always imaging (it names the article's topic).

    With ``imaging_fraction`` 0.5 for the later figures, about 70% of all figures are imaging.
    """
    n = int(rng.integers(2, 5))
    figs = []
    for i in range(n):
        if i == 0 or rng.random() < imaging_fraction:
            figs.append(plan_imaging_figure(i + 1, rng, panel_px, rng.random() < compound_fraction))
        else:
            figs.append(plan_chart_figure(i + 1, rng))
    return figs


def _figure_sentence(fig: FigurePlan, rng: np.random.Generator) -> str:
    ref = (
        f"(Figure {fig.number})"
        if not fig.compound
        else f"(Figure {fig.number}A-{chr(64 + fig.n_panels)})"
    )
    if fig.figure_type != "imaging" or fig.case is None:
        return f"The results are summarised graphically {ref}."
    c = fig.case
    if c.lesion == "none":
        return f"Imaging showed no relevant abnormality {ref}."
    if c.lesion == "fracture":
        return f"Radiographs showed a compression fracture at {c.location} {ref}."
    where = f"the {c.side} {c.location}" if c.side in ("left", "right") else f"the {c.location}"
    return f"Imaging revealed {prose.topic_of(c.lesion)} involving {where} {ref}."


def plan_article(number: int, rng: np.random.Generator, panel_px: int = 256) -> ArticlePlan:
    """Plan article ``number``: prose sections with figure mentions and the figures themselves."""
    figures = plan_figures(rng, panel_px)
    main = figures[0].case
    if main is None:  # cannot happen: plan_figures makes the first figure an imaging one
        raise RuntimeError("the first figure of an article must be an imaging figure")
    topic = prose.topic_of(main.lesion)
    body = {
        s: [
            prose.paragraph(s, topic, rng, int(rng.integers(4, 8)))
            for _ in range(int(rng.integers(2, 4)))
        ]
        for s in ("intro", "methods", "results", "discussion")
    }
    # Mention each figure in the Results, in order, one figure per paragraph where possible.
    results = body["results"]
    while len(results) < len(figures):
        results.append(prose.paragraph("results", topic, rng, 4))
    for i, fig in enumerate(figures):
        results[i] = f"{results[i]} {_figure_sentence(fig, rng)}"
    sections = [
        ("Introduction", body["intro"]),
        ("Materials and Methods", body["methods"]),
        ("Results", results),
        ("Discussion", body["discussion"]),
    ]
    return ArticlePlan(
        article_id=f"article_{number:04d}",
        number=number,
        title=prose.title(main.lesion, main.side, main.location, rng),
        authors=prose.authors(rng),
        affiliation=prose.affiliation(rng),
        abstract=prose.abstract(topic, rng),
        keywords=[topic, "magnetic resonance imaging", "neurosurgery", "computed tomography"],
        sections=sections,
        references=prose.references(rng, int(rng.integers(8, 16))),
        figures=figures,
        doi=f"10.5555/jsn.2026.{number:04d}",
        first_page=int(rng.integers(100, 900)),
    )
