"""Is the synthetic journal learnable? Fine-tune litclip-tiny on ground-truth pairs, report R@1.

Pairs come straight from the generator (panel images + sub-captions, single figures + captions),
bypassing PDF extraction, so this measures the data, not the extractor. Split by article as in
``splits.json``. Prints text->image R@1 of the base and the fine-tuned model on held-out
articles, with chance (1/N) and the ratio to chance last.

    .venv/bin/python benchmarks/synthetic_learnability.py --articles 48 --minutes 4
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F

from litclip.data.synthetic.article import plan_article
from litclip.data.synthetic.journal import pair_splits
from litclip.models import load_model


def collect_pairs(n_articles: int, seed: int, panel_px: int) -> dict[str, list]:
    split_of = {a: s for s, ids in pair_splits(n_articles, seed).items() for a in ids}
    pairs: dict[str, list] = {"train": [], "val": [], "test": []}
    for i in range(n_articles):
        plan = plan_article(i + 1, np.random.default_rng([seed, 0, i]), panel_px)
        for fig in plan.figures:
            if fig.figure_type != "imaging":
                continue
            texts = fig.panel_captions if fig.compound else [fig.caption.split(". ", 1)[1]]
            for img, text in zip(fig.images, texts, strict=True):
                pairs[split_of[plan.article_id]].append((img, text))
    return pairs


@torch.no_grad()
def recall_at_1(lm, pairs: list) -> float:
    model = lm.model.eval()
    imgs = torch.stack([lm.preprocess_val(p[0]) for p in pairs])
    toks = lm.tokenizer([p[1] for p in pairs])
    ie = F.normalize(model.encode_image(imgs), dim=-1)
    te = F.normalize(model.encode_text(toks), dim=-1)
    sims = te @ ie.T
    return float((sims.argmax(1) == torch.arange(len(pairs))).float().mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--minutes", type=float, default=4.0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=5e-4)
    args = ap.parse_args()
    torch.manual_seed(0)
    pairs = collect_pairs(args.articles, args.seed, 192)
    print({k: len(v) for k, v in pairs.items()})
    lm = load_model("litclip-tiny")
    test = pairs["test"] + pairs["val"]
    base = recall_at_1(lm, test)
    model = lm.model.train()
    # The text tower is frozen (CPU budget): its embeddings are computed once; a linear adapter
    # (identity init) and the whole image tower are trained.
    train = pairs["train"]
    with torch.no_grad():
        text_emb = torch.cat(
            [
                model.encode_text(lm.tokenizer([p[1] for p in train[i : i + 32]]))
                for i in range(0, len(train), 32)
            ]
        )
    adapter = torch.nn.Linear(text_emb.shape[1], text_emb.shape[1])
    torch.nn.init.eye_(adapter.weight)
    torch.nn.init.zeros_(adapter.bias)
    params = [p for n, p in model.named_parameters() if n.startswith("visual")]
    params += list(adapter.parameters()) + [model.logit_scale]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.05)
    start, step = time.time(), 0
    while time.time() - start < args.minutes * 60:
        idx = torch.randperm(len(train))[: args.batch]
        imgs = torch.stack([lm.preprocess_train(train[i][0]) for i in idx])
        ie = F.normalize(model.encode_image(imgs), dim=-1)
        te = F.normalize(adapter(text_emb[idx]), dim=-1)
        logits = model.logit_scale.exp() * ie @ te.T
        labels = torch.arange(len(idx))
        loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 20 == 0:
            print(f"step {step} loss {loss.item():.3f} {time.time() - start:.0f}s", flush=True)
    model.eval()
    with torch.no_grad():
        imgs = torch.stack([lm.preprocess_val(p[0]) for p in test])
        ie = F.normalize(model.encode_image(imgs), dim=-1)
        te = torch.cat(
            [
                model.encode_text(lm.tokenizer([p[1] for p in test[i : i + 32]]))
                for i in range(0, len(test), 32)
            ]
        )
        te = F.normalize(adapter(te), dim=-1)
        sims = te @ ie.T
        tuned = float((sims.argmax(1) == torch.arange(len(test))).float().mean())
        rank = (sims > sims.diag()[:, None]).sum(1)
        tuned5 = float((rank < 5).float().mean())
    chance = 1 / len(test)
    print(f"held-out pairs {len(test)}; chance R@1 {chance:.4f}")
    print(
        f"base R@1 {base:.4f}; fine-tuned R@1 {tuned:.4f}; fine-tuned R@5 {tuned5:.4f}; steps {step}"
    )
    print(f"ratio fine-tuned/chance {tuned / chance:.2f}")


if __name__ == "__main__":
    main()
