"""The corpus build over damaged copies of real PDFs: what a folder of broken downloads costs.

The generated bad files of the test suite are small and made here; real damage hits real
documents. Each copy here is one of the unseen PDFs of ``unseen_boxes.py`` (fetched into the
same cache) damaged one way, by turns: truncated (30-95% kept), 200 random bytes overwritten,
a 4 KiB block zeroed, the xref table and trailer cut off, 20 KB of a content stream shuffled,
or a fifth of the object headers renumbered. The build must end every copy as ``ok`` or as
a recorded error of a named kind (never ``internal``: that is a bug), within the timeout and
with bounded memory.

Usage::

    python benchmarks/damaged_copies.py [--cache DIR] [--n 120] [--seed 11] [--workers 2]

Prints the statuses by error kind, the pairs found, any ``internal`` error, and the copies
that took the most memory and time (peak worker RSS is the goal's measure: under 2 GB).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from unseen_boxes import stage_all  # noqa: E402 - a sibling script, not a package

from litclip.corpus import CorpusConfig, build_corpus  # noqa: E402

DAMAGE = ("truncated", "bytes", "zeroed", "no_xref", "shuffled", "renumbered")


def damage(data: bytes, how: str, rng: random.Random) -> bytes:
    """``data`` damaged one way (see the module's docstring)."""
    b, n = bytearray(data), len(data)
    if how == "truncated":
        return bytes(b[: int(n * rng.uniform(0.3, 0.95))])
    if how == "bytes":
        for _ in range(200):
            b[rng.randrange(n)] = rng.randrange(256)
    elif how == "zeroed":
        k = rng.randrange(n // 4, 3 * n // 4)
        b[k : k + 4096] = bytes(len(b[k : k + 4096]))
    elif how == "no_xref":
        cut = data.rfind(b"xref")
        return data[: cut if cut > 0 else n // 2]
    elif how == "shuffled":
        k = data.find(b"stream", n // 3)
        if k > 0:
            seg = list(b[k + 7 : k + 7 + 20000])
            rng.shuffle(seg)
            b[k + 7 : k + 7 + len(seg)] = bytes(seg)
    elif how == "renumbered":
        return re.sub(
            rb"\n(\d+) 0 obj",
            lambda m: b"\n%d 0 obj" % rng.randrange(1, 5000) if rng.random() < 0.2 else m[0],
            data,
        )
    return bytes(b)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "litclip" / "unseen-pdfs"))
    ap.add_argument("--n", type=int, default=120, help="damaged copies to make")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per PDF")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="litclip-damaged-"))
    try:
        originals = work / "original"
        stage_all(Path(args.cache), originals)
        sources = sorted(originals.glob("*.pdf"))
        rng.shuffle(sources)
        copies = work / "damaged"
        copies.mkdir()
        for i, src in enumerate(sources[: args.n]):
            how = DAMAGE[i % len(DAMAGE)]
            (copies / f"{i:03d}_{how}_{src.name}").write_bytes(damage(src.read_bytes(), how, rng))
        summary = build_corpus(
            copies,
            work / "corpus",
            CorpusConfig(workers=args.workers, timeout=args.timeout),
        )
        rows = [json.loads(x) for x in (work / "corpus" / "pdf_status.jsonl").open()]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    kinds = Counter(r["error_kind"] or "ok" for r in rows)
    print(f"{len(rows)} damaged copies: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    print(f"pairs: {summary.pairs} (passed QC {summary.passed})")
    for r in rows:
        if r["error_kind"] == "internal":
            print(f"INTERNAL: {r['name']}: {r['error_message']}")
    for key, unit in (("peak_rss_mb", "MiB"), ("seconds", "s")):
        worst = sorted(rows, key=lambda r: -(r.get(key) or 0))[:3]
        print(f"most {key}: " + ", ".join(f"{r['name']} {r[key]} {unit}" for r in worst))


if __name__ == "__main__":
    main()
