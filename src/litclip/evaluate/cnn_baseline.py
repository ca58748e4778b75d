"""Supervised CNN baselines (timm ResNet-18, ConvNeXt-Tiny) trained end to end on the same split.

Pretrained ImageNet weights are used when timm can get them (local cache, or the hub when it is
reachable); otherwise the network trains from scratch and the result says ``pretrained: false``.
The epoch is chosen on validation (AUROC for binary tasks, balanced accuracy otherwise), and
for binary tasks the decision threshold is chosen on validation too; test is evaluated once.
"""

from __future__ import annotations

import copy
import socket
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from litclip.data import to_rgb
from litclip.errors import LitclipError
from litclip.evaluate.calibration import best_threshold
from litclip.evaluate.metrics import classification_metrics, evaluate_predictions

ARCHS = {"resnet18": "resnet18", "convnext_tiny": "convnext_tiny"}
MIN_SIZE = {"resnet18": 28, "convnext_tiny": 64}  # ConvNeXt downsamples 32x in 2x2 steps


@dataclass
class CNNConfig:
    """Training options of a CNN baseline (recorded with the results)."""

    arch: str = "resnet18"
    epochs: int = 10
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 0.05
    img_size: int | None = None  # default: the images' own size, at least MIN_SIZE[arch]
    augment: bool = True
    pretrained: str = "auto"  # auto | yes | no
    criterion: str = "f1"  # threshold criterion on validation (binary tasks)
    seed: int = 0


def _hub_reachable(timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection(("huggingface.co", 443), timeout=timeout):
            return True
    except OSError:
        return False


def _cached_weights(arch: str) -> str | None:
    """Path of timm's ImageNet weights for ``arch`` in the local Hugging Face cache, if any."""
    import timm
    from huggingface_hub import try_to_load_from_cache

    cfg = timm.models.get_pretrained_cfg(ARCHS[arch])
    repo = getattr(cfg, "hf_hub_id", None) if cfg is not None else None
    if not repo:
        return None
    for name in ("model.safetensors", "pytorch_model.bin"):
        found = try_to_load_from_cache(repo, name)
        if isinstance(found, str):
            return found
    return None


def pretrained_available(arch: str) -> bool:
    """Whether ImageNet weights for ``arch`` can be had: in the local cache or from the hub."""
    return _cached_weights(arch) is not None or _hub_reachable()


def offline_message(arch: str) -> str:
    """Why ``--cnn-pretrained yes`` cannot run here, and what to do instead."""
    return (
        f"pretrained weights for {arch} are not available offline (not in the Hugging Face "
        "cache and the hub is unreachable): use --cnn-pretrained auto or no, or fill the "
        "cache on a connected machine"
    )


def create_model(arch: str, n_classes: int, pretrained: str = "auto") -> tuple[Any, bool]:
    """A timm model with ``n_classes`` outputs and whether ImageNet weights were loaded.

    ``auto``/``yes`` use weights from the local cache, else download them when the hub
    answers a quick probe; ``auto`` falls back to random init, ``yes`` raises.
    """
    import timm

    if arch not in ARCHS:
        raise ValueError(f"unknown CNN baseline {arch!r}; choose one of {sorted(ARCHS)}")
    if pretrained != "no":
        cached = _cached_weights(arch)
        try:
            if cached is not None:
                overlay = {"file": cached}
                return timm.create_model(
                    ARCHS[arch],
                    pretrained=True,
                    num_classes=n_classes,
                    pretrained_cfg_overlay=overlay,
                ), True
            if _hub_reachable():
                return timm.create_model(ARCHS[arch], pretrained=True, num_classes=n_classes), True
        except Exception:  # noqa: BLE001 - unusable weights: fall back to from-scratch
            pass
        if pretrained == "yes":
            raise LitclipError(offline_message(arch))
    return timm.create_model(ARCHS[arch], pretrained=False, num_classes=n_classes), False


def to_tensors(dataset: Any, size: int) -> tuple[Any, np.ndarray]:
    """Stack a dataset of ``(PIL image, label)`` into a uint8 ``(N, 3, size, size)`` tensor."""
    import torch
    from PIL import Image

    images = np.empty((len(dataset), size, size, 3), dtype=np.uint8)
    labels = np.empty(len(dataset), dtype=np.int64)
    for i in range(len(dataset)):
        img, label = dataset[i]
        img = to_rgb(img)
        if img.size != (size, size):
            img = img.resize((size, size), Image.BILINEAR)
        images[i], labels[i] = np.asarray(img), int(label)
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), labels


def augment_batch(x: Any, gen: Any, pad: int = 3, jitter: float = 0.15) -> Any:
    """Light, batched augmentation: random shifts (reflect-padded crops) and brightness/contrast.

    Vectorised over the batch so it costs milliseconds, not a per-image transform pipeline.
    """
    import torch

    n, _, h, w = x.shape
    xf = torch.nn.functional.pad(x.float(), (pad, pad, pad, pad), mode="reflect")
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    out = _crop(xf, dy, dx, h, w)
    scale = 1 + jitter * (2 * torch.rand(n, 1, 1, 1, generator=gen) - 1)
    shift = 255 * jitter / 2 * (2 * torch.rand(n, 1, 1, 1, generator=gen) - 1)
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    return ((out - mean) * scale + mean + shift).clamp(0, 255)


def _crop(x: Any, dy: Any, dx: Any, h: int, w: int) -> Any:
    import torch

    return torch.stack(
        [
            x[i, :, int(a) : int(a) + h, int(b) : int(b) + w]
            for i, (a, b) in enumerate(zip(dy, dx, strict=True))
        ]
    )


def _normalise(x: Any) -> Any:
    return (x.float() / 255.0 - 0.5) / 0.25


def predict_probs(model: Any, images: Any, batch_size: int = 512) -> np.ndarray:
    """Softmax probabilities of ``model`` over uint8 image tensors."""
    import torch

    model.eval()
    out = []
    with torch.inference_mode():
        for s in range(0, len(images), batch_size):
            out.append(torch.softmax(model(_normalise(images[s : s + batch_size])), -1).numpy())
    return np.concatenate(out).astype(np.float64)


def _train_epoch(
    model: Any,
    opt: Any,
    sched: Any,
    x: Any,
    y: Any,
    cfg: CNNConfig,
    rng: np.random.Generator,
    gen: Any,
) -> float:
    import torch

    model.train()
    order = torch.from_numpy(rng.permutation(len(x)))
    total = 0.0
    for s in range(0, len(order), cfg.batch_size):
        idx = order[s : s + cfg.batch_size]
        xb = x[idx]
        if cfg.augment:
            xb = augment_batch(xb, gen)
        loss = torch.nn.functional.cross_entropy(model(_normalise(xb)), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        total += float(loss.detach()) * len(idx)
    return total / len(x)


def _selection_score(y: np.ndarray, probs: np.ndarray) -> float:
    m = classification_metrics(y, probs)
    return m["auroc"] if probs.shape[1] == 2 else m["balanced_accuracy"]


def train_and_select(
    cfg: CNNConfig, train: Any, val: Any, n_classes: int, progress: bool = False
) -> tuple[Any, dict]:
    """Train for ``cfg.epochs`` and keep the weights of the best validation epoch."""
    import torch

    torch.manual_seed(cfg.seed)
    model, pretrained = create_model(cfg.arch, n_classes, cfg.pretrained)
    (x, y), (xv, yv) = train, val
    steps = cfg.epochs * ((len(x) + cfg.batch_size - 1) // cfg.batch_size)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cfg.lr, total_steps=steps, pct_start=0.15)
    rng = np.random.default_rng(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    best, best_state, best_epoch, history = -np.inf, None, 0, []
    for epoch in range(cfg.epochs):
        t0 = time.perf_counter()
        loss = _train_epoch(model, opt, sched, x, torch.from_numpy(y), cfg, rng, gen)
        score = _selection_score(yv, predict_probs(model, xv))
        history.append(
            {
                "epoch": epoch + 1,
                "train_loss": round(loss, 5),
                "val_score": round(score, 5),
                "seconds": round(time.perf_counter() - t0, 2),
            }
        )
        if progress:
            print(f"  {cfg.arch} epoch {epoch + 1}/{cfg.epochs}: loss {loss:.4f} val {score:.4f}")
        ranked = score if np.isfinite(score) else -np.inf  # an undefined AUROC is no best
        if best_state is None or ranked > best:
            best, best_state, best_epoch = ranked, copy.deepcopy(model.state_dict()), epoch + 1
    model.load_state_dict(best_state)
    return model, {"pretrained": pretrained, "history": history, "best_epoch": best_epoch}


def evaluate(
    train_ds: Any,
    val_ds: Any,
    test_ds: Any,
    config: CNNConfig | None = None,
    n_classes: int | None = None,
    n_boot: int = 1000,
    classnames: Sequence[str] | None = None,
    progress: bool = False,
) -> dict:
    """Train a CNN baseline and evaluate it on test: ``{"metrics", "ci95", "details"}``.

    For binary tasks ``metrics`` use the validation-chosen threshold and
    ``details["before"]`` the argmax rule; ``details["pretrained"]`` says whether ImageNet
    weights were used.
    """
    cfg = config or CNNConfig()
    native = train_ds[0][0].size[0]
    size = max(cfg.img_size or native, MIN_SIZE.get(cfg.arch, 32))
    train, val, test = (to_tensors(d, size) for d in (train_ds, val_ds, test_ds))
    n_classes = n_classes or int(max(train[1].max(), val[1].max(), test[1].max())) + 1
    t0 = time.perf_counter()
    model, info = train_and_select(cfg, train, val, n_classes, progress)
    probs_val, probs_test = predict_probs(model, val[0]), predict_probs(model, test[0])
    thr = best_threshold(val[1], probs_val[:, 1], cfg.criterion) if n_classes == 2 else None
    out = evaluate_predictions(test[1], probs_test, thr, n_boot, cfg.seed, classnames)
    out["details"].update(info)
    out["details"].update(
        {
            "config": asdict(cfg),
            "img_size": size,
            "train_seconds": round(time.perf_counter() - t0, 1),
            "before": classification_metrics(test[1], probs_test),
        }
    )
    return out
