"""Random but plausible neurosurgical prose: titles, authors, abstracts, body text, references."""

from __future__ import annotations

import numpy as np

_FIRST = [
    "A.",
    "B.",
    "C.",
    "D.",
    "E.",
    "F.",
    "G.",
    "H.",
    "J.",
    "K.",
    "L.",
    "M.",
    "N.",
    "P.",
    "R.",
    "S.",
    "T.",
    "W.",
]
_LAST = [
    "Adler",
    "Bauer",
    "Chen",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zhang",
    "Novak",
    "Silva",
]
_PLACES = [
    "Department of Neurosurgery, University Hospital, Basel, Switzerland",
    "Division of Neurosurgery, St. Mary's Medical Center, Toronto, Canada",
    "Department of Neurological Surgery, Kyoto University, Kyoto, Japan",
    "Department of Neuroradiology, Karolinska Institute, Stockholm, Sweden",
    "Neurosurgical Unit, Hospital Clinic, Barcelona, Spain",
]
_PRETTY = {
    "glioma": "Glioma",
    "meningioma": "Meningioma",
    "metastasis": "Brain Metastasis",
    "abscess": "Brain Abscess",
    "hemorrhage": "Intracerebral Hemorrhage",
    "infarct": "Malignant Cerebral Infarction",
    "aneurysm": "Intracranial Aneurysm",
    "fracture": "Vertebral Compression Fracture",
    "none": "Intracranial Lesions",
}

_INTRO = [
    "{Topic} remains a frequent indication for neurosurgical intervention, and its optimal management is still debated.",
    "Advances in magnetic resonance imaging have changed the preoperative evaluation of {topic}.",
    "The reported incidence of {topic} varies between {a} and {b} per 100,000 person-years.",
    "Previous series have emphasised the prognostic value of the extent of resection.",
    "Several classification systems have been proposed, but none has been universally adopted.",
    "Microsurgical techniques combined with intraoperative neuronavigation allow safe resection in most patients.",
    "Imaging findings may overlap with those of other intracranial pathologies, which complicates the differential diagnosis.",
    "The aim of this study was to describe our institutional experience and to review the relevant literature.",
]
_METHODS = [
    "We retrospectively reviewed the records of {n} consecutive patients treated between {y0} and {y1}.",
    "The study was approved by the institutional review board, and the need for informed consent was waived.",
    "All patients underwent preoperative MRI on a 3-T scanner including T1-weighted, T2-weighted, FLAIR and contrast-enhanced sequences.",
    "Computed tomography was performed on admission in all emergency cases.",
    "Extent of resection was assessed on early postoperative MRI obtained within 72 hours.",
    "Continuous variables are reported as mean and standard deviation, and categorical variables as counts and percentages.",
    "Survival was estimated with the Kaplan-Meier method and compared with the log-rank test.",
    "Two neuroradiologists blinded to the clinical data reviewed all images independently.",
    "Functional status was graded with the Karnofsky Performance Scale before surgery and at last follow-up.",
]
_RESULTS = [
    "The mean age of the cohort was {age} years, and {pct}% of patients were women.",
    "Gross total resection was achieved in {pct}% of cases.",
    "The median follow-up was {m} months (range, {m0}-{m1} months).",
    "Postoperative complications occurred in {k} patients, including wound infection and transient neurological deficits.",
    "No perioperative deaths were recorded.",
    "Headache was the most common presenting symptom, followed by seizures and focal deficits.",
    "Lesion size did not differ significantly between the two groups (p = 0.{p}).",
    "Neurological function improved or remained stable in {pct}% of patients.",
]
_DISCUSSION = [
    "Our findings are consistent with previously published surgical series.",
    "The imaging appearance of {topic} reflects its underlying histopathology.",
    "Early surgical decompression may improve outcomes in selected patients.",
    "The retrospective design and the limited sample size are the main limitations of this study.",
    "Prospective multicentre studies are needed to confirm these results.",
    "Careful preoperative planning based on multiparametric MRI is essential to minimise morbidity.",
    "Recurrence was associated with subtotal resection, in line with earlier reports.",
    "In conclusion, surgical treatment of {topic} was safe and effective in our series.",
]
_JOURNALS = [
    "J Neurosurg",
    "Neurosurgery",
    "Acta Neurochir (Wien)",
    "World Neurosurg",
    "Neuroradiology",
    "J Neurooncol",
    "AJNR Am J Neuroradiol",
    "Neurosurg Rev",
]


def _pick(rng: np.random.Generator, items: list[str]) -> str:
    return items[int(rng.integers(len(items)))]


def _fill(template: str, topic: str, rng: np.random.Generator) -> str:
    a = int(rng.integers(1, 8))
    m0 = int(rng.integers(1, 6))
    return template.format(
        topic=topic,
        Topic=topic[0].upper() + topic[1:],
        a=a,
        b=a + int(rng.integers(2, 9)),
        n=int(rng.integers(24, 320)),
        y0=int(rng.integers(2005, 2014)),
        y1=int(rng.integers(2016, 2025)),
        age=f"{rng.uniform(38, 68):.1f}",
        pct=int(rng.integers(35, 92)),
        m=int(rng.integers(12, 60)),
        m0=m0,
        m1=m0 + int(rng.integers(40, 120)),
        k=int(rng.integers(2, 15)),
        p=int(rng.integers(10, 90)),
    )


def paragraph(section: str, topic: str, rng: np.random.Generator, n_sentences: int = 5) -> str:
    """One paragraph of ``section`` (intro / methods / results / discussion) prose."""
    bank = {"intro": _INTRO, "methods": _METHODS, "results": _RESULTS, "discussion": _DISCUSSION}[
        section
    ]
    order = rng.permutation(len(bank))[:n_sentences]
    return " ".join(_fill(bank[i], topic, rng) for i in order)


def topic_of(lesion: str) -> str:
    """A lower-case topic phrase for a lesion kind (used in prose templates)."""
    return _PRETTY.get(lesion, "Intracranial Lesions").lower()


def title(lesion: str, side: str | None, location: str | None, rng: np.random.Generator) -> str:
    """An article title built around the article's main case."""
    pretty = _PRETTY.get(lesion, "Intracranial Lesions")
    where = (
        f"{side.capitalize()} {location.title()} " if side in ("left", "right") and location else ""
    )
    subject = f"{where}{pretty}"
    article = "an" if subject[0] in "AEIOU" else "a"
    return _pick(
        rng,
        [
            f"Surgical Management of {article} {subject}: Case Report and Review of the Literature",
            f"Outcomes After Microsurgical Treatment of {pretty}: A Retrospective Series of {int(rng.integers(30, 300))} Patients",
            f"Imaging Characteristics and Clinical Course of {pretty}",
            f"Predictors of Recurrence in {pretty}: A Single-Centre Experience",
        ],
    )


def authors(rng: np.random.Generator) -> list[str]:
    """Three to six author names."""
    n = int(rng.integers(3, 7))
    return [f"{_pick(rng, _FIRST)} {_pick(rng, _LAST)}" for _ in range(n)]


def affiliation(rng: np.random.Generator) -> str:
    """One institutional affiliation."""
    return _pick(rng, _PLACES)


def abstract(topic: str, rng: np.random.Generator) -> str:
    """A structured abstract (Background / Methods / Results / Conclusions)."""
    return (
        f"<b>Background:</b> {paragraph('intro', topic, rng, 2)} "
        f"<b>Methods:</b> {paragraph('methods', topic, rng, 2)} "
        f"<b>Results:</b> {paragraph('results', topic, rng, 2)} "
        f"<b>Conclusions:</b> {paragraph('discussion', topic, rng, 1)}"
    )


def references(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` numbered, plausible-looking references."""
    refs = []
    for i in range(n):
        names = ", ".join(
            f"{_pick(rng, _LAST)} {_pick(rng, _FIRST)[0]}" for _ in range(int(rng.integers(1, 4)))
        )
        year = int(rng.integers(1995, 2026))
        vol, page = int(rng.integers(10, 140)), int(rng.integers(1, 1800))
        topic = topic_of(_pick(rng, list(_PRETTY)))
        refs.append(
            f"{i + 1}. {names}. Clinical and radiological features of {topic}. "
            f"{_pick(rng, _JOURNALS)}. {year};{vol}:{page}-{page + int(rng.integers(4, 12))}."
        )
    return refs
