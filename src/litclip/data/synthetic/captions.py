"""Journal-style captions written from the same :class:`ScanLabels` that drew the pixels.

Phrasing is varied (view names, verbs, nouns, sentence shapes) but every caption states the
view (plane + modality/sequence) and, when a lesion is visible, its size, appearance, side and
location using a fixed vocabulary, so captions can be parsed back and checked against labels.
"""

from __future__ import annotations

import numpy as np

from litclip.data.synthetic.spec import Case, ScanLabels

_SEQ_NAMES = {
    "t1": ["T1-weighted MRI", "T1-weighted image", "T1-weighted MR image"],
    "t2": ["T2-weighted MRI", "T2-weighted image", "T2-weighted MR image"],
    "flair": ["FLAIR MRI", "FLAIR image", "fluid-attenuated inversion recovery (FLAIR) image"],
    "t1c": [
        "contrast-enhanced T1-weighted MRI",
        "gadolinium-enhanced T1-weighted image",
        "post-contrast T1-weighted MRI",
    ],
}
_VERBS = ["demonstrating", "showing", "revealing", "depicting"]
_VERBS_FINITE = ["demonstrates", "shows", "reveals"]
_NOUNS = {
    "glioma": ["mass", "intra-axial mass", "infiltrative lesion"],
    "meningioma": ["extra-axial mass", "dural-based mass", "extra-axial lesion"],
    "metastasis": ["lesion", "mass"],
    "abscess": ["lesion", "collection", "cystic lesion"],
    "hemorrhage": ["intraparenchymal hematoma", "intracerebral hemorrhage", "hematoma"],
    "infarct": ["infarct", "area of infarction"],
}
_DIAGNOSIS = {
    "glioma": [
        "consistent with glioma",
        "compatible with a diffuse glioma",
        "proven to be a glioma",
    ],
    "meningioma": ["consistent with meningioma", "typical of a meningioma"],
    "metastasis": ["consistent with metastasis", "suggestive of metastatic disease"],
    "abscess": ["consistent with cerebral abscess", "proven to be a pyogenic abscess"],
    "hemorrhage": [],
    "infarct": [],
}
_EDEMA = {
    "metastasis": " with extensive surrounding vasogenic edema",
    "abscess": " with surrounding edema",
    "glioma": " with surrounding edema",
}
_SPINE_REGION = {"C": "cervical", "T": "thoracolumbar", "L": "lumbar"}
_COMPLAINTS = [
    "headache",
    "seizures",
    "progressive hemiparesis",
    "visual disturbance",
    "confusion",
    "gait disturbance",
    "sudden-onset headache",
    "back pain",
]


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def view_phrase(labels: ScanLabels, rng: np.random.Generator) -> str:
    """How a caption names the view, e.g. ``"Axial T2-weighted MRI"`` (capitalised)."""
    plane = labels.plane
    if labels.modality == "mri":
        return f"{plane.capitalize()} {_pick(rng, _SEQ_NAMES[labels.sequence or 't1'])}"
    if labels.modality == "ct":
        if labels.sequence == "bone_window":
            return _pick(
                rng,
                [
                    f"{plane.capitalize()} CT in bone window",
                    f"{plane.capitalize()} CT (bone window)",
                ],
            )
        return _pick(
            rng,
            [
                f"{plane.capitalize()} non-contrast CT",
                f"Non-contrast {plane} CT",
                f"{plane.capitalize()} CT scan",
            ],
        )
    if labels.modality == "angiography":
        proj = "anteroposterior" if plane == "frontal" else "lateral"
        return _pick(
            rng,
            [
                f"Digital subtraction angiography, {proj} view",
                f"Cerebral angiogram ({proj} projection)",
                f"{proj.capitalize()} digital subtraction angiogram",
            ],
        )
    region = _SPINE_REGION.get((labels.location or "L")[0], "lumbar")
    proj = "anteroposterior" if plane == "frontal" else "lateral"
    return _pick(
        rng,
        [
            f"{proj.capitalize()} radiograph of the {region} spine",
            f"{proj.capitalize()} X-ray of the {region} spine",
        ],
    )


def _where(labels: ScanLabels) -> str:
    loc = labels.location or ""
    if loc == "cerebellum":
        return f"the {labels.side} cerebellar hemisphere"
    return f"the {labels.side} {loc}"


def finding_phrase(labels: ScanLabels, rng: np.random.Generator) -> str:
    """The finding in a view, e.g. ``"a 3-cm hyperintense mass in the left temporal lobe"``."""
    kind = labels.lesion
    if kind == "none":
        if labels.modality == "xray":
            return _pick(
                rng, ["normal vertebral alignment without fracture", "no fracture or malalignment"]
            )
        if labels.modality == "angiography":
            return "no aneurysm or vascular malformation"
        return _pick(
            rng,
            [
                "no intracranial abnormality",
                "a normal brain parenchyma",
                "no mass lesion or hemorrhage",
            ],
        )
    if kind == "aneurysm":
        site = labels.location or ""
        side = "" if labels.side in (None, "midline") else f"{labels.side} "
        return f"a {_cm(labels.size_cm)} saccular aneurysm of the {side}{site}"
    if kind == "fracture":
        return _pick(
            rng,
            [
                f"a compression fracture of {labels.location}",
                f"an anterior wedge compression fracture of the {labels.location} vertebral body",
            ],
        )
    size, signal, noun = _cm(labels.size_cm), labels.signal, _pick(rng, _NOUNS[kind])
    if labels.n_lesions > 1:
        text = f"multiple {signal} lesions, the largest measuring {size} in {_where(labels)}"
    else:
        text = f"a {size} {signal} {noun} in {_where(labels)}"
    if kind in _EDEMA and labels.sequence in ("t2", "flair") and rng.random() < 0.5:
        text += _EDEMA[kind]
    if _DIAGNOSIS[kind] and rng.random() < 0.8:
        text += ", " + _pick(rng, _DIAGNOSIS[kind])
    return text


def _cm(size: float | None) -> str:
    if size is None:
        return ""
    return f"{size:g}-cm"


def panel_sentence(labels: ScanLabels, rng: np.random.Generator) -> str:
    """One sentence describing one panel (no panel letter, ends with a full stop)."""
    view, finding = view_phrase(labels, rng), finding_phrase(labels, rng)
    if rng.random() < 0.7:
        return f"{view} {_pick(rng, _VERBS)} {finding}."
    return f"{view} {_pick(rng, _VERBS_FINITE)} {finding}."


def case_intro(case: Case, rng: np.random.Generator) -> str:
    """A short clinical lead-in, e.g. ``"A 54-year-old woman presenting with seizures."``."""
    complaint = "back pain" if case.region == "spine" else _pick(rng, _COMPLAINTS[:-1])
    return _pick(
        rng,
        [
            f"A {case.age}-year-old {case.sex} presenting with {complaint}.",
            f"Preoperative imaging of a {case.age}-year-old {case.sex}.",
            f"Case {int(rng.integers(1, 9))}: {case.age}-year-old {case.sex} with {complaint}.",
        ],
    )


def single_caption(label: str, case: Case, labels: ScanLabels, rng: np.random.Generator) -> str:
    """Caption of a one-panel imaging figure, starting with ``label`` (e.g. ``"Figure 2."``)."""
    body = panel_sentence(labels, rng)
    if rng.random() < 0.35:
        body = f"{case_intro(case, rng)} {body}"
    return f"{label}. {body}"


def compound_caption(
    label: str, case: Case, panels: list[ScanLabels], rng: np.random.Generator
) -> tuple[str, list[str]]:
    """Caption of a compound figure plus the sub-caption of each panel.

    Two journal styles: ``(A) Axial ... (B) ...`` and ``A, axial ...; B, ...``.

    Returns:
        The full caption (starting with ``label``) and one sub-caption per panel (without the
        panel letter).
    """
    subs = [panel_sentence(p, rng) for p in panels]
    intro = case_intro(case, rng) + " " if rng.random() < 0.6 else ""
    letters = [chr(ord("A") + i) for i in range(len(panels))]
    if rng.random() < 0.7:
        parts = [f"({ch}) {s}" for ch, s in zip(letters, subs, strict=True)]
        return f"{label}. {intro}{' '.join(parts)}", subs
    parts = [f"{ch}, {s[0].lower()}{s[1:-1]}" for ch, s in zip(letters, subs, strict=True)]
    return f"{label}. {intro}{'; '.join(parts)}.", subs
