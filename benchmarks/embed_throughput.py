"""Images/s of litclip's ``encode_images`` vs a bare open_clip ``encode_image`` loop.

Same model, same PIL inputs, same batch size and preprocessing, in one process; the two are
run alternately several times and the median of each is compared. Prints the ratio last
(goal: >= 0.95).

    python benchmarks/embed_throughput.py [--model litclip-tiny] [--n 512] [--batch-size 64]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from PIL import Image

from litclip.models import encode_images, load_model


def bare_loop(lm, images, batch_size: int) -> np.ndarray:
    """The minimal reference: preprocess, stack, encode, normalise."""
    out = []
    with torch.inference_mode():
        for start in range(0, len(images), batch_size):
            batch = torch.stack(
                [lm.preprocess_val(im) for im in images[start : start + batch_size]]
            )
            feats = lm.model.encode_image(batch)
            out.append(torch.nn.functional.normalize(feats, dim=-1).numpy())
    return np.concatenate(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="litclip-tiny")
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    lm = load_model(args.model)
    rng = np.random.default_rng(0)
    images = [
        Image.fromarray(rng.integers(0, 255, (128, 128, 3), dtype=np.uint8)) for _ in range(args.n)
    ]
    encode_images(lm, images[: args.batch_size], progress=False)  # warm-up
    bare_loop(lm, images[: args.batch_size], args.batch_size)

    lit, bare = [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        a = encode_images(lm, images, batch_size=args.batch_size, progress=False)
        lit.append(args.n / (time.perf_counter() - t))
        t = time.perf_counter()
        b = bare_loop(lm, images, args.batch_size)
        bare.append(args.n / (time.perf_counter() - t))
    assert np.allclose(a, b, atol=1e-4), "litclip and bare embeddings differ"
    print(
        f"model {args.model}, {args.n} images, batch {args.batch_size}, threads {torch.get_num_threads()}"
    )
    print(
        f"litclip encode_images: {statistics.median(lit):8.1f} images/s (runs: {', '.join(f'{x:.1f}' for x in lit)})"
    )
    print(
        f"bare open_clip loop:   {statistics.median(bare):8.1f} images/s (runs: {', '.join(f'{x:.1f}' for x in bare)})"
    )
    print(
        f"ratio litclip/bare: {statistics.median(lit) / statistics.median(bare):.3f} (goal >= 0.95)"
    )


if __name__ == "__main__":
    main()
