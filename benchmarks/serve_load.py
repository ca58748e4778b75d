"""A bounded load test of the search service on 127.0.0.1.

Starts ``litclip serve`` in a subprocess on a free port (over ``--index``, or over a fresh
index of ``--figures`` synthetic figures built with ``--model``), sends a fixed number of
requests from ``--concurrency`` client threads (text searches with varied queries, "more
like this", figure metadata, images and a few image uploads), stops the server and reports
requests/s, p50/p99 latency per endpoint and overall, the micro-batcher's batch sizes and
the error count (exit status 1 when any request failed).

Usage::

    python benchmarks/serve_load.py                       # 600 requests, 8 clients
    python benchmarks/serve_load.py --requests 2000 --concurrency 16 --index runs/index
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

TERMS = [
    "axial",
    "sagittal",
    "coronal",
    "MRI",
    "CT",
    "T1",
    "T2",
    "FLAIR",
    "glioma",
    "meningioma",
    "metastasis",
    "hemorrhage",
    "infarct",
    "aneurysm",
    "fracture",
    "left",
    "right",
    "frontal",
    "temporal",
    "cerebellum",
    "enhancing",
    "hyperintense",
    "lesion",
    "chest",
    "radiograph",
]


def make_corpus(root: Path, n: int, seed: int = 0) -> Path:
    """A synthetic corpus directory (contract 1) with ``n`` figures and captions."""
    import pandas as pd
    from PIL import Image

    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        arr = (rng.random((96, 96, 1)) * np.linspace(40, 255, 96)[None, :, None]).astype(np.uint8)
        Image.fromarray(np.repeat(arr, 3, axis=2), "RGB").save(root / "images" / f"f{i}.png")
        caption = " ".join(rng.choice(TERMS, size=8))
        rows.append(
            {
                "pair_id": f"paper{i // 5}-fig{i}",
                "filepath": f"images/f{i}.png",
                "caption": caption,
                "figure_label": f"Figure {i % 5 + 1}",
                "panel": None,
                "parent_id": None,
                "pdf_sha256": f"{i // 5:064x}",
                "pdf_name": f"paper{i // 5}.pdf",
                "page": i % 9 + 1,
                "bbox": [0.0, 0.0, 100.0, 100.0],
                "width": 96,
                "height": 96,
                "kind": "image",
                "qc_pass": True,
                "qc_reasons": [],
            }
        )
    pd.DataFrame(rows).to_parquet(root / "manifest.parquet", index=False)
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, port: int, token: str, threads: int | None) -> subprocess.Popen:
    code = "import sys; from litclip.cli import main; sys.exit(main(sys.argv[1:]))"
    cmd = [sys.executable, "-c", code, "serve", str(index), "--port", str(port)]
    if threads:
        cmd += ["--threads", str(threads)]
    env = dict(os.environ, LITCLIP_API_TOKEN=token)
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(client, proc: subprocess.Popen, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            r = client.get("/health")
            if r.status_code == 200:
                return r.json()
        except Exception:  # not listening yet
            pass
        time.sleep(0.3)
    raise SystemExit("server did not become ready")


def plan(n: int, ids: list[str], seed: int) -> list[tuple[str, str, dict]]:
    """A fixed, seeded list of (kind, path, extra) requests."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        r = rng.random()
        pid = rng.choice(ids)
        if r < 0.5:
            q = " ".join(rng.sample(TERMS, rng.randint(2, 6)))
            out.append(("search", "/search", {"params": {"q": q, "k": 20}}))
        elif r < 0.7:
            out.append(("similar", f"/figures/{pid}/similar", {"params": {"k": 20}}))
        elif r < 0.85:
            out.append(("figure", f"/figures/{pid}", {}))
        elif r < 0.97:
            out.append(("image", f"/figures/{pid}/image", {}))
        else:
            out.append(("upload", "/search/image", {}))
    return out


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 90, 90)).save(buf, format="PNG")
    return buf.getvalue()


def run_load(base: str, token: str, requests: list, concurrency: int) -> tuple[list, float]:
    import httpx

    png = _png()
    headers = {"X-API-Token": token}
    clients = [httpx.Client(base_url=base, headers=headers, timeout=60) for _ in range(concurrency)]

    def one(i: int) -> tuple[str, float, int]:
        kind, path, extra = requests[i]
        client = clients[i % concurrency]
        t0 = time.perf_counter()
        try:
            if kind == "upload":
                r = client.post(path, files={"file": ("q.png", png, "image/png")}, params={"k": 20})
            else:
                r = client.get(path, **extra)
            status = r.status_code
        except Exception:
            status = -1
        return kind, (time.perf_counter() - t0) * 1000, status

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(len(requests))))
    wall = time.perf_counter() - t0
    for c in clients:
        c.close()
    return results, wall


def summarize(results: list, wall: float) -> dict:
    out: dict = {
        "requests": len(results),
        "wall_s": round(wall, 2),
        "requests_per_s": round(len(results) / wall, 1),
    }
    lat = np.array([r[1] for r in results])
    out["errors"] = sum(1 for r in results if not 200 <= r[2] < 300)
    out["p50_ms"], out["p99_ms"] = (
        round(float(np.percentile(lat, 50)), 1),
        round(float(np.percentile(lat, 99)), 1),
    )
    per = {}
    for kind in sorted({r[0] for r in results}):
        sub = np.array([r[1] for r in results if r[0] == kind])
        per[kind] = {
            "n": len(sub),
            "p50_ms": round(float(np.percentile(sub, 50)), 1),
            "p99_ms": round(float(np.percentile(sub, 99)), 1),
        }
    out["by_endpoint"] = per
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--index", type=Path, default=None, help="serve this index (else build a synthetic one)"
    )
    p.add_argument("--figures", type=int, default=300)
    p.add_argument("--model", default="litclip-tiny")
    p.add_argument("--requests", type=int, default=600)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--server-threads", type=int, default=None, help="torch threads in the server")
    args = p.parse_args(argv)

    import httpx
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        index = args.index
        if index is None:
            from litclip.serve.index import build_index

            corpus = make_corpus(Path(tmp) / "corpus", args.figures, args.seed)
            index = build_index(args.model, corpus, Path(tmp) / "index", progress=False)
        ids = pd.read_parquet(index / "metadata.parquet")["pair_id"].astype(str).tolist()
        port, token = free_port(), "load-test-token"
        proc = start_server(index, port, token, args.server_threads)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, headers={"X-API-Token": token}, timeout=10) as c:
                health = wait_ready(c, proc)
                warm = plan(20, ids, args.seed + 1)
                run_load(base, token, warm, 2)  # warm-up, not measured
                results, wall = run_load(
                    base, token, plan(args.requests, ids, args.seed), args.concurrency
                )
                after = c.get("/health").json()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    summary = summarize(results, wall)
    summary.update(
        concurrency=args.concurrency,
        server_threads=args.server_threads,
        load_average_1min=round(os.getloadavg()[0], 1),
        figures=health["count"],
        model=health["model"],
        text_batches=after.get("text_batches"),
    )
    print(json.dumps(summary, indent=2))
    print(
        f"{summary['requests']} requests, {summary['requests_per_s']} req/s, p50 {summary['p50_ms']} ms, "
        f"p99 {summary['p99_ms']} ms, errors {summary['errors']}"
    )
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
