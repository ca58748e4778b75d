"""Caption labels, cleaning and sub-caption splitting (pure text, no PDFs)."""

from __future__ import annotations

import pytest

from litclip.corpus.extract.captions import (
    Caption,
    clean_caption_text,
    counted_panels,
    find_captions,
    mentioned_panels,
    page_continuation,
    parse_label,
    positioned_panels,
    split_caption,
)
from litclip.corpus.extract.text import TextLine


@pytest.mark.parametrize(
    ("text", "kind", "label", "number"),
    [
        ("Figure 3. Axial T2 image", "figure", "Figure 3", "3"),
        ("Fig. 3 Axial T2 image", "figure", "Figure 3", "3"),
        ("FIGURE 3: Axial", "figure", "Figure 3", "3"),
        ("Fig 3A Axial T2", "figure", "Figure 3", "3"),
        ("Figure S2. Supplementary plot", "figure", "Figure S2", "S2"),
        ("Supplementary Figure 4. Extra", "figure", "Figure S4", "S4"),
        ("Supplemental Figure 4A. Extra", "figure", "Figure S4", "S4"),
        ("Figure 1 Flow of participants through the trial.", "figure", "Figure 1", "1"),
        ("Figure 7", "figure", "Figure 7", "7"),
        ("Table 2. Baseline characteristics", "table", "Table 2", "2"),
        ("TABLE 4 Outcomes", "table", "Table 4", "4"),
        ("Extended Data Fig. 2 | Cohort", "figure", "Extended Data Figure 2", "ED2"),
        ("eFigure 1. Sensitivity analysis", "figure", "eFigure 1", "e1"),
        ("eTable 3. Doses", "table", "eTable 3", "e3"),
        ("Online Figure 2. Extra", "figure", "Figure S2", "S2"),
        ("Appendix Figure 1. Extra", "figure", "Appendix Figure 1", "1"),
        ("Figure A2. Appendix plot", "figure", "Figure A2", "A2"),
        ("Figure B.1: Structure of gwaa.data-class", "figure", "Figure B.1", "B.1"),
        ("Table C-2. Appendix doses", "table", "Table C-2", "C-2"),
        ("Figure 2.1 Axial T2 image", "figure", "Figure 2.1", "2.1"),
        ("Figure 2-3. Axial T2 image", "figure", "Figure 2-3", "2-3"),
        ("Fig. 1a, b Axial CT", "figure", "Figure 1", "1"),
        ("Fig. 2 a Axial T2 image. b Coronal", "figure", "Figure 2", "2"),  # Springer
        ("Fig. 2 a, b Axial CT. c Sagittal", "figure", "Figure 2", "2"),
        ("Fig. 4a\u2013c Sagittal T1", "figure", "Figure 4", "4"),
        # LibreOffice manuals set a horizontal bar after the label (XFLR5's guidelines)
        ("Figure 8 \u2015 Mass representation for the body", "figure", "Figure 8", "8"),
        ("Figure 13a & b \u2015 Polars", "figure", "Figure 13", "13"),
        ("Figure 5 \u2212 a minus sign for a dash", "figure", "Figure 5", "5"),
        ("Figura 2. Resonancia", "figure", "Figure 2", "2"),
        ("Abb. 3 Axiale MRT", "figure", "Figure 3", "3"),
        ("Tabelle 1 Patienten", "table", "Table 1", "1"),
        ("Graph 1. Distribution of patients by age", "figure", "Graph 1", "1"),
        ("Gráfico 2. Distribuição dos pacientes", "figure", "Graph 2", "2"),
        ("Şekil 3. Aksiyel T2 görüntü", "figure", "Figure 3", "3"),
        ("Figur 4. Aksial T2", "figure", "Figure 4", "4"),
        ("Rys. 5. Obraz MR", "figure", "Figure 5", "5"),
        ("Рис. 6. МРТ головного мозга", "figure", "Figure 6", "6"),
        ("图 7 头颅MRI", "figure", "Figure 7", "7"),
        ("Tableau 2 : Objectifs de production", "table", "Table 2", "2"),
        ("Tablo 1. Hasta özellikleri", "table", "Table 1", "1"),
        ("Figure IV. Histology", "figure", "Figure IV", "IV"),
        # a chapter numbered in Roman numerals (GENtle's German manual)
        ("Abbildung IV.2: Dialog", "figure", "Figure IV.2", "IV.2"),
        ("Figure XII-3. Coronal CT", "figure", "Figure XII-3", "XII-3"),
        ("F I G U R E 5. Letter-spaced label", "figure", "Figure 5", "5"),
        ("Table A: Composition of the diet", "table", "Table A", "A"),
        ("Fig. B. Map of the sites", "figure", "Figure B", "B"),
        ("Figure 1(a) Original Image", "figure", "Figure 1", "1"),
        ("Figure 3(B): Coronal CT", "figure", "Figure 3", "3"),
        ("Listing 2. Create three tasks", "listing", "Listing 2", "2"),
        ("Algorithm 1: Do we have a power-law?", "listing", "Algorithm 1", "1"),
    ],
)
def test_parse_label_accepts_captions(text: str, kind: str, label: str, number: str) -> None:
    parsed = parse_label(text)
    assert parsed is not None
    assert parsed[:3] == (kind, label, number)


@pytest.mark.parametrize(
    "text",
    [
        "Figure 3 shows the lesion on axial images",
        "Fig 3.8.top-left shows that the residual term decreases",  # rheolef's manual
        "graph3 . . . . . . . . . . . . 147",  # Asymptote's index
        "graph1: The first graph, may be directed or undirected.",  # igraph's arguments
        "Graph1: same same same adj adj adj",  # nauty's program output
        "graph 2 is the second one",
        "Figure 3 . . . . . . . . . . . . 12",  # a list of figures without titles
        "Figures 3 and 4 show the lesion",
        "Figure 3, the lesion is visible",
        "as shown in Figure 3. The lesion",
        "(Figure 3). The lesion",
        "Figured out that the lesion",
        "Table 2 lists the outcomes",
        "Fig. 1a, b show the lesion",
        "Fig. 2 a shows the lesion",
        "Figure 2.1 shows the lesion",
        "Extended Data Figs. 1 and 2 show",
        "Tables:",
        "Table A shows the diet",
        "Figure 1(b) shows the effect of a filter",
        "Graphic Annotation Module",  # a word that starts like a label: not "Graph i"
        "Graphix annotations",
        "Listings 2 and 3 show the code",
        "Fig1.png Figure used in the thesis",  # a file's name, listed in a table
        "Figure2.eps",
        "Algorithm 1 computes the statistic",
    ],
)
def test_parse_label_rejects_in_text_references(text: str) -> None:
    assert parse_label(text) is None


def test_printed_label_is_kept() -> None:
    assert parse_label("Fig. 12. Something")[3] == "Fig. 12"  # type: ignore[index]
    assert parse_label("F I G U R E 5. Spaced")[3] == "F I G U R E 5"  # type: ignore[index]
    shared, parts = split_caption("F I G U R E 5. Spine. (A) Axial. (B) Sagittal.", "F I G U R E 5")
    assert shared == "Spine." and parts == {"A": "Axial.", "B": "Sagittal."}


@pytest.mark.parametrize(
    "caption, printed",
    [
        ("Figure 1A–C. (A) Axial T2. (B) Sagittal T1. (C) Coronal FLAIR.", "Figure 1A–C"),
        ("Fig. 2a, b (a) Axial CT (b) Coronal CT (c) none", "Fig. 2a, b"),
    ],
)
def test_panel_letters_listed_after_the_number_are_part_of_the_label(
    caption: str, printed: str
) -> None:
    """ "Figure 1A–C." must not leave "C." behind as the caption's shared part."""
    assert parse_label(caption)[3] == printed  # type: ignore[index]
    shared, parts = split_caption(caption, printed)
    assert shared == "" and parts["A"].startswith("Axial") and parts["B"]


def test_clean_caption_dehyphenates_ligatures_and_whitespace() -> None:
    lines = [
        "Figure 3. Mean and standard devi-",
        "ation of the \ufb02ow   rate",
        "at base-",
        "Line.",
    ]
    assert (
        clean_caption_text(lines)
        == "Figure 3. Mean and standard deviation of the flow rate at base-Line."
    )


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["Reads from Swiss-", "Prot (2019)."], "Reads from Swiss-Prot (2019)."),
        (["Lungs after SARS-CoV-", "2 infection."], "Lungs after SARS-CoV-2 infection."),
        (["Axial T2-", "weighted image."], "Axial T2-weighted image."),
        (["Imaging pre-", "and post-operative."], "Imaging pre- and post-operative."),
        (["Axial CT in the pre-", "operative period."], "Axial CT in the preoperative period."),
        (["Arrows -", "lesion."], "Arrows - lesion."),
    ],
)
def test_clean_caption_joins_hyphens_at_line_ends(lines: list[str], joined: str) -> None:
    """A hyphen at a line's end before a capital or a digit (or after one) joins a compound;
    before "and"/"or" it waits for the word after (a suspended hyphen)."""
    assert clean_caption_text(lines) == joined


def test_clean_caption_keeps_a_compound_the_caption_writes_with_its_hyphen() -> None:
    """JFMS: "(a) smooth-edged, non-|fenestrated; (b) serrated-|edged, non-fenestrated":
    the caption writes "non-fenestrated" and "-edged" whole elsewhere, so the breaks keep
    their hyphens. A word broken across lines joins even beside compounds, and joins
    when the caption writes it joined elsewhere."""
    lines = [
        "Figure 6 Different types of biopsy forceps: (a) smooth-edged, non-",
        "fenestrated; (b) serrated-",
        "edged, non-fenestrated; (c) smooth-edged fene-",
        "strated without central spike",
    ]
    assert clean_caption_text(lines) == (
        "Figure 6 Different types of biopsy forceps: (a) smooth-edged, non-fenestrated; "
        "(b) serrated-edged, non-fenestrated; (c) smooth-edged fenestrated without central spike"
    )
    assert clean_caption_text(["Axial non-", "enhanced CT; nonenhanced MRI."]) == (
        "Axial nonenhanced CT; nonenhanced MRI."
    )
    assert clean_caption_text(["T2-weighted devi-", "ation"]) == "T2-weighted deviation"
    assert clean_caption_text(["Hospital-acquired or ac-", "quired later"]) == (
        "Hospital-acquired or acquired later"
    )
    assert clean_caption_text(["In-plane view in-", "creased"]) == "In-plane view increased"


def test_clean_caption_keeps_real_hyphens_inside_lines() -> None:
    assert clean_caption_text(["T2-weighted follow-up", "image"]) == "T2-weighted follow-up image"


def test_no_space_inside_brackets_hides_a_panel_marker() -> None:
    """pdfium reads an italic "(b)" set sideways as "( b)"; a line break after "(" joins as
    "( c)": either way the marker names its panel."""
    text = clean_caption_text(
        ["Fig. 2. Frogs. (a) Adult male; ( b) female with tadpoles [ 12 ]; (", "c) tadpoles."]
    )
    assert text == "Fig. 2. Frogs. (a) Adult male; (b) female with tadpoles [12]; (c) tadpoles."
    assert list(split_caption(text, "Fig. 2")[1]) == ["A", "B", "C"]


def test_split_parenthesised_upper() -> None:
    shared, parts = split_caption(
        "Figure 2. Glioblastoma. (A) Axial T2 image. (B) Coronal FLAIR. (C) Contrast T1.",
        "Figure 2",
    )
    assert shared == "Glioblastoma."
    assert parts == {"A": "Axial T2 image.", "B": "Coronal FLAIR.", "C": "Contrast T1."}


def test_split_a_run_that_ends_in_another_style() -> None:
    """A proteomics draft's Figure 2: "(A) ... (H) Spot boundaries. ... I: Intensity
    profile ...": the ninth panel is marked in another style at a sentence start. A letter
    that merely follows in a sentence ("see I") continues nothing."""
    cap = (
        "Figure 2. Steps of spot detection. (A) Original image. (B) Directions image. "
        "(C) Beads image, as in H. I: Intensity profile along the white line drawn in A."
    )
    shared, parts = split_caption(cap, "Figure 2")
    assert list(parts) == ["A", "B", "C"]  # D is not I
    cap = cap.replace(
        "(C) Beads image, as in H.",
        "(C) Beads. (D) Paths. (E) Select. (F) Odds. (G) Numbers. (H) Spot boundaries, see C.",
    )
    shared, parts = split_caption(cap, "Figure 2")
    assert list(parts) == list("ABCDEFGHI")
    assert parts["H"] == "Spot boundaries, see C."
    assert parts["I"] == "Intensity profile along the white line drawn in A."
    assert list(split_caption(cap.replace(" I: ", " See I for "), "Figure 2")[1]) == list(
        "ABCDEFGH"
    )


def test_split_comma_semicolon_style() -> None:
    shared, parts = split_caption(
        "Figure 4. A, axial CT shows a mass; B, MRI confirms it.", "Figure 4"
    )
    assert shared == ""
    assert parts == {"A": "axial CT shows a mass", "B": "MRI confirms it."}


def test_split_letters_with_a_parenthesis_after_and_or_a_comma() -> None:
    """Rythmos' "a) Butcher Tableau and b) Order of accuracy ..." and "...: a) 10-2, b)
    10-3, c) 10-4, and d) 10-5."; letters named in a sentence cut no sub-captions."""
    shared, parts = split_caption(
        "Figure 2. a) Butcher Tableau and b) Order of accuracy for the SinCos Problem.",
        "Figure 2.",
    )
    assert shared == ""
    assert parts == {"A": "Butcher Tableau", "B": "Order of accuracy for the SinCos Problem."}
    shared, parts = split_caption(
        "Figure 12. Solution for relative errors: a) 10-2, b) 10-3, c) 10-4, and d) 10-5.",
        "Figure 12.",
    )
    assert shared == "Solution for relative errors:"
    assert parts == {"A": "10-2", "B": "10-3", "C": "10-4", "D": "10-5."}
    assert split_caption("Figure 1. Values of a) and b) are shown.", "Figure 1.")[1] == {}


def test_split_a_last_letter_after_a_semicolon_and_and() -> None:
    """GenABEL's Figure 6.6: "A) ...; B) ...; and C) .... D) ..."; an author list's
    ", and A. Smith" stays no marker."""
    shared, parts = split_caption(
        "Figure 6.6: Three levels are shown: A) inter-continental; B) intra-continental; "
        "and C) inside a single country. D) European map of the samples.",
        "Figure 6.6",
    )
    assert shared == "Three levels are shown:"
    assert parts == {
        "A": "inter-continental",
        "B": "intra-continental",
        "C": "inside a single country.",
        "D": "European map of the samples.",
    }
    assert split_caption("Figure 2: By J. Doe, and A. Smith. B. Other", "Figure 2")[1] == {}


def test_split_letters_followed_by_a_dash() -> None:
    caption = (
        "Figure 1. a \u2013 camera looking at a moving object; b \u2013 optical flow field "
        "(zero vectors are not shown); c \u2013 left view of object from a; d \u2013 right view"
    )
    shared, parts = split_caption(caption, "Figure 1")
    assert shared == ""
    assert parts == {
        "A": "camera looking at a moving object",
        "B": "optical flow field (zero vectors are not shown)",
        "C": "left view of object from a",
        "D": "right view",
    }


def test_split_lowercase_letters() -> None:
    shared, parts = split_caption("Fig. 1. Frogs. (a) lateral view (b) dorsal view", "Fig. 1")
    assert shared == "Frogs."
    assert list(parts) == ["A", "B"] and parts["B"] == "dorsal view"
    printed: dict[str, str] = {}
    split_caption("Fig. 1. Frogs. (a) lateral view (b) dorsal view", "Fig. 1", printed)
    assert printed == {"A": "a", "B": "b"}
    split_caption("Fig. 1. Frogs. A, lateral view; B, dorsal view", "Fig. 1", printed)
    assert printed == {"A": "A", "B": "B"}


def test_split_letters_followed_by_a_colon() -> None:
    caption = "Figure 2: Statistics. (a): Sentences per paragraph. (b): Tokens per sentence."
    shared, parts = split_caption(caption, "Figure 2:")
    assert shared == "Statistics."
    assert parts == {"A": "Sentences per paragraph.", "B": "Tokens per sentence."}


def test_split_drops_the_conjunction_before_the_next_letter() -> None:
    _, parts = split_caption("Figure 1. (a) The data cycle [14]; and (b) the matrix.", "Figure 1.")
    assert parts == {"A": "The data cycle [14]", "B": "the matrix."}
    # the conjunction joining two panels' parts without a comma is no content either
    shared, parts = split_caption(
        "Fig. 6. Kaplan-Meier curves for (a) overall survival and (b) progression-free survival.",
        "Fig. 6",
    )
    assert shared == "Kaplan-Meier curves for"
    assert parts == {"A": "overall survival", "B": "progression-free survival."}


def test_split_requires_sequence_from_a() -> None:
    # "(B)" alone or references like "(see C)" are not a panel list
    shared, parts = split_caption("Figure 5. Mass in segment (B) of the liver.", "Figure 5")
    assert parts == {} and shared == "Mass in segment (B) of the liver."


def test_elife_figure_supplement_is_its_own_label() -> None:
    parsed = parse_label("Figure 3\u2014figure supplement 2. Extra quantification.")
    assert parsed is not None
    assert parsed[1:3] == ("Figure 3\u2014figure supplement 2", "3-S2")


def test_split_grouped_markers_share_their_sub_caption() -> None:
    # JNS style "C and D:", ranges "(A-C)", lists "(A, B)"
    shared, parts = split_caption(
        "FIG. 2. Preoperative MR images. A: Axial T1 image. B: Sagittal T2 image. "
        "C and D: Postoperative images.",
        "FIG. 2",
    )
    assert shared == "Preoperative MR images."
    assert parts == {
        "A": "Axial T1 image.",
        "B": "Sagittal T2 image.",
        "C": "Postoperative images.",
        "D": "Postoperative images.",
    }
    _, parts = split_caption("Figure 10. (A\u2013C) Axial MRI at three levels. (D) Sagittal.")
    assert list(parts) == ["A", "B", "C", "D"] and parts["B"] == "Axial MRI at three levels."
    _, parts = split_caption("Figure 11. (A, B) Preoperative CT. (C) Postoperative CT.")
    assert parts == {"A": "Preoperative CT.", "B": "Preoperative CT.", "C": "Postoperative CT."}


def test_a_letter_marked_again_after_its_group_adds_to_the_group_sub_caption() -> None:
    shared, parts = split_caption(
        "FIGURE 1. TEM micrographs: (A) cell boundary; (B) at 17 h; (C, D) at 0.8 mM and 17 h; "
        "(D) diffraction pattern of Au; (E, F) at 7.6 mM. (F) Twinned pattern.",
        "FIGURE 1",
    )
    assert parts["C"] == "at 0.8 mM and 17 h"
    assert parts["D"] == "at 0.8 mM and 17 h; diffraction pattern of Au"
    assert parts["E"] == "at 7.6 mM." and parts["F"] == "at 7.6 mM. Twinned pattern."
    _, parts = split_caption("Figure 2. (a\u2013c) MRI at 3 months: (a) T1, (b) T2. (d) CT.")
    assert parts["A"] == "MRI at 3 months: T1" and parts["D"] == "CT."
    # a letter referred to inside the group's sentence is no marker
    _, parts = split_caption("Figure 2. (A, B) T2 images, larger in (B) than in (A). (C) CT.")
    assert parts["B"] == "T2 images, larger in (B) than in (A)."


def test_split_springer_bare_letters() -> None:
    printed: dict[str, str] = {}
    shared, parts = split_caption(
        "Fig. 9 a\u2013c Axial MRI at three levels. d Sagittal view.", "Fig. 9", printed
    )
    assert shared == "" and list(parts) == ["A", "B", "C", "D"]
    assert parts["C"] == "Axial MRI at three levels." and parts["D"] == "Sagittal view."
    assert printed == {"A": "a", "B": "b", "C": "c", "D": "d"}
    # an article or a sentence start is no panel letter
    for text in (
        "Figure 12. Results of a Kaplan-Meier analysis. A Cox model was used.",
        "Figure 1. a 45-year-old man with headache.",
    ):
        assert split_caption(text, "Figure")[1] == {}


def test_letters_inside_a_sentence_name_panels_without_sub_captions() -> None:
    body = "Imaging before (a) and after (b) surgery."
    assert split_caption(f"Fig. 6 {body}", "Fig. 6") == (body, {"A": "", "B": ""})
    body = "Patient positioning (a) as well as positioning of the monitor (b). Images courtesy."
    assert split_caption(f"Figure 5 {body}", "Figure 5") == (body, {"A": "", "B": ""})
    # "(d) and right hand (e)": five panels named, no pieces of sentence as sub-captions
    shared, parts = split_caption(
        "Fig. 1. Frog in (a) lateral, (b) dorsal, and (c) ventral view. Views of the foot (d) "
        "and hand (e) are also shown.",
        "Fig. 1",
    )
    assert list(parts) == list("ABCDE") and set(parts.values()) == {""}
    assert shared.startswith("Frog in (a) lateral")
    # the last letter closes the caption ("... in (c)."): it names a panel too
    body = (
        "Clusters with 3 medoids in (a). A modified data set in (b) and when applying "
        "trimming in (c)."
    )
    assert split_caption(f"Figure 5: {body}", "Figure 5") == (body, dict.fromkeys("ABC", ""))


def test_letters_inside_a_sentence_give_way_to_markers_of_another_style() -> None:
    # JNS: "A and B:" heads the sub-caption, "(A)" and "(B)" are mentions inside it
    printed: dict[str, str] = {}
    shared, parts = split_caption(
        "FIG. 10. Case 2. A and B: Preoperative axial (A) and coronal (B) MR images. "
        "C: Postoperative CT.",
        "FIG. 10.",
        printed,
    )
    assert shared == "Case 2."
    assert parts["A"] == parts["B"] == "Preoperative axial (A) and coronal (B) MR images."
    assert parts["C"] == "Postoperative CT."
    assert printed == {"A": "A", "B": "B", "C": "C"}
    # with no other style the mentions still name the panels (and nothing is printed twice)
    printed = {}
    assert split_caption("Fig. 6 Before (a) and after (b) surgery.", "Fig. 6", printed)[1] == {
        "A": "",
        "B": "",
    }
    assert printed == {"A": "a", "B": "b"}


def test_split_positions_in_reading_order() -> None:
    printed: dict[str, str] = {}
    shared, parts = split_caption(
        "FIG. 8. Four sequences. Lower Right: DWI. Upper Left: T1. Upper Right: T2. "
        "Lower Left: FLAIR.",
        "FIG. 8",
        printed,
    )
    assert shared == "Four sequences."
    assert parts == {"D": "DWI.", "A": "T1.", "B": "T2.", "C": "FLAIR."}
    assert printed["A"] == "upper left" and printed["D"] == "lower right"
    _, parts = split_caption("FIG. 7. Left: Preoperative CT. Right: Postoperative CT.", "FIG. 7")
    assert parts == {"A": "Preoperative CT.", "B": "Postoperative CT."}
    _, parts = split_caption("Figure 4 Left, axial CT. Right, coronal reconstruction.", "Figure 4")
    assert parts == {"A": "axial CT.", "B": "coronal reconstruction."}
    # one position with a comma opens a sentence ("Left, the lesion ..."): no panels
    assert split_caption("FIG. 5. Left, the lesion shrank. It grew.", "FIG. 5")[1] == {}
    # a position in running prose, or the same position twice, names no panels
    assert split_caption("FIG. 3. The mass on the left: large. Right: lateral.", "FIG. 3")[1] == {}
    assert split_caption("FIG. 4. Left: one. Left: two.", "FIG. 4")[1] == {}


def _ln(text: str, y: float, x: float = 72.0, size: float = 12.0) -> TextLine:
    return TextLine(text, (x, y, 520.0, y + size), size)


def _piece(text: str, box: tuple[float, float, float, float], size: float) -> TextLine:
    """A piece of a line at its own box (a row split at a formula)."""
    return TextLine(text, box, size, [False] * len(text))


def _legend(*texts: str, y: float = 700.0) -> Caption:
    lines = [_ln(t, y + 28 * k) for k, t in enumerate(texts)]
    return Caption("figure", "Figure 4", "4", "Figure 4:", lines)


NEXT_PAGE = [
    _ln("424", 96, x=33, size=9),  # a line number: another column and size
    _ln("in % bone formation as the gap size increases, with the 1.5mm gap", 96),
    _ln("showing more cartilage.", 124),
    _ln("Figure 5: Line graph of the construct stiffness.", 152),
]


def test_a_legend_cut_mid_sentence_runs_on_at_the_top_of_the_next_page() -> None:
    cap = _legend("Figure 4: Quantitative data from the osteotomy, showing the mean reduction")
    cap.continued = page_continuation(cap, cap.lines, NEXT_PAGE)
    assert [ln.text for ln in cap.continued] == [NEXT_PAGE[1].text, "showing more cartilage."]
    assert cap.text.endswith(
        "the mean reduction in % bone formation as the gap size "
        "increases, with the 1.5mm gap showing more cartilage."
    )
    assert cap.bbox[1] == 700.0  # the box stays on the caption's own page


def test_a_legend_runs_on_only_when_cut_off() -> None:
    whole = _legend("Figure 4: Quantitative data from the osteotomy.")
    assert page_continuation(whole, whole.lines, NEXT_PAGE) == []
    # text of the caption's size below it on its page: not at the foot of the page
    cut = _legend("Figure 4: Quantitative data from the osteotomy, showing the")
    body = [*cut.lines, _ln("Running text continues here", 760)]
    assert page_continuation(cut, body, NEXT_PAGE) == []
    # the next page starts with a new legend, or never ends the sentence
    assert page_continuation(cut, cut.lines, NEXT_PAGE[3:]) == []
    assert page_continuation(cut, cut.lines, [_ln("a heading without end", 96)]) == []


def test_panels_mentioned_out_of_order_are_counted() -> None:
    caption = (
        "Figure 3 | Gate. (a), (b), and (e) are the infidelity. (c), (d), and (f) are the same."
    )
    assert mentioned_panels(caption) == 6
    assert mentioned_panels("Figure 2. Scans before (a) and after (b) surgery.") == 2
    # a gap in the run, mixed case, or a lone letter names no panels
    assert mentioned_panels("Figure 2. Types (a) and (c).") == 0
    assert mentioned_panels("Figure 1. (A) x; (B) y; (C, D) z; (D) w; (E and F) v.") == 6
    assert mentioned_panels("Figure 1. (A\u2013C) x; (D) y.") == 4
    assert mentioned_panels("Figure 2. (A) Axial and (b) coronal.") == 0
    assert mentioned_panels("Figure 2. The (a) group.") == 0


def _row_line(
    text: str,
    x0: float,
    y0: float,
    x1: float,
    bold: bool = False,
    size: float = 8.5,
    height: float | None = None,
) -> TextLine:
    """A line in ``size`` points, its box ``height`` tall (the size unless given)."""
    box = (x0, y0, x1, y0 + (size if height is None else height))
    return TextLine(text, box, size, [bold] * len(text))


def test_a_caption_line_split_at_a_formula_stays_whole() -> None:
    """A caption row split into two pieces at a formula ("~r(0)"), the second running a
    little past the first line's right edge, is all caption; the next column is not."""
    lines = [
        _row_line("Figure 1 | Crystal structure and distance. (a) Average", 304, 186, 531, True),
        _row_line("positions r", 304, 197, 342),
        _row_line("(0) of 127 ions in a planar crystal. Breathing oscillations", 341, 197, 551),
        _row_line("Running text of the next column", 562, 197, 800),
        _row_line("these average positions occur due to micromotion.", 304, 207, 539),
    ]
    (cap,) = find_captions(lines, 10.0)
    assert cap.text.endswith(
        "(a) Average positions r (0) of 127 ions in a planar crystal. Breathing oscillations "
        "these average positions occur due to micromotion."
    )


def test_a_caption_going_on_in_typewriter_type_keeps_its_line() -> None:
    """TUGboat: "Figure 3: Example for \\listplot with a redefined" goes on with its last
    word alone, "ScalePoints", in typewriter type that reads 8.97 pt to the caption's 9.96
    (a tenth smaller and a little more). Mid-
    sentence, the smaller fixed-width line is the caption's; after a full stop it is not
    (a listing set under a caption)."""
    first = TextLine(
        "Figure 3: Example for \\listplot with a redefined", (304.0, 300.0, 551.0, 310.0), 9.963
    )
    first.bold = [True] * 9 + [False] * (len(first.text) - 9)
    word = TextLine("ScalePoints", (304.0, 311.5, 360.0, 320.5), 8.966, mono=True)
    (cap,) = find_captions([first, word], 10.0)
    assert cap.text.endswith("with a redefined ScalePoints")
    ended = TextLine(first.text + ".", first.bbox, 9.963, first.bold + [False])
    (cap,) = find_captions([ended, word], 10.0)
    assert not cap.text.endswith("ScalePoints")


def test_a_caption_over_a_plot_does_not_go_down_its_axis() -> None:
    """luadraw's manual sets "Figure 29: Illustrate a linear programming exercise" right over
    its plot; the y axis' tick labels under it, one tall math glyph box after another
    (29.5 pt for a 10 pt font), each centred under the caption, had grown the caption down
    the whole plot. A glyph or two alone on a drawing is no caption line; a word going on
    is, and so is a page number set over the caption's line off any drawing (hexbin's
    "Figure 2:" with "10" over it)."""
    first = TextLine(
        "Figure 29: Illustrate a linear programming exercise", (166.0, 412.1, 378.3, 424.1), 10.0
    )
    ticks = [TextLine("\U0001d466", (281.4, 422.9, 287.1, 452.4), 10.0)]  # the axis' y
    ticks += [
        TextLine(t, (260.7, 441.0 + 28.4 * k, 265.7, 470.5 + 28.4 * k), 10.0)
        for k, t in enumerate("432")
    ]
    plot = [(130.4, 424.8, 413.9, 708.3)]
    (cap,) = find_captions([first, *ticks], 10.0, graphics=plot)
    assert cap.bbox == first.bbox
    word = TextLine("with two constraints", (225.0, 425.5, 320.0, 437.5), 10.0)
    (cap,) = find_captions([first, word, *ticks[1:]], 10.0, graphics=plot)
    assert cap.text.endswith("exercise with two constraints")
    assert cap.bbox[3] == word.bbox[3]
    label = TextLine("Figure 2:", (283.8, 689.8, 323.0, 698.6), 10.0)
    number = TextLine("10", (300.6, 695.7, 310.6, 704.6), 10.0)
    (cap,) = find_captions([label, number], 10.0, graphics=[(168.5, 135.7, 425.2, 670.0)])
    assert cap.bbox[3] == number.bbox[3]


def test_a_caption_row_goes_on_through_a_formula_in_a_math_font() -> None:
    """luadraw's manual: "Figure 1: Saddle point at M(0, 0, 0) (z = x2 - y2)", its formulas
    in an OpenType math font whose glyph boxes run 29.5 pt down from the row's top: their
    centres sat low, off the row, and the caption ended at "Saddle point at" (the formulas
    then joined the drawing under the caption, whose box took the caption in). A tall box
    whose top is off the row's is no piece of it."""
    first = TextLine("Figure 1: Saddle point at", (198.2, 232.0, 300.9, 243.9), 10.0)
    pieces = [
        TextLine("\U0001d440(0, 0, 0)", (303.0, 231.4, 342.8, 260.9), 10.0),
        TextLine("(", (344.9, 232.0, 348.4, 243.9), 10.0),
        TextLine("\U0001d467 = \U0001d4652 \u2212 \U0001d4662", (348.4, 231.4, 393.1, 260.9), 10.0),
        TextLine(")", (393.7, 232.0, 397.1, 243.9), 10.0),
    ]
    (cap,) = find_captions([first, *pieces], 10.0)
    assert cap.text == "Figure 1: Saddle point at M(0, 0, 0) (z = x2 \u2212 y2)"  # NFKC
    # the formula's deep box does not push the block's foot down past the next line
    # (hypergeo's Figure 1 had lost its second line)
    row = [
        TextLine("Figure 1: View of the function 2F1", (81.0, 557.5, 270.0, 568.4), 10.9),
        TextLine("(z)", (290.2, 556.4, 305.2, 582.6), 10.9),
        TextLine("evaluated over a part of the complex plane", (310.0, 557.5, 522.0, 568.4), 10.9),
        TextLine(
            "using the hypergeo package. Function visualization", (81.0, 571.0, 522.0, 581.9), 10.9
        ),
        TextLine(
            "package (Hankin 2006); hue corresponds to argument", (81.0, 584.6, 518.4, 595.5), 10.9
        ),
    ]
    (cap,) = find_captions(row, 10.9)
    assert "plane using the hypergeo package. Function visualization package" in cap.text
    low = TextLine("\U0001d440(0, 0, 0)", (303.0, 240.0, 342.8, 269.5), 10.0)  # top off the row
    (cap,) = find_captions([first, low], 10.0)
    assert cap.text == "Figure 1: Saddle point at"


def test_a_caption_row_set_as_a_description_list_is_read_in_order() -> None:
    """ "Top row:" then, after a tab stop, its text running past the caption's short first
    line: the text follows its term, before the next row's."""
    size = 11.96
    lines = [
        TextLine("Figure 2: The linpreds argument.", (85.0, 345.9, 264.8, 357.9), size),
        TextLine("Top row:", (85.0, 360.4, 130.3, 372.3), size),
        TextLine("Standard earth model of the trees data.", (152.9, 360.4, 357.4, 372.3), size),
        TextLine("Bottom row: Same, with Height linear.", (85.0, 374.8, 483.3, 386.8), size),
    ]
    (cap,) = find_captions(lines, size)
    assert cap.text == (
        "Figure 2: The linpreds argument. Top row: Standard earth model of the trees data. "
        "Bottom row: Same, with Height linear."
    )
    # code after a prompt is no list item's text ("> title('Comparing ...')" in R's output)
    lines[1:3] = [
        TextLine(">", (85.0, 360.4, 91.5, 372.3), size, mono=True),
        TextLine("title('Comparing true theta')", (104.6, 360.4, 357.4, 372.3), size, mono=True),
    ]
    assert "title(" not in find_captions(lines, size)[0].text


def test_a_hanging_indent_with_no_margin_line_goes_on_when_its_line_stands_alone() -> None:
    """Tracy's manual: two plots side by side on a page of figures only. "Figure 11: Plot
    of ... modes" goes on under "Plot" with "(see table 7)."; nothing else on the page starts
    at its label, and the caption beside it has a line on the same row, past its end."""
    first = _row_line(
        "Figure 11: Plot of trace sizes for different compression modes", 63.6, 346.3, 285.9
    )
    hung = _row_line("(see table 7).", 106.1, 357.8, 150.7)
    beside = _row_line("different compression modes (see table 7).", 347.8, 357.8, 495.3)
    (cap,) = find_captions([first, hung, beside], 10.0)
    assert cap.text.endswith("modes (see table 7).")
    # a table's row under a centred caption has cells beside its first: no hanging indent
    cell = _row_line("0.25", 200.0, 357.8, 220.0)
    (cap,) = find_captions([first, hung, cell], 10.0)
    assert cap.text.endswith("modes")


def test_a_caption_printed_in_two_languages_is_one_caption() -> None:
    """A Chinese thesis prints "图 1.1 ..." centred over "Figure 1.1 ...", a blank line
    apart: one caption (the same figure), not a second one that loses its figure."""
    zh = _row_line("图 1.1 基于知识图谱的电影推荐系统", 234.0, 258.0, 375.0, size=9.0)
    en = _row_line(
        "Figure 1.1 Knowledge graph enhanced movie recommendation system", 171, 282, 439, size=9.0
    )
    (cap,) = find_captions([zh, en], 12.0)
    assert cap.label == "Figure 1.1"
    assert cap.text.endswith(
        "推荐系统 Figure 1.1 Knowledge graph enhanced movie recommendation system"
    )
    # the same word again is another caption (a figure and its continuation, a list)
    again = _row_line("Figure 1.1 Knowledge graph, continued", 171, 282, 400, size=9.0)
    first = _row_line("Figure 1.1 Knowledge graph of the movies", 171, 258, 420, size=9.0)
    assert len(find_captions([first, again], 12.0)) == 2


def test_a_bold_caption_ends_where_a_paragraph_runs_on_under_it() -> None:
    """ACM sets captions in bold, tight over the running text: "... (b) 10 threads." then
    "defined for each bin, the density ...", a paragraph carried over from the column
    before, in the regular face and lower case. A regular description under a bold title
    (JAMA's "Figure 2. Title." then "Shown are ...") goes on."""
    first = _row_line("Figure 3: RePlAce runtime breakdown in percentages on", 53, 300, 294, True)
    second = _row_line(
        "bigblue4 (2 million cells). (a) 1 thread; (b) 10 threads.", 53, 310, 290, True
    )
    body = _row_line("defined for each bin, the density gradient of each cell is the", 53, 320, 294)
    (cap,) = find_captions([first, second, body], 9.0)
    assert cap.text.endswith("(b) 10 threads.")
    described = _row_line(
        "Shown are the curves of each group over the thirty months.", 53, 320, 294
    )
    (cap,) = find_captions([first, second, described], 9.0)
    assert cap.text.endswith("thirty months.")


def test_a_label_alone_then_a_tab_stop_is_one_caption_row() -> None:
    """NVIDIA's Cg manual sets "Fig. 5." then, after a tab stop 2.2 font sizes wide, the
    caption's text: pdfium splits the row there. Read as a label alone the caption was
    taken to head a figure under it, and went to the next page's code listing."""
    size = 10.98
    lines = [
        TextLine("Fig. 5.", (111.0, 492.0, 141.0, 505.0), size),
        TextLine("Example of Improved Skinning", (165.0, 492.0, 313.0, 505.0), size),
    ]
    (cap,) = find_captions(lines, size)
    assert cap.text == "Fig. 5. Example of Improved Skinning"
    # text past a tab stop's reach on the row is not the caption's
    far = TextLine("Example of Improved Skinning", (180.0, 492.0, 328.0, 505.0), size)
    assert find_captions([lines[0], far], size)[0].text == "Fig. 5."


def test_the_next_column_across_a_narrow_gutter_is_not_the_caption() -> None:
    """A caption in the left column whose first row ends short of the column edge ("ex-"),
    in the running text's size (10.9 pt), beside a right column only 18 points away (LAC
    template): that column's row goes on from the row above it and stays out of the caption."""

    def line(text: str, x0: float, y0: float, x1: float) -> TextLine:
        return _row_line(text, x0, y0, x1, size=10.9, height=9.7)

    lines = [
        line("all recent Faust releases, otherwise you can also", 315, 639.4, 540),
        line("Figure 3: Screenshot of the Karplus-Strong ex-", 72, 652, 293.4),
        line("find a copy of the file in the Q-Faust distribution", 315, 652, 540),
        line("ample generated with the jack-gtk.cpp archi-", 72, 664.6, 297),
        line("tarball.", 315, 664.6, 349.6),
        line("tecture", 72, 677.1, 105.4),
    ]
    (cap,) = find_captions(lines, 10.9)
    assert cap.text == (
        "Figure 3: Screenshot of the Karplus-Strong example generated with the jack-gtk.cpp "
        "architecture"
    )


def test_a_first_row_split_after_a_superscript_stays_whole() -> None:
    """Elsevier's "(3 μm2) showing the": the row splits after the superscript and the
    second piece's box starts a hair inside the first's; both are the caption."""
    lines = [
        _row_line(
            "Fig. 5. (a) Two- and (b) three-dimensional AFM images (3 μm2", 311.5, 731, 516.94, True
        ),
        _row_line(") showing the", 516.93, 731, 562.6),
        _row_line("surface morphology of a GaInP/GaAs SC structure.", 311.5, 740, 464.4),
    ]
    (cap,) = find_captions(lines, 10.0)
    assert cap.text.endswith("(3 μm2) showing the surface morphology of a GaInP/GaAs SC structure.")
    assert cap.bbox[2] == pytest.approx(562.6)


def test_a_first_row_split_at_a_superscript_over_a_subscript_stays_whole() -> None:
    """Pattern Recognition's "the point p_3^0 on the Bézier": the superscript 3 is set over
    the subscript 0, so the row's second piece starts 3.6 pt back inside the first; it was
    left out of the caption and read as text of the figure above, which then overlapped the
    caption and lost it (Fig. 2 was missed)."""
    lines = [
        _row_line("Fig. 2. The recursive interpolation to produce the point p0", 32.5, 404, 233.3),
        _row_line("3 on the Bézier", 229.7, 404, 283.6),
        _row_line("curve.", 32.5, 414, 52.1),
    ]
    (cap,) = find_captions(lines, 10.0)
    assert cap.text.endswith("the point p0 3 on the Bézier curve.")
    assert cap.bbox[2] == pytest.approx(283.6)


def test_a_row_squeezed_by_a_square_root_keeps_the_caption_going() -> None:
    """A square root's bar reads as "ffiffiffi" on a squeezed line; the row goes on after
    it and the caption continues on the next line."""
    lines = [
        _row_line(
            "Figure 2 | Nearest neighbor quantum gate in a planar crystal. Two", 43, 666, 285
        ),
        _row_line("laser beams exert a force. The Lamb-Dicke", 43, 676, 292),
        TextLine("parameter gz~Dk ffiffiffiffiffiffiffiffiffi", (43, 687, 142, 692), 8.5),
        _row_line("<0.029. Other parameters are the same as in", 142, 689, 292),
        _row_line("the first figure, with more text.", 43, 699, 200),
    ]
    (cap,) = find_captions(lines, 10.0)
    assert cap.text.endswith(
        "The Lamb-Dicke parameter gz~Dk <0.029. Other parameters are the same as in the "
        "first figure, with more text."
    )


def test_split_skips_references_to_panels_and_reads_letter_ranges() -> None:
    caption = (
        "FIG. 3. Evolution. (a) Pressure, following the steps shown in panel (b). (b) Density, "
        "as in Fig. 2(b) before. (c)\u2013(f) Atomic configurations [panel (e)]."
    )
    shared, parts = split_caption(caption, "FIG. 3.")
    assert shared == "Evolution."
    assert parts["A"] == "Pressure, following the steps shown in panel (b)."
    assert parts["B"] == "Density, as in Fig. 2(b) before."
    assert parts["C"] == parts["F"] == "Atomic configurations [panel (e)]."


def test_a_label_alone_on_its_line_under_a_figure_is_a_caption() -> None:
    """ "Figure 1" centred under a drawing, in body type and weight: a caption. A bare
    label inside running text or with panel letters (a title inside a figure) is not."""
    body = [
        _ln("une posture défensive. L'allure du personnage évoque la peur", 220 + 13.5 * k)
        for k in range(3)
    ]
    alone = TextLine("Figure 1", (198.0, 585.0, 234.0, 597.0), 12.0, [False] * 8)
    assert [c.label for c in find_captions([*body, alone], 12.0)] == ["Figure 1"]
    in_text = TextLine("Figure 1", (72.0, 260.5, 120.0, 272.5), 12.0, [False] * 8)
    assert find_captions([*body, in_text], 12.0) == []
    title = TextLine("Fig. 4B, C", (2.0, 4.0, 130.0, 20.0), 12.0, [False] * 10)
    assert find_captions([*body, title], 12.0) == []


def test_sub_and_superscripts_the_first_row_was_split_at_stay_in_order() -> None:
    """APS "(E_tot - E*_tot)/E*_tot": the row breaks into smaller pieces after "(Etot - E";
    they were dropped, and the caption no longer matched its printed start."""

    lines = [
        _piece(
            "FIG. 3. Relative normalised accuracy (Etot - E", (306.6, 272.3, 504.1, 280.2), 8.97
        ),
        _piece("*", (504.4, 270.2, 508.2, 275.8), 5.98),
        _piece("tot)/E*", (503.9, 272.3, 533.0, 280.7), 5.98),
        _piece("tot", (528.7, 275.9, 538.1, 281.2), 5.98),
        _piece("of the standard integrator.", (306.6, 282.7, 538.4, 290.7), 8.97),
    ]
    (cap,) = find_captions(lines, 10.0)
    assert cap.text == (
        "FIG. 3. Relative normalised accuracy (Etot - E * tot)/E* tot of the standard integrator."
    )


def test_a_label_going_on_with_the_sentence_of_the_line_above_is_a_reference() -> None:
    """earth vignette p3: "... It is illustrated in the right plot of / Figure 1. The
    residual model allows ..." in running text took the right plot from the real caption."""
    above = "This residual model is in fact the variance model. It is illustrated in the"
    lines = [
        _piece(above, (72.0, 288.0, 540.0, 300.0), 12.0),
        _piece("Figure 1. The residual model allows us to", (72.0, 302.0, 538.0, 314.0), 12.0),
        _ln("the errors at any predicted value, and thus their standard deviation.", 316),
        _ln("Figure 1: Prediction intervals.", 683),
    ]
    assert [c.bbox[1] for c in find_captions(lines, 12.0)] == [683.0]
    # a caption in body type right under the last line of a paragraph ending a sentence
    lines[0] = _piece("the end of a paragraph.", (72.0, 288.0, 540.0, 300.0), 12.0)
    assert [c.bbox[1] for c in find_captions(lines, 12.0)] == [302.0, 683.0]


def test_a_formula_set_a_little_larger_on_the_first_row_stays_in_the_caption() -> None:
    """CUDA eigenvalues Figure 1: "matrix T∈ℜ^4×4 with Gerschgorin interval [-1, 2]" splits
    at the formula, whose symbol font is 11 % larger than the caption's: the rest of the row
    was dropped."""

    lines = [
        _piece("Figure 1. Example interval tree for a matrix", (136.2, 356.9, 327.0, 367.0), 11.04),
        _piece("4×4", (360.6, 353.9, 372.0, 360.3), 7.15),
        _piece("T∈ℜ", (331.8, 355.9, 360.6, 366.8), 12.24),
        _piece("with Gerschgorin interval", (377.4, 356.9, 487.6, 367.0), 11.04),
        _piece("[-1.0,2.0]", (491.9, 355.8, 539.9, 366.7), 12.22),
        _piece(
            "and the grayed out intervals are empty leaf nodes.", (136.2, 373.9, 400, 384), 11.04
        ),
    ]
    (cap,) = find_captions(lines, 11.04)
    assert cap.text == (
        "Figure 1. Example interval tree for a matrix T∈R 4×4 with Gerschgorin interval "
        "[-1.0,2.0] and the grayed out intervals are empty leaf nodes."
    )


@pytest.mark.parametrize(
    ("caption", "count"),
    [
        ("Figure 1: Four layouts: (i) the top-left: grid (ii) top-right: (iii) x; (iv) y.", 4),
        (
            "Figure 2: Time instant (top left), object movement (top right), consecutive "
            "(bottom left) or arbitrary (bottom right) intervals; right-closed.",
            4,
        ),
        ("Figure 3: The impacts on ATLAS (left), CMS (center), and combined (right).", 3),
        ("Figure 4: Upper row: shading (left), HSV (middle), HCL (right). Lower row: fits.", 6),
        ("Figure 5: Upper panel: the raw counts; lower panel: the fit.", 2),
        # rows alone do not say how many plots each holds
        ("Figure 6: The top row shows the mean. The bottom row shows the deviation.", 0),
        # "top right panel" is a corner, and one side alone names no pair
        ("Figure 7: Shown in the top right panel, with the left panel the same plot.", 0),
        ("Figure 8: Intervals are right-closed; none is left: see text.", 0),
        ("Figure 9: Types (i) and (iii).", 0),
        ("Figure 10: Left) Abundance heatmap (plotMRheatmap). Right) Correlation heatmap.", 2),
        ("Figure 11: The fit (shown on the left) and its residuals.", 0),
        ("Figure 12: Left: the mean on exponential data; right image plot of variance.", 2),
        ("Figure 13: Two gels. Left, gel of (15)(24)(3). The gel on the right is (1)(24).", 2),
        ("Figure 14: Size (bubble, top) or colour (spplot, bottom).", 2),
        ("Figure 15: The upper plot uses the default palette; the lower one a custom one.", 2),
        ("Figure 16: A Krylov decomposition (above) and a Krylov-Schur one (below).", 2),
        ("Figure 17: Counts. Top. Cumulative counts. Middle. Ages. Bottom. Magnitudes.", 3),
        # sides of one plot: "on the right" alone, or facing another "on the left"
        ("Figure 18: Points on the left of the line are kept; on the right, dropped.", 0),
        ("Figure 19: The lower bound is on the right; a Left ventricle model.", 0),
        ("Figure 20: Factors of one set (those on the left) to another (those on the right).", 0),
        # rows of plots: how many each holds only sides tell
        ("Figure 21: Upper panels: densities. Lower panels: 100 ECDFs.", 0),
        (
            "Figure 22: Surface (left) and intervals (right). The top plots show x, the bottom ones y.",
            4,
        ),
    ],
)
def test_panels_named_by_position(caption: str, count: int) -> None:
    assert positioned_panels(caption) == count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Two electrophoresis gels showing the possible bands.", 2),
        ("Four multi-state models. The upper left panel depicts simple survival.", 4),
        ("Three models for the MGUS data.", 3),
        ("The two views of the new Edit window.", 2),
        ("Two mosaic displays put side-by-side.", 2),
        # people and cases may each take a row of pictures: they count no panels
        ("Two patients with glioblastoma.", 0),
        ("Three cases of meningioma.", 0),
        ("Results of two models.", 0),  # not at the start
        ("Twelve plots.", 0),
        # mlbook: three graphs drawn, two counted
        ("Two graphs (G1 & G2) and their direct product (G×).", 0),
        ("Four goodness-of-fit plots (Weibull, gamma and lognormal fits). And the rest.", 4),
    ],
)
def test_pictures_counted_at_a_captions_start(text: str, count: int) -> None:
    """R vignettes and JSS papers count their pictures in words ("Two residual plots",
    "Four simple examples of plotmat"); 12 such captions of the unseen boxes all hold as
    many panels as they count."""
    assert counted_panels(text) == count


def test_a_centred_one_line_caption_without_punctuation_is_a_caption() -> None:
    """IPAC style: "Figure 3 Short-range ..." centred under a plot (its axis title just over
    it), then a paragraph that starts "Figure 3 shows ...": one caption of one line."""
    from litclip.corpus.extract.captions import find_captions

    def line(text: str, x0: float, y0: float, x1: float) -> TextLine:
        return TextLine(text, (x0, y0, x1, y0 + 11.0), 10.0, [False] * len(text))

    lines = [
        line("Steps", 160.0, 580.0, 180.0),
        line("Figure 3 Short-range slow tuner performance.", 79.5, 593.7, 265.3),
        line("Figure 3 shows that the slow tuner performance has a", 64.9, 611.3, 289.3),
        line("significant hysteresis which is approximately 600 Hz.", 55.6, 622.8, 289.3),
    ]
    caps = find_captions(lines, 10.0)
    assert [(c.label, len(c.lines)) for c in caps] == [("Figure 3", 1)]
    # flush with the column, the same words are running text
    lines[1] = line("Figure 3 Short-range slow tuner performance is shown", 64.9, 593.7, 289.3)
    assert find_captions(lines, 10.0) == []


def test_a_colon_read_apart_from_its_label_still_marks_a_caption() -> None:
    """pdfium reads the ":" of "Figure 7: Cavity ..." as a line of its own on the same
    baseline (a glyph drawn apart); the caption keeps its two lines."""
    from litclip.corpus.extract.captions import find_captions

    def line(text: str, x0: float, y0: float, x1: float, size: float = 10.0) -> TextLine:
        return TextLine(text, (x0, y0, x1, y0 + 11.0), size, [False] * len(text))

    lines = [
        line("Frequency [Hz]", 170.0, 622.0, 200.0, 5.0),
        line("Figure 7 Cavity Transfer function (blue) and background", 55.6, 634.7, 289.3),
        line("noise (red).", 55.6, 646.2, 101.2),
    ]
    assert find_captions(lines, 10.0) == []  # no cue but the block start
    caps = find_captions([*lines, line(":", 89.5, 634.4, 92.3)], 10.0)
    assert [(c.label, len(c.lines)) for c in caps] == [("Figure 7", 2)]


def test_a_bold_label_may_go_on_in_lower_case() -> None:
    """Springer's bold "Fig. 20" then a code name or a gene ("impulse", "mRNA") starting the
    caption: a caption. Lower case after a plain label, or a verb after a bold one ("Fig. 2
    shows"), is a reference."""

    def page(first: TextLine) -> list[TextLine]:
        return [
            _row_line("running text of the paragraph above the caption, long", 304, 400, 546),
            first,
            _row_line("one sample impulse", 304, 513, 400),
        ]

    bold = [True] * 7 + [False] * 60
    caption = TextLine(
        "Fig. 20 impulse in charge of a button signal", (304, 502, 546, 511), 9, bold
    )
    assert parse_label(caption.text) is None
    (cap,) = find_captions(page(caption), 10.0)
    assert cap.label == "Figure 20" and cap.text.endswith("one sample impulse")
    for text, b in (("Fig. 20 impulse in charge", [False] * 30), ("Fig. 20 shows the", bold)):
        assert find_captions(page(TextLine(text, (304, 502, 546, 511), 9, b)), 10.0) == []


def test_a_label_alone_in_larger_type_takes_the_title_line_under_it() -> None:
    """troff's "Figure1." (13 pt bold, no space character before the number) centred over
    "cvs Source Repository" (11 pt): the caption is both, read "Figure 1. cvs ...", and
    stops before the paragraph that follows."""
    label = TextLine("Figure1.", (281.2, 298.8, 330.8, 310.5), 13.0, [True] * 8)
    title = TextLine("cvs Source Repository", (256.5, 313.2, 355.5, 323.2), 11.0, [False] * 21)
    para = TextLine(
        "cvs allows several software developers to edit personal copies of a file",
        (117.0, 330.0, 495.0, 341.0),
        11.0,
        [False] * 72,
    )
    (cap,) = find_captions([label, title, para], 11.0)
    assert cap.text == "Figure 1. cvs Source Repository"
    assert cap.printed_label == "Figure 1" and cap.label == "Figure 1"
    assert split_caption(cap.text, cap.printed_label)[0] == "cvs Source Repository"


def test_a_bold_label_and_a_comma_then_lower_case_is_a_caption() -> None:
    """PyCorrFit's "Figure 1, user interface of PyCorrFit: ..." (CMBX10 bold) opens its
    caption; "Figure 1, which ..." after a bold label does not."""
    bold = [True] * 9 + [False] * 60
    line = TextLine(
        "Figure 1, user interface of PyCorrFit: Confocal", (71, 366, 535, 376), 10.9, bold
    )
    above = _row_line("the window of the program, drawn as a screenshot above its", 71, 330, 535)
    (cap,) = find_captions([above, line], 10.9)
    assert cap.label == "Figure 1"
    which = TextLine("Figure 1, which shows the window", (71, 366, 535, 376), 10.9, bold)
    assert find_captions([above, which], 10.9) == []
    # PyScanFCS: "Figure 2, 1 focus 1 color measurement ..." (a number after the comma)
    bold = [True] * 9 + [False] * 60
    number = TextLine("Figure 2, 1 focus 1 color measurement with", (71, 366, 535, 376), 10.9, bold)
    (cap,) = find_captions([above, number], 10.9)
    assert cap.label == "Figure 2"
    plain = TextLine("Figure 2, 1 focus 1 color", (71, 366, 535, 376), 10.9, [False] * 40)
    assert find_captions([above, plain], 10.9) == []


def test_a_lone_line_under_a_picture_in_body_type_is_a_caption() -> None:
    """CUDA sample: "Figure 1(b) Blur convolution filter ..." in the body's size and
    weight, no punctuation, blank space over and under it: a caption of one line. The
    same words opening a paragraph are running text."""
    from litclip.corpus.extract.captions import find_captions

    def line(text: str, y0: float) -> TextLine:
        return TextLine(text, (126.0, y0, 126.0 + 4.5 * len(text), y0 + 11.0), 11.0)

    body = [line("These two images show a comparison of an image convolution", 694.0)]
    lone = line("Figure 1(b) Blur convolution filter applied to the source image", 657.0)
    caps = find_captions([lone, *body], 11.0)
    assert [(c.label, c.printed_label, len(c.lines)) for c in caps] == [
        ("Figure 1", "Figure 1(b)", 1)
    ]
    para = line("applied to an original source image, whose size is shown", 670.0)
    assert find_captions([lone, para, *body], 11.0) == []
    above = line("the filter is separable, so a row pass and a column pass", 644.0)
    assert find_captions([above, lone, *body], 11.0) == []


def _over_running_text(*caption_lines: TextLine) -> list[TextLine]:
    """HSAUR3's caption lines, then the page's running text under them, flush left with it."""
    running = "The running text of the page, set flush left as the caption."
    return [*caption_lines, _row_line(running, 140.1, 500.0, 475.0)]


def test_a_label_alone_before_a_tab_heads_a_hanging_indent() -> None:
    """The same caption with its first row in two pieces ("Figure 14.1" | "R output ...", as
    pdfium reads it on a page shown sideways, or past a wide tab): the text after the label
    goes on under itself, which is no next column's text."""
    lines = _over_running_text(
        _row_line("Figure 14.1", 140.1, 453.0, 184.6, size=9.0),
        _row_line(
            "R output of the summary method for the btb_gee model (slightly ab-",
            194.6,
            452.6,
            472.3,
            size=9.0,
        ),
        _row_line("breviated).", 194.6, 463.6, 238.3, size=9.0),
    )
    (cap,) = find_captions(lines, 10.0)
    assert (
        cap.text
        == "Figure 14.1 R output of the summary method for the btb_gee model (slightly abbreviated)."
    )


def test_a_caption_with_a_hanging_indent_keeps_its_next_lines() -> None:
    """HSAUR3 (CRC): "Figure 14.11  R output ..." goes on under "R" (59 pt in, where the
    words after the label start); a line starting far past that is not the caption going on."""
    lines = _over_running_text(
        _row_line(
            "Figure 14.11 R output of the summary method for the epilepsy",
            140.1,
            445.1,
            475.4,
            size=9.0,
        ),
        _row_line("(slightly abbreviated).", 199.1, 455.6, 288.4, size=9.0),
    )
    (cap,) = find_captions(lines, 10.0)
    assert cap.text.endswith("for the epilepsy (slightly abbreviated).")
    # a centred caption (nothing else starts where it starts) or one that goes on flush left
    # has no hanging indent: a table's header row under it is not the caption
    header = _row_line("Functional form f(t)", 202.6, 586.8, 291.3, size=10.0)
    rows = (
        ("Table 5.18: Overview of fitting functions supported in analysis", 549.0, 441.6),
        ("tools that compute autocorrelation functions. The Note column", 561.0, 441.6),
        ("properties of the output parameters.", 572.9, 295.6),
    )
    centred = [_row_line(text, 153.6, y, x1, size=10.0) for text, y, x1 in rows] + [header]
    (cap,) = find_captions(centred, 10.0)
    assert cap.text.endswith("output parameters.")
    (cap,) = find_captions([centred[0], header], 10.0)
    assert cap.text.endswith("in analysis")
    indented = [
        lines[0],
        _row_line("a line of another block", 260.0, 455.6, 475.4, size=9.0),
    ]
    (cap,) = find_captions(indented, 10.0)
    assert cap.text.endswith("for the epilepsy")
    # a short caption line (the body runs 74 pt farther) with a key hung under its words
    short = [
        _row_line("Abbildung 1: Vorgegebene Ordnerstruktur im Ordner", 89.3, 341.7, 432.4, size=12),
        _row_line(". . . . . . Stammordner", 171.6, 356.1, 272.3, size=12),
        _row_line(
            "Abbildung 1 zeigt die festgelegte Ordnerstruktur im Ordner.",
            89.3,
            417.8,
            506.0,
            size=12,
        ),
    ]
    (cap,) = find_captions(short, 12.0)
    assert cap.text == "Abbildung 1: Vorgegebene Ordnerstruktur im Ordner"


def test_a_side_caption_takes_the_paragraphs_that_go_on_beside_its_figure() -> None:
    """earth Figure 7: the caption is set in a narrow column right of its plot and goes on
    in three more paragraphs there (a justified line split at its wide gaps). They are the
    caption's, and the caption then sits beside its plot, never over the chart under it.
    A caption as wide as the running text, or with no graphic beside, takes nothing."""
    from litclip.corpus.extract.captions import find_captions, take_side_paragraphs
    from litclip.corpus.extract.regions import caption_distance

    def ln(text: str, x0: float, y0: float, x1: float) -> TextLine:
        return TextLine(text, (x0, y0, x1, y0 + 12.0), 11.96)

    def page() -> list[TextLine]:
        return [
            ln("Figure 7: Data with multimapped vari-", 323.8, 29.5, 523.1),
            ln("ances. The black line is an earth fit.", 323.8, 43.9, 515.3),
            ln("The variance is quite different, for", 323.8, 72.8, 527.8),
            ln("instance, at x equal to 1 and 3, al-", 323.8, 87.3, 523.4),
            ln("same.", 323.8, 101.7, 353.1),
            ln("The", 323.8, 130.6, 343.6),  # a justified line split at its gaps
            ln("variance", 360.0, 130.6, 402.7),
            ln("must be modeled", 419.2, 130.6, 527.6),
            ln("as a function of x.", 323.8, 145.0, 449.7),
        ]

    plot = (101.0, 71.0, 280.0, 243.0)
    lines = page()
    (cap,) = find_captions(lines, 11.96)
    take_side_paragraphs([cap], lines, [plot], text_width=442.0)
    assert cap.beside and cap.text.endswith("must be modeled as a function of x.")
    under = (314.0, 268.0, 496.0, 448.0)  # the next figure's chart right under the column
    assert caption_distance(cap, under, []) is None
    assert caption_distance(cap, plot, []) is not None

    for width, graphics in ((300.0, [plot]), (442.0, [])):
        lines = page()
        (cap,) = find_captions(lines, 11.96)
        take_side_paragraphs([cap], lines, graphics, text_width=width)
        assert not cap.beside and cap.text.endswith("an earth fit.")


def test_a_plot_title_citing_its_source_is_no_caption() -> None:
    """gsl Figure 1: the R plot's own title "Fig 10.6, p446" (bold, over the plot) cites the
    handbook figure it redraws; the caption is "Figure 1: ..." under the plot. A label with
    a panel letter alone ("Figure 3 (a)") is still a caption line."""
    lines = [
        TextLine("Fig 10.6, p446", (276.0, 244.0, 351.0, 254.0), 10.0, [True] * 14),
        TextLine(
            "Figure 1: Functions Ai(x) and Ai'(x) as plotted in the helpfile",
            (81.0, 592.0, 518.0, 603.0),
            10.0,
        ),
    ]
    assert [c.label for c in find_captions(lines, 10.0)] == ["Figure 1"]
    from litclip.corpus.extract.captions import _reference_only

    assert _reference_only(", p446") and _reference_only(" (p. 12)")
    assert not _reference_only(" (a)") and not _reference_only(": MRI") and not _reference_only(".")
    assert not _reference_only(" 1.9 mm")  # "Figure 14 1.9 mm / telescope with ..." goes on


def test_a_caption_row_split_at_every_word_gap_is_a_caption() -> None:
    """magic Figure 1: the caption's first line is justified so wide that pdfium splits it
    at every word ("Figure" | "1:" | "Magic" | ...); the label is the first two pieces and
    the row is the caption's, whatever order the pieces come in."""
    words = [
        ("Figure", 81, 112),
        ("1:", 126, 135),
        ("Magic", 161, 190),
        ("square", 205, 235),
        ("of", 250, 259),
        ("order", 273, 298),
        ("7", 312, 318),
        ("in", 332, 341),
        ("graphical", 356, 400),
        ("form", 414, 436),
        ("(obtained", 451, 496),
        ("by", 511, 522),
    ]
    row = [TextLine(w, (x0, 603.0, x1, 614.0), 10.9) for w, x0, x1 in words]
    tail = TextLine("magicplot(magic.2np1(3)))", (81.0, 617.0, 223.0, 628.0), 10.9)
    (cap,) = find_captions([*row[::-1], tail], 11.0)
    assert cap.label == "Figure 1"
    assert cap.text == (
        "Figure 1: Magic square of order 7 in graphical form (obtained by magicplot(magic.2np1(3)))"
    )
    # a lone word "Figure" with no number after it starts nothing
    assert find_captions([row[0], row[2]], 11.0) == []


def test_tex_spacing_accents_are_set_on_their_letters() -> None:
    """Old dvipdfm output sets each accent as a glyph of its own before its letter: the
    caption reads "Seção" and "elástica", not "Se ̧c ̃ao" and "el ́astica"."""
    raw = [
        "Figura 2.1: Se\u00b8c\u02dcao de choque el\u00b4astica em colis\u02dcoes de",
        "pr\u00b4oton-pr\u00b4oton, hadr\u02c6onico, \u00b4e ligada \u0060a separa\u00e7\u00e3o",
        "(t\u00b4\u0131tulo, 131 \u02daA)",
    ]
    assert clean_caption_text(raw) == (
        "Figura 2.1: Seção de choque elástica em colisões de próton-próton, hadrônico, é ligada"
        " à separação (título, 131 Å)"
    )
    # an accent standing apart, a space before the next word, takes no letter
    assert " sign, " in clean_caption_text(["Figure 1: the \u00b4 sign, x\u00b4 = 2"])


def test_closing_notes_hold_for_every_panel() -> None:
    """A scale bar, abbreviations, a p-value key or a credit after the last panel's text
    speaks of the whole figure: every panel's text ends with it, not only the last one's."""
    shared, parts = split_caption(
        "Fig. 2. MRI. (A) Axial T2. (B) Coronal T1. Scale bar, 50 μm. "
        "Abbreviations: ICA, internal carotid artery.",
        "Fig. 2",
    )
    note = "Scale bar, 50 μm. Abbreviations: ICA, internal carotid artery."
    assert shared == "MRI." and parts == {"A": f"Axial T2. {note}", "B": f"Coronal T1. {note}"}
    _, parts = split_caption("Fig. 3. (A and B) Histology. (C and D) IHC. *P < 0.05.", "Fig. 3")
    assert parts["A"] == parts["B"] == "Histology. *P < 0.05."
    assert parts["C"] == parts["D"] == "IHC. *P < 0.05."
    _, parts = split_caption(
        "Figure 1 (a) Open mouth view. (b) Skyline view. Images courtesy of a clinic", "Figure 1"
    )
    assert parts["A"] == "Open mouth view. Images courtesy of a clinic"
    # a panel whose whole text is such a note keeps it
    assert split_caption("Fig. 4. (A) Axial. (B) Abbreviations: none.", "Fig. 4")[1] == {
        "A": "Axial.",
        "B": "Abbreviations: none.",
    }


def test_a_figure_cited_at_a_caption_end_is_no_caption_of_its_own() -> None:
    """'... Other parameters are the same as in' / 'Fig. 1.': the last line ends the
    caption's sentence; a label alone with its caption under it still heads one."""
    size = 8.47
    lines = [
        TextLine(
            "Figure 2 | Nearest neighbor gate in a planar crystal. Two",
            (42.9, 665.9, 285.3, 674.0),
            size,
        ),
        TextLine(
            "laser beams exert a force. Other parameters are the same as in",
            (42.9, 676.3, 291.7, 684.3),
            size,
        ),
        TextLine("Fig. 1.", (42.9, 686.7, 63.6, 694.8), size),
    ]
    caps = find_captions(lines, 9.27)
    assert [c.label for c in caps] == ["Figure 2"]
    assert caps[0].text.endswith("the same as in Fig. 1.")
    alone = [
        TextLine("Figure 3.", (42.9, 100.0, 80.0, 108.0), size),
        TextLine("Axial T2-weighted image of the lesion.", (42.9, 110.4, 250.0, 118.4), size),
    ]
    assert [c.text for c in find_captions(lines[:2] + alone, 9.27)][-1] == (
        "Figure 3. Axial T2-weighted image of the lesion."
    )


def test_a_caption_set_as_a_paragraph_stops_before_the_indented_paragraph_after_it() -> None:
    """geomview's manual: "Figure 2.4: Color Chooser Panel." is a paragraph of its own in the
    body type, and the next paragraph starts indented under it at the usual line spacing. The
    caption is the one line; a caption line that wraps goes on flush left and stays one."""

    def line(text: str, x0: float, y0: float, x1: float) -> TextLine:
        return TextLine(text, (x0, y0, x1, y0 + 9.7), 10.9, [False] * len(text))

    body = [
        line(
            "Note the three sliders, H, S, and V, controlling the color's hue, sat-",
            104.9,
            394.4,
            521.7,
        ),
        line(
            "(lightness). Clicking the HSV button gives a different set of sliders,",
            90.0,
            407.6,
            521.7,
        ),
        line(
            "and blue. Numerical values for both RGB and HSV color systems can be",
            90.0,
            420.7,
            521.7,
        ),
    ]
    cap = line("Figure 2.4: Color Chooser Panel.", 104.9, 378.5, 262.5)
    (found,) = find_captions([cap, *body], 10.9)
    assert found.text == "Figure 2.4: Color Chooser Panel."
    # a caption's first line ending short without a full stop is followed by its own text
    wrapped = line("Figure 2.4: Color Chooser Panel with", 104.9, 378.5, 290.0)
    (found,) = find_captions([wrapped, *body], 10.9)
    assert found.text.endswith("can be")
    # Octave's manual: the paragraph after "Figure 15.5: Mesh plot." is two lines, its
    # second short ("surface."): a paragraph all the same
    short = [body[0], line("surface.", 90.0, 407.6, 126.1)]
    (found,) = find_captions([cap, *short], 10.9)
    assert found.text == "Figure 2.4: Color Chooser Panel."


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Figure II.9.1: Mass fraction of global species", "Figure II.9.1"),
        ("Figure VII.B.18: Merging transitivity (real cases)", "Figure VII.B.18"),
        ("Figure 2.1.3. Sagittal T1", "Figure 2.1.3"),
        ("Figure S2.1. Supplementary plot", "Figure S2.1"),
        ("Figure VII.B.19 illustrates the effect of merges", None),  # a reference
    ],
)
def test_labels_numbered_over_three_or_four_levels(text: str, label: str | None) -> None:
    """code_saturne's theory guide numbers figures "II.9.1" and "VII.B.18": read as "Figure
    II.9" and "Figure VII", 38 figures shared two labels, and "Figure VII.B.19 illustrates
    ..." (its rest ".B.19 illustrates" read as punctuation) became a caption."""
    parsed = parse_label(text)
    assert (parsed[1] if parsed else None) == label


def test_a_side_caption_takes_its_next_panels_paragraph_farther_down() -> None:
    """NEURON's Figure 9: "Figure 9. A. Somatic ..." beside plot A, and "B. The dt used ..."
    70 pt lower beside plot B, flush with it. B's paragraph is the caption's. Not when its
    letter is not the next one, when a line of running text lies between, or when it is
    indented off the caption's left edge."""
    from litclip.corpus.extract.captions import find_captions, take_side_paragraphs

    def ln(text: str, x0: float, y0: float, x1: float) -> TextLine:
        return TextLine(text, (x0, y0, x1, y0 + 10.0), 10.0)

    def page(second: str = "B.", left: float = 79.2, between: bool = False) -> list[TextLine]:
        lines = [
            TextLine("Body text of the page runs across the whole width.", (72, 80, 538, 92), 12),
            ln("Figure 9. A. Somatic potential in a model of a", 79.2, 292.0, 340.0),
            ln("pyramidal cell. See text for details.", 79.2, 304.0, 300.0),
            ln(f"{second} The time step used by CVODE varied over", left, 420.0, 340.0),
            ln("a wide range during each action potential.", left, 432.0, 320.0),
        ]
        if between:
            lines.append(TextLine("Running text set between.", (72, 380, 538, 392), 12))
        return lines

    plots = [(368.0, 290.0, 532.0, 400.0), (368.0, 415.0, 532.0, 570.0)]
    lines = page()
    (cap,) = find_captions(lines, 12.0)
    take_side_paragraphs([cap], lines, plots, text_width=466.0)
    assert cap.text.endswith(
        "B. The time step used by CVODE varied over a wide range during each action potential."
    )

    for kwargs in ({"second": "C."}, {"between": True}, {"left": 92.0}):
        lines = page(**kwargs)
        (cap,) = find_captions(lines, 12.0)
        take_side_paragraphs([cap], lines, plots, text_width=466.0)
        assert cap.text.endswith("See text for details."), kwargs


def test_bold_is_no_label_cue_on_a_page_whose_running_text_reads_bold() -> None:
    """NEURON's preprint: pdfium reads weight 704 for every font, so the paragraph opening
    "Figure 7 B shows the time course ..." had a bold label and became a second caption of
    Figure 7, which took plot B. Where the running text reads bold, bold is no cue; where
    it does not, a bold label still is."""
    from litclip.corpus.extract.captions import find_captions

    def page(body_bold: bool) -> list[TextLine]:
        def body(text: str, y: float, x0: float = 72.0) -> TextLine:
            return TextLine(text, (x0, y, 538.0, y + 12.0), 12.0, [body_bold] * len(text))

        return [
            body("sections in a model, each section or set of sections having its own rule", 100),
            body("However, barring special circumstances such as a localized membrane", 114),
            body("conductance, it is usually sufficient to use one strategy for the model.", 128),
            TextLine(
                "Figure 7. A. Anatomically detailed model of a granule cell.",
                (79.2, 310.0, 350.0, 320.0),
                10.0,
            ),
            TextLine(
                "Figure 7 B shows the time course of the potential at the soma computed",
                (90.0, 562.5, 538.0, 574.5),
                12.0,
                [True] * 70,
            ),
            body("with three different methods of specifying the spatial grid of the model", 576.5),
        ]

    assert [c.text[:12] for c in find_captions(page(body_bold=True), 12.0)] == ["Figure 7. A."]
    assert len(find_captions(page(body_bold=False), 12.0)) == 2


def test_a_label_with_one_cue_right_under_a_graphic_is_a_caption() -> None:
    """LASTZ's thesis: "Figure 5.2 Gap Lengths Distribution. ..." in the body's face and
    size, no punctuation after the label: one cue (it starts a block), which alone is not
    enough in running text. Right under a picture it is a caption; not under a rule, not
    far under the picture, and not when the sentence goes on ("Figure 5.2 shows ...")."""
    from litclip.corpus.extract.captions import find_captions

    def page(
        text: str = "Figure 5.2 Gap Lengths Distribution. Gap lengths of the",
    ) -> list[TextLine]:
        return [
            TextLine(
                "The running text of the thesis goes on over the figure here.",
                (90, 300, 522, 313),
                12,
            ),
            TextLine(text, (90, 594, 523, 607), 12),
            TextLine("alignments found with and without the seed.", (90, 621, 400, 634), 12),
        ]

    picture = (91.0, 342.0, 297.0, 553.0)
    assert [c.label for c in find_captions(page(), 12.0, leading=1.0, graphics=[picture])] == [
        "Figure 5.2"
    ]
    assert find_captions(page(), 12.0, leading=1.0) == []
    rule = (90.0, 580.0, 522.0, 580.5)
    assert find_captions(page(), 12.0, leading=1.0, graphics=[rule]) == []
    far = (91.0, 242.0, 297.0, 453.0)
    assert find_captions(page(), 12.0, leading=1.0, graphics=[far]) == []
    goes_on = page("Figure 5.2 shows the gap lengths of the alignments found with")
    assert find_captions(goes_on, 12.0, leading=1.0, graphics=[picture]) == []


def test_a_label_with_one_cue_under_a_drawing_of_short_strokes_or_its_words() -> None:
    """VR4300's manual: "Figure 4-8 Trap if Less Than ..." in italic body type, one cue,
    under a timing diagram drawn of short strokes (none 20 points tall); "Figure 4-2 ..."
    under the words a pipeline diagram sets under its grey column ("Current / CPU /
    Cycle"), 46 points below the drawing itself. Both are captions; a rule alone over the
    line is not a drawing, and a paragraph's wide lines are not a drawing's words."""
    from litclip.corpus.extract.captions import find_captions

    caption = TextLine(
        "Figure 4-8 Trap if Less Than Instruction Pipeline", (179, 649, 433, 660), 10
    )
    strokes = [
        (110.0 + 20 * i, 602.0 + (i % 2) * 20, 125.0 + 20 * i, 621.0 + (i % 2) * 19)
        for i in range(10)
    ]
    text = TextLine(
        "The trap is taken in the WB stage where the condition holds.", (179, 670, 504, 681), 10
    )
    assert [c.label for c in find_captions([caption, text], 10.0, graphics=strokes)] == [
        "Figure 4-8"
    ]
    assert find_captions([caption, text], 10.0, graphics=[(110.0, 640.0, 500.0, 640.5)]) == []

    caption = TextLine("Figure 4-2 Instruction Execution in the Pipeline", (206, 366, 406, 377), 10)
    text = TextLine(
        "The pipeline runs one instruction a cycle through its five stages.",
        (180, 387, 496, 398),
        10,
    )
    words = [
        TextLine("Current", (285.4, 323.0, 318.8, 334.7), 10),
        TextLine("CPU", (291.0, 332.6, 312.1, 344.3), 10),
        TextLine("Cycle", (289.8, 342.3, 314.8, 354.0), 10),
    ]
    column = (281.7, 195.9, 316.2, 320.5)
    found = find_captions([*words, caption, text], 10.0, graphics=[column])
    assert [c.label for c in found] == ["Figure 4-2"]
    assert find_captions([caption, text], 10.0, graphics=[column]) == []
    paragraph = [
        TextLine("The pipeline runs five stages, one a cycle, in the", (180, 323, 400, 334.7), 10),
        TextLine("order of the rows shown here, and each row is one", (180, 336, 400, 347.7), 10),
        TextLine("instruction going through them in turn.", (180, 349, 390, 354.0), 10),
    ]
    assert find_captions([*paragraph, caption, text], 10.0, graphics=[column]) == []
