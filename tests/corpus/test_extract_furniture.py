"""Running headers, footers and the graphics that recur with them."""

from __future__ import annotations

from litclip.corpus.extract.furniture import element_furniture, line_furniture, margin_notes
from litclip.corpus.extract.regions import Element
from litclip.corpus.extract.text import TextLine


def _line(text: str, y: float, x: float = 72.0) -> TextLine:
    return TextLine(text, (x, y, x + 6.0 * len(text), y + 9.0), 9.0)


def test_running_headers_recur_at_the_top_or_foot_of_pages() -> None:
    pages = [
        [
            _line(f"{n}", 44, x=54),  # the page number changes, its place does not
            _line("Trilling et al.", 44, x=273),
            _line("Running text of the page, different on each page" + "!" * n, 300),
        ]
        for n in range(12, 17)
    ]
    pages[2].append(_line("0 10 20", 70, x=200))  # tick labels of a figure at the top of a page
    furniture = line_furniture(pages, [792.0] * 5)
    assert furniture == {id(ln) for page in pages for ln in page[:2]}
    # a header on 2 of 5 pages is not enough; body text never is, even when it repeats
    assert line_furniture(pages[:2] + [[], [], []], [792.0] * 5) == set()
    same_body = [[_line("Same sentence in the middle of every page.", 300)] for _ in range(5)]
    assert line_furniture(same_body, [792.0] * 5) == set()


def test_a_running_head_naming_each_chapter_is_furniture() -> None:
    """GoldenCheetah's manual heads each page with its chapter ("Chapter 2: QUICK START
    GUIDE"): no one head is on a third of the pages, but that place holds a head on all of
    them; a head-like line that a plot's tick labels follow closely is no head."""
    chapters = ["INTRODUCTION", "QUICK START GUIDE", "RIDES", "ANALYSIS", "TRAINING"]
    pages = []
    for n in range(15):  # three pages a chapter: each head on a fifth of the pages
        head = f"Chapter {n // 3 + 1}: {chapters[n // 3]}"
        page = [_line(head, 50, x=90), _line(f"{n + 1}", 50, x=516)]
        page += [_line("Running text of the page, different on each page" + "!" * n, 90)]
        pages.append(page)
    plots = [[_line("Power output (watts)", 70), _line("0 100 200", 80)] for _ in range(3)]
    for page, plot in zip(pages[::5], plots, strict=True):
        page += plot
    furniture = line_furniture(pages, [792.0] * 15)
    assert furniture == {id(ln) for page in pages for ln in page[:2]}


def test_a_header_bar_on_every_page_is_furniture() -> None:
    pages = [
        [
            Element((0, 60, 595, 96), "image"),  # the journal's header bar
            Element((70, 100, 300, 250), "path"),  # a figure right under it, on one page
        ]
        if i == 1
        else [Element((0, 60, 595, 96), "image")]
        for i in range(4)
    ]
    assert element_furniture(pages, [842.0] * 4) == {id(page[0]) for page in pages}
    # the same picture on 2 pages of 4 (a figure reused) is not
    assert element_furniture(pages[:2] + [[], []], [842.0] * 4) == set()


def test_a_listing_carried_over_to_the_top_of_pages_is_not_furniture() -> None:
    """luadraw's manual shades each line of a code listing on a band of its own; listings
    carried over to the next page start at the same place on many pages, so their first
    bands recur in the top band: taken for furniture, the listing lost its shading and
    read as a figure over the caption under it. A band holding a line of the body is the
    body's; a header bar holding only its running head (furniture, taken out) is not."""
    band = [(45.9, 30.0 + 11.9 * k, 549.4, 42.1 + 11.9 * k) for k in range(3)]
    pages = [[Element(b, "path") for b in band] for _ in range(6)]
    code = [
        [
            _line(f"local P{n}{k} = ld.cutpolyline(P, D{k}, true)", 30.2 + 11.9 * k, x=45.9)
            for k in range(3)
        ]
        for n in range(6)
    ]
    assert element_furniture(pages, [842.0] * 6) == {id(e) for page in pages for e in page}
    assert element_furniture(pages, [842.0] * 6, all_lines=code) == set()
    # pages whose bands hold no body line (their heads taken out as furniture) keep them out
    bars = element_furniture(pages, [842.0] * 6, all_lines=[[] for _ in range(6)])
    assert bars == {id(e) for page in pages for e in page}


def test_figures_at_the_top_of_pages_are_not_furniture() -> None:
    """Each page opens with a figure at the same place: its picture (taller than the band)
    and its panel letters recur, but they are the figure's."""
    pages = [
        [
            Element((48, 62, 304, 318), "image"),
            Element((308, 62, 564, 318), "image"),
        ]
        for _ in range(5)
    ]
    letters = [[_line("A", 64, x=52), _line("B", 64, x=312)] for _ in range(5)]
    assert element_furniture(pages, [792.0] * 5) == set()
    assert line_furniture(letters, [792.0] * 5) == set()


def test_a_running_head_of_a_short_section_level_with_the_page_number_is_furniture() -> None:
    """ePiX's manual heads a page with its section ("2.5. ANIMATION"), a section of a page
    or two: its head recurs on too few pages, but it sits level with the page number where
    the other pages have their heads. A listing's first line under it stays."""
    pages = []
    for n in range(9):
        head = f"2.{n // 3 + 1}. SECTION {'ABC'[n // 3]}" if n < 8 else "2.5. ANIMATION"
        page = [_line(head, 44, x=72), _line(f"{n + 14}", 44, x=492)]
        page += [_line("Running text of the page, different on each page" + "!" * n, 300)]
        pages.append(page)
    pages[8].append(_line('#include "epix.h"', 71))
    furniture = line_furniture(pages, [792.0] * 9)
    assert furniture == {id(ln) for page in pages for ln in page[:2]}


def test_a_notice_up_the_margin_of_every_page_is_furniture() -> None:
    """Annual Reviews sets "Annu. Rev. Sociol. ... Downloaded from ... by Duke University"
    sideways in the left margin of every page; a figure beside it took it in as a y axis
    title. An axis title up a plot's side, on one page, is not furniture."""
    notice = "Annu. Rev. Sociol. 2014.40:105-128. Downloaded from www.annualreviews.org"

    def sideways(text: str, x: float, y: float = 198.0) -> TextLine:
        return TextLine(text, (x, y, x + 8.0, y + 260.0), 8.0, rotated=True)

    pages = [[sideways(notice, 2.0), _line("Running text", 300)] for _ in range(6)]
    pages[3].append(sideways("Standardized residuals", 150.0, 300.0))
    pages[4].append(sideways("position along tract", 5.0, 500.0))  # once, in the margin
    found = margin_notes(pages, [531.0] * 6)
    assert found == {id(page[0]) for page in pages}
    # the same notice set upright is no margin note (running heads are found apart)
    upright = [[_line(notice, 300, x=2.0)] for _ in range(6)]
    assert margin_notes(upright, [531.0] * 6) == set()


def test_a_running_head_numbered_in_letters_is_furniture() -> None:
    """An ACS article posted before its issue numbers its pages in letters, set at either
    end of the running head ("B J. Chem. Theory Comput.", "J. Chem. Theory Comput. C"):
    the head over a figure at the top of a page is furniture, not the figure's text."""
    letters = "ABCDEFGHIJKL"
    pages = []
    for n in range(1, 12):
        if n % 2:
            head = [
                _line(f"{letters[n]} J. Chem. Theory Comput.", 26, x=55),
                _line("Aduri et al.", 26, x=513),
            ]
        else:
            head = [
                _line("AMBER Force Field Parameters", 26, x=55),
                _line(f"J. Chem. Theory Comput. {letters[n]}", 26, x=448),
            ]
        pages.append([*head, _line(f"Running text of page {letters[n]}, not the same", 300)])
    furniture = line_furniture(pages, [792.0] * 11)
    assert furniture == {id(ln) for page in pages for ln in page[:2]}
