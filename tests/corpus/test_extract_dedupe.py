"""One figure per label, except parts of one figure set on several pages."""

from __future__ import annotations

from litclip.corpus.extract.document import _dedupe
from litclip.corpus.types import ExtractedFigure

BOX = (50.0, 50.0, 500.0, 400.0)


def fig(page: int, printed: str, rest: str = "Western blots.") -> ExtractedFigure:
    return ExtractedFigure(
        "Figure S4", "S4", page, BOX, f"{printed}. {rest}", BOX, printed_label=printed
    )


def kept(figures: list[tuple[ExtractedFigure, float]]) -> list[tuple[int, str]]:
    warnings: list[str] = []
    return [(f.page, f.printed_label) for f in _dedupe(figures, warnings)]


def test_a_weaker_caption_with_the_same_label_is_dropped() -> None:
    # an in-text line "Figure 4B. The ..." that found a region beside the real caption
    figures = [(fig(7, "Figure 4"), 4.0), (fig(9, "Figure 4B"), 1.0), (fig(8, "Figure 4"), 1.0)]
    assert kept(figures) == [(7, "Figure 4")]


def test_parts_of_a_figure_on_several_pages_are_all_kept() -> None:
    parts = [(fig(7, "Supplemental Figure 4A"), 4.0), (fig(8, "Supplemental Figure 4B"), 3.0)]
    assert kept(parts) == [(7, "Supplemental Figure 4A"), (8, "Supplemental Figure 4B")]
    continued = [(fig(7, "Figure 4"), 4.0), (fig(8, "Figure 4", "(continued) E, F."), 2.0)]
    assert kept(continued) == [(7, "Figure 4"), (8, "Figure 4")]
    # the same part twice, or a second caption on the same page, is still a duplicate
    again = [(fig(7, "Figure 4A"), 4.0), (fig(8, "Figure 4A"), 3.0), (fig(7, "Figure 4B"), 2.0)]
    assert kept(again) == [(7, "Figure 4A")]


def test_parts_of_a_figure_on_one_page_with_captions_about_as_strong_are_kept() -> None:
    """CUDA sample: "Figure 1(a) Original Image" over "Figure 1(b) Blur convolution ...",
    each a one-line caption under its own picture."""
    parts = [(fig(5, "Figure 1(a)"), 2.0), (fig(5, "Figure 1(b)"), 3.0)]
    assert sorted(kept(parts)) == [(5, "Figure 1(a)"), (5, "Figure 1(b)")]
    # "continued" is for another page
    again = [(fig(7, "Figure 4"), 4.0), (fig(7, "Figure 4", "(continued) E, F."), 3.0)]
    assert kept(again) == [(7, "Figure 4")]


def test_two_figures_numbered_alike_on_different_pages_are_both_kept() -> None:
    """PyBioMed's guide prints two different figures as "Figure 3" (pages 6 and 10), their
    captions a cue apart in strength; both are figures. A caption of one cue on another
    page, or a second on the same page, is still a duplicate."""
    twins = [(fig(10, "Figure 3", "Schematic diagram."), 4.0), (fig(6, "Figure 3"), 3.0)]
    assert kept(twins) == [(6, "Figure 3"), (10, "Figure 3")]
    weak = [(fig(10, "Figure 3", "Schematic diagram."), 4.0), (fig(6, "Figure 3"), 2.0)]
    assert kept(weak) == [(10, "Figure 3")]
    same_page = [(fig(10, "Figure 3", "Schematic diagram."), 4.0), (fig(10, "Figure 3"), 3.0)]
    assert len(kept(same_page)) == 1
