"""Captions say what the labels say: parse the words back and compare with the drawn labels."""

from __future__ import annotations

import re

import numpy as np

from litclip.data.synthetic.article import plan_imaging_figure
from litclip.data.synthetic.captions import compound_caption, panel_sentence, single_caption
from litclip.data.synthetic.spec import make_labels, sample_case, sample_views

_SEQ = {
    r"FLAIR": "flair",
    r"(?:contrast-enhanced|gadolinium-enhanced|post-contrast) T1": "t1c",
    r"T2-weighted": "t2",
    r"T1-weighted": "t1",
    r"bone window": "bone_window",
    r"CT": "brain_window",
}


def _parse(sentence: str) -> dict:
    """Independent keyword parser for one panel sentence."""
    s = sentence.lower()
    out: dict = {}
    if "angiogra" in s:
        out["modality"] = "angiography"
    elif "radiograph" in s or "x-ray" in s:
        out["modality"] = "xray"
    elif re.search(r"\bct\b", s):
        out["modality"] = "ct"
    else:
        out["modality"] = "mri"
    for pattern, seq in _SEQ.items():
        if re.search(pattern, sentence):
            out["sequence"] = seq
            break
    m = re.search(r"(?<!-)\b(axial|coronal|sagittal)\b", s)  # not 'intra-axial'
    out["plane"] = m.group(1) if m else None
    m = re.search(
        r"\b(left|right) (frontal lobe|temporal lobe|parietal lobe|occipital lobe|cerebellar hemisphere)",
        s,
    )
    if m:
        out["side"], out["location"] = (
            m.group(1),
            m.group(2).replace("cerebellar hemisphere", "cerebellum"),
        )
    m = re.search(r"(\d+(?:\.\d+)?)-cm", s)
    out["size_cm"] = float(m.group(1)) if m else None
    m = re.search(
        r"(hyperintense|hypointense|isointense|ring-enhancing|non-enhancing|enhancing|hyperdense|hypodense)",
        s,
    )
    out["signal"] = m.group(1) if m else None
    return out


def test_panel_sentences_state_the_labels() -> None:
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(300):
        case = sample_case(rng)
        for view in sample_views(case, 3, rng):
            labels = make_labels(case, *view)
            parsed = _parse(panel_sentence(labels, rng))
            assert parsed["modality"] == labels.modality
            if labels.modality == "mri":
                assert parsed["sequence"] == labels.sequence
                assert parsed["plane"] == labels.plane
            if labels.modality == "ct":
                assert parsed["sequence"] == labels.sequence
            if labels.lesion in (
                "glioma",
                "meningioma",
                "metastasis",
                "abscess",
                "hemorrhage",
                "infarct",
            ):
                assert (parsed.get("side"), parsed.get("location")) == (
                    labels.side,
                    labels.location,
                )
                assert parsed["size_cm"] == labels.size_cm
                assert parsed["signal"] == labels.signal
                checked += 1
            elif labels.lesion == "none":
                assert parsed.get("side") is None and parsed["size_cm"] is None
    assert checked > 200


def test_compound_caption_has_one_lettered_part_per_panel() -> None:
    rng = np.random.default_rng(3)
    styles = set()
    for _ in range(40):
        case = sample_case(rng, "glioma")
        panels = [make_labels(case, *v) for v in sample_views(case, 4, rng)]
        caption, subs = compound_caption("Figure 2", case, panels, rng)
        assert caption.startswith("Figure 2. ") and len(subs) == 4
        paren = all(f"({ch}) " in caption for ch in "ABCD")
        comma = all(f"{ch}, " in caption for ch in "ABCD")
        assert paren or comma
        styles.add("paren" if paren else "comma")
        for sub in subs:
            assert sub[:-1].lower()[1:] in caption.lower()
    assert styles == {"paren", "comma"}  # both journal styles occur


def test_single_caption_and_figure_plan_agree() -> None:
    rng = np.random.default_rng(4)
    for i in range(10):
        fig = plan_imaging_figure(i + 1, rng, 64, compound=False)
        assert fig.caption.startswith(f"Figure {i + 1}. ") and fig.n_panels == 1
        lab = fig.panel_labels[0]
        if lab.side in ("left", "right") and lab.modality in ("mri", "ct"):
            assert f"{lab.side} " in fig.caption
    case = sample_case(rng, "hemorrhage")
    text = single_caption("Figure 1", case, make_labels(case, "ct", "brain_window", "axial"), rng)
    assert "hyperdense" in text and "CT" in text
