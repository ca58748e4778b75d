"""Non-imaging figures: bar and survival charts, flow diagrams and tables rendered as figures.

These are what quality control must reject (``figure_type`` chart / diagram / table). They
are rendered with matplotlib's Agg backend straight to pixels, so they are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHART_KINDS = ("bar", "survival", "flow", "table")
_FIGURE_TYPE = {"bar": "chart", "survival": "chart", "flow": "diagram", "table": "table"}


@dataclass(frozen=True)
class ChartFigure:
    """A rendered non-imaging figure.

    Attributes:
        image: RGB image.
        caption: caption text without the ``Figure N.`` label.
        figure_type: ``chart``, ``diagram`` or ``table``.
        kind: ``bar``, ``survival``, ``flow`` or ``table``.
    """

    image: Image.Image
    caption: str
    figure_type: str
    kind: str


def _fig(width_px: int, height_px: int) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width_px / 100, height_px / 100), dpi=100)


def _to_image(fig: Figure) -> Image.Image:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3].copy())


def _bar(rng: np.random.Generator, w: int, h: int) -> tuple[Image.Image, str]:
    groups = ["Glioma", "Meningioma", "Metastasis", "Abscess", "Other"]
    counts = rng.integers(5, 60, size=len(groups))
    fig = _fig(w, h)
    ax = fig.add_subplot(111)
    ax.bar(groups, counts, color=["#4472c4", "#ed7d31", "#a5a5a5", "#ffc000", "#5b9bd5"])
    ax.set_ylabel("Number of patients")
    ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    n = int(counts.sum())
    caption = f"Distribution of histological diagnoses in the surgical cohort (n = {n})."
    return _to_image(fig), caption


def _survival(rng: np.random.Generator, w: int, h: int) -> tuple[Image.Image, str]:
    fig = _fig(w, h)
    ax = fig.add_subplot(111)
    months = np.arange(0, 61)
    for name, rate in (
        ("Gross total resection", rng.uniform(0.01, 0.02)),
        ("Subtotal resection", rng.uniform(0.03, 0.05)),
    ):
        surv = np.exp(-rate * months)
        ax.step(months, np.round(surv * 40) / 40, where="post", label=name)
    ax.set_xlabel("Months after surgery")
    ax.set_ylabel("Progression-free survival")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    p = rng.choice(["0.003", "0.01", "0.02", "<0.001"])
    caption = (
        "Kaplan-Meier estimates of progression-free survival stratified by extent of "
        f"resection (log-rank p = {p})."
    )
    return _to_image(fig), caption


def _flow(rng: np.random.Generator, w: int, h: int) -> tuple[Image.Image, str]:
    n0 = int(rng.integers(150, 400))
    ex = int(rng.integers(20, 80))
    n1 = n0 - ex
    lost = int(rng.integers(3, 20))
    boxes = [
        f"Patients screened\n(n = {n0})",
        f"Eligible and operated\n(n = {n1})",
        f"Completed follow-up\n(n = {n1 - lost})",
    ]
    fig = _fig(w, h)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    ys = [0.85, 0.5, 0.15]
    for y, text in zip(ys, boxes, strict=True):
        ax.text(
            0.35,
            y,
            text,
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "square,pad=0.6", "fc": "white", "ec": "black"},
        )
    for y0, y1 in zip(ys[:-1], ys[1:], strict=True):
        ax.annotate(
            "",
            xy=(0.35, y1 + 0.09),
            xytext=(0.35, y0 - 0.09),
            arrowprops={"arrowstyle": "->", "lw": 1.2},
        )
    ax.text(
        0.78,
        0.67,
        f"Excluded (n = {ex})\nPrior surgery\nIncomplete imaging",
        ha="center",
        va="center",
        fontsize=7,
        bbox={"boxstyle": "square,pad=0.5", "fc": "white", "ec": "black"},
    )
    ax.annotate("", xy=(0.62, 0.67), xytext=(0.35, 0.67), arrowprops={"arrowstyle": "->"})
    caption = "Flow diagram of patient selection and follow-up."
    return _to_image(fig), caption


def _table(rng: np.random.Generator, w: int, h: int) -> tuple[Image.Image, str]:
    n = int(rng.integers(40, 200))
    rows = [
        ["Age, years (mean ± SD)", f"{rng.uniform(40, 65):.1f} ± {rng.uniform(8, 15):.1f}"],
        ["Female sex, n (%)", f"{int(n * 0.45)} ({45.0:.1f})"],
        ["KPS ≥ 70, n (%)", f"{int(n * 0.7)} (70.0)"],
        ["Tumour volume, cm³", f"{rng.uniform(10, 60):.1f}"],
        ["Gross total resection, n (%)", f"{int(n * 0.6)} (60.0)"],
        ["Follow-up, months (median)", f"{int(rng.integers(12, 60))}"],
    ]
    fig = _fig(w, h)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    table = ax.table(
        cellText=rows,
        colLabels=["Characteristic", f"Value (n = {n})"],
        loc="center",
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    table.scale(1, 1.4)
    caption = f"Baseline demographic and clinical characteristics of the {n} patients."
    return _to_image(fig), caption


_RENDERERS = {"bar": _bar, "survival": _survival, "flow": _flow, "table": _table}


def render_chart(
    kind: str, rng: np.random.Generator, width_px: int = 480, height_px: int = 320
) -> ChartFigure:
    """Render one non-imaging figure of ``kind`` (one of :data:`CHART_KINDS`).

    Args:
        kind: ``bar``, ``survival``, ``flow`` or ``table``.
        rng: random generator for the plotted numbers.
        width_px: image width in pixels.
        height_px: image height in pixels.

    Returns:
        The rendered figure with its caption (without label) and type.
    """
    if kind not in _RENDERERS:
        raise ValueError(f"unknown chart kind {kind!r}; expected one of {CHART_KINDS}")
    image, caption = _RENDERERS[kind](rng, width_px, height_px)
    return ChartFigure(image=image, caption=caption, figure_type=_FIGURE_TYPE[kind], kind=kind)
