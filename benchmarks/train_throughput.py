"""Training throughput: litclip's loop vs a minimal PyTorch InfoNCE loop, and 1 vs 2 gloo ranks.

Same tiny model (``litclip-micro`` by default), same generated data (PNG files on disk, decoded
and augmented with the model's training transform), same batch, one intra-op thread per
process. Each configuration runs in its own process; samples/s is measured between optimizer
step ``--warmup`` and the last step (model loading, first-batch and saving costs excluded),
peak memory is each process's max RSS. Ratios are printed last::

    .venv/bin/python benchmarks/train_throughput.py --steps 30 --batch 32
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_data(root: Path, n: int, size: int) -> Path:
    """``n`` coloured images with captions naming colour and band, as a corpus manifest."""
    import pandas as pd
    from PIL import Image

    rng = np.random.default_rng(0)
    (root / "images").mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        arr = np.full((size, size, 3), rng.integers(0, 255, 3), np.uint8)
        arr[: size // 4] = 128
        Image.fromarray(arr).save(root / "images" / f"{i}.png")
        rows.append(
            {
                "pair_id": f"p{i}",
                "filepath": f"images/{i}.png",
                "caption": f"colour {arr[-1, -1].tolist()} case {i}",
            }
        )
    pd.DataFrame(rows).to_parquet(root / "manifest.parquet")
    return root


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plain_loop(data: Path, model_spec: str, batch: int, steps: int, warmup: int) -> dict:
    """The baseline: DataLoader + forward + symmetric InfoNCE + AdamW, nothing else."""
    import pandas as pd
    import torch
    import torch.nn.functional as F
    from PIL import Image

    from litclip.models import load_model

    torch.manual_seed(0)
    lm = load_model(model_spec)
    model = lm.model.train()
    frame = pd.read_parquet(data / "manifest.parquet")

    class DS(torch.utils.data.Dataset):
        def __len__(self) -> int:
            return len(frame)

        def __getitem__(self, i: int):
            with Image.open(data / frame.filepath[i]) as img:
                return lm.preprocess_train(img.convert("RGB")), frame.caption[i]

    def collate(items):
        imgs, caps = zip(*items, strict=True)
        return torch.stack(imgs), lm.tokenizer(list(caps))

    loader = torch.utils.data.DataLoader(
        DS(), batch_size=batch, shuffle=True, drop_last=True, collate_fn=collate
    )
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4)
    times = []
    for step, (images, tokens) in enumerate(loader, 1):
        img = F.normalize(model.encode_image(images), dim=-1)
        txt = F.normalize(model.encode_text(tokens), dim=-1)
        logits = model.logit_scale.exp() * img @ txt.T
        labels = torch.arange(len(img))
        loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        times.append(time.perf_counter())
        if step == steps:
            break
    rate = (steps - warmup) * batch / (times[-1] - times[warmup - 1])
    return {"samples_per_s": rate, "peak_mb": _peak_mb()}


def litclip_loop(
    data: Path, model_spec: str, batch: int, steps: int, warmup: int, out: Path
) -> dict:
    """``litclip.train.train`` with checkpoints off; rate from the per-step elapsed times it logs."""
    from litclip.train import TrainConfig, train

    cfg = TrainConfig(
        model=model_spec,
        data=str(data),
        out=str(out),
        batch_size=batch,
        max_steps=steps,
        epochs=1,
        checkpoint_every=0,
        log_every=1,
        progress=False,
        warmup_steps=1,
    )
    result = train(cfg)
    rank = int(os.environ.get("RANK", "0"))
    stats = {"peak_mb": _peak_mb(), "rank": rank}
    if rank == 0:
        lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
        t = {x["step"]: x["elapsed_s"] for x in lines if x["kind"] == "train"}
        world = int(os.environ.get("WORLD_SIZE", "1"))
        stats["samples_per_s"] = (
            (result.steps - warmup) * batch * world / (t[result.steps] - t[warmup])
        )
    return stats


def args_log_every(steps: int, warmup: int) -> int:
    """Log only as often as the timing window needs (the warmup step and the last step)."""
    import math

    return math.gcd(steps, warmup)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_worker(
    kind: str, args: argparse.Namespace, data: Path, tmp: Path, nproc: int = 1
) -> list[dict]:
    """Run one configuration in fresh processes (torch.distributed.run for several ranks)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    base = [
        __file__,
        "--worker",
        kind,
        "--data",
        str(data),
        "--model",
        args.model,
        "--batch",
        str(args.batch),
        "--steps",
        str(args.steps),
        "--warmup",
        str(args.warmup),
        "--out",
        str(tmp / f"{kind}{nproc}_{len(list(tmp.iterdir()))}"),
    ]
    if nproc == 1:
        cmd = [sys.executable, *base]
    else:
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            f"--nproc-per-node={nproc}",
            f"--master-port={_free_port()}",
            *base,
        ]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return [json.loads(p.read_text()) for p in sorted(Path(base[-1]).glob("stats_rank*.json"))]


def _rate(stats: list[dict]) -> float:
    return next(s["samples_per_s"] for s in stats if "samples_per_s" in s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="litclip-micro")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--image-size", type=int, default=64)
    ap.add_argument(
        "--repeats", type=int, default=2, help="alternate runs; the best of each is kept"
    )
    ap.add_argument("--worker", choices=["plain", "litclip"], help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        import torch

        torch.set_num_threads(1)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        if args.worker == "plain":
            stats = plain_loop(Path(args.data), args.model, args.batch, args.steps, args.warmup)
        else:
            stats = litclip_loop(
                Path(args.data), args.model, args.batch, args.steps, args.warmup, out / "run"
            )
        (out / f"stats_rank{os.environ.get('RANK', '0')}.json").write_text(json.dumps(stats))
        return
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        n = args.batch * 2 * (args.steps + 1)  # one epoch covers every step, even with 2 ranks
        data = write_data(tmp / "data", n, args.image_size)
        plain, one, two = None, None, None
        best = lambda a, b: b if a is None or _rate(b) > _rate(a) else a  # noqa: E731
        for _ in range(args.repeats):  # alternating, so load changes on a shared box hit both
            plain = best(plain, run_worker("plain", args, data, tmp))
            one = best(one, run_worker("litclip", args, data, tmp))
            two = best(two, run_worker("litclip", args, data, tmp, nproc=2))
        plain, one = plain[0], one[0]
    print(
        f"model {args.model}, batch {args.batch}/process, steps {args.steps} (first {args.warmup} not timed), "
        f"{args.image_size}px PNGs, 1 torch thread per process, best of {args.repeats} alternating runs"
    )
    print(
        f"plain PyTorch InfoNCE loop : {plain['samples_per_s']:8.1f} samples/s  peak {plain['peak_mb']:.0f} MB"
    )
    print(
        f"litclip train, 1 process   : {one['samples_per_s']:8.1f} samples/s  peak {one['peak_mb']:.0f} MB"
    )
    two_rate = next(s["samples_per_s"] for s in two if "samples_per_s" in s)
    peaks = ", ".join(f"{s['peak_mb']:.0f}" for s in two)
    print(
        f"litclip train, 2 gloo ranks: {two_rate:8.1f} samples/s  peak {peaks} MB per rank (global batch {2 * args.batch})"
    )
    print(f"ratio litclip/plain: {one['samples_per_s'] / plain['samples_per_s']:.3f}")
    print(f"ratio 2 ranks/1 rank: {two_rate / one['samples_per_s']:.3f}")


if __name__ == "__main__":
    main()
