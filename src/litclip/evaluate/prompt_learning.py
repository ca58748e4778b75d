"""Prompt learning on frozen CLIP towers: CoOp, CoCoOp and BiomedCoOp as few-shot tasks.

The learned context vectors replace the word embeddings of ``n_ctx`` placeholder tokens in
``"X X X X {class name}."``; the text tower then runs from those input embeddings (one small
adapter per tower type, see :data:`TOWERS`). Both encoders stay frozen: image features come
precomputed from the feature cache and only the context (plus CoCoOp's meta-network) trains.

- CoOp (Zhou et al.): context shared across classes (or one per class), cross-entropy over
  the model's cosine logits.
- CoCoOp: a Linear-ReLU-Linear meta-network (bottleneck width/16) turns each image feature
  into a shift added to every context vector (instance-conditional prompts).
- BiomedCoOp (Koleilat et al.): context initialised from "a photo of a"; loss = CE
  + λ1 · MSE(learned class embedding, mean of the class's description bank)
  + λ2 · KL(zero-shot prediction of the pruned description ensemble || model prediction);
  descriptions whose score is an outlier (MAD z-score > τ) are pruned from that ensemble
  only (the MSE target is the whole bank's mean).

For each K and seed a K-shot sample is drawn with :func:`~litclip.evaluate.fewshot.sample_kshot`;
the epoch is chosen on validation balanced accuracy (never test) and the test split is scored once.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from litclip.errors import LitclipError
from litclip.evaluate.fewshot import (
    DEFAULT_KS,
    DEFAULT_SEEDS,
    _aggregate,
    constant_rule,
    sample_kshot,
)
from litclip.evaluate.metrics import confusion_metrics, evaluate_predictions, rule_confusion

METHODS = ("coop", "cocoop", "biomedcoop")
PLACEHOLDER = "X"
DEFAULT_INIT = "a photo of a"


@dataclass
class PromptConfig:
    """Hyper-parameters of one prompt learner (published BiomedCoOp: SGD 0.0025, batch 4,
    100 epochs; the defaults here are smaller so a CPU run stays short)."""

    method: str = "coop"
    n_ctx: int = 4  # ignored when ctx_init is set (its token count is used)
    ctx_init: str | None = None  # None: random for CoOp, "a photo of a" for the others
    class_specific: bool = False
    epochs: int = 10
    lr: float = 0.0025
    batch_size: int = 4
    lambda1: float = 1.0
    lambda2: float = 1.0
    tau: float = 1.5
    seed: int = 0

    def init_phrase(self) -> str | None:
        """The phrase whose token embeddings initialise the context (None = random)."""
        if self.ctx_init is not None:
            return self.ctx_init or None
        return None if self.method == "coop" else DEFAULT_INIT


# --------------------------------------------------------------------------- text towers
class OpenClipTower:
    """open_clip's own text transformer (``CLIP``): token/positional embeddings, causal
    transformer, ``ln_final``, pooling at the EOT token, ``text_projection``."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def embed(self, ids: Any) -> Any:
        """Word embeddings ``(N, L, width)`` of token ids."""
        return self.model.token_embedding(ids)

    def encode(self, embeds: Any, ids: Any) -> Any:
        """Unnormalised text features from input embeddings (``ids`` give pooling/length)."""
        from open_clip.transformer import text_global_pool

        m = self.model
        n = embeds.shape[1]
        x = embeds + m.positional_embedding[:n].to(embeds.dtype)
        mask = m.attn_mask[:n, :n] if m.attn_mask is not None else None
        x = m.ln_final(m.transformer(x, attn_mask=mask))
        x = text_global_pool(x, ids, m.text_pool_type, eos_token_id=getattr(m, "text_eos_id", None))
        proj = m.text_projection
        if proj is None:
            return x
        return proj(x) if callable(proj) and not hasattr(proj, "shape") else x @ proj

    def lengths(self, ids: Any) -> int:
        """Tokens needed (up to and including EOT); the causal mask makes the rest inert."""
        return int(ids.argmax(dim=-1).max().item()) + 1


class HFTextTower:
    """A Hugging Face text tower (``HFTextEncoder``, e.g. litclip-tiny's MiniLM)."""

    def __init__(self, model: Any) -> None:
        self.text = model.text

    def _pad(self) -> int:
        return int(self.text.config.pad_token_id or 0)

    def embed(self, ids: Any) -> Any:
        """Word embeddings ``(N, L, hidden)`` of token ids."""
        return self.text.transformer.embeddings.word_embeddings(ids)

    def encode(self, embeds: Any, ids: Any) -> Any:
        """Unnormalised text features: transformer on ``inputs_embeds``, pooler, projection."""
        mask = (ids != self._pad()).long()
        out = self.text.transformer(inputs_embeds=embeds, attention_mask=mask)
        return self.text.proj(self.text.pooler(out, mask))

    def lengths(self, ids: Any) -> int:
        """Tokens needed (the attention mask hides padding, so it can be trimmed)."""
        return int((ids != self._pad()).sum(dim=-1).max().item())


#: Explicit registry: tower kind -> adapter class.
TOWERS: dict[str, type] = {"open_clip": OpenClipTower, "hf": HFTextTower}


def tower_kind(model: Any) -> str:
    """Which :data:`TOWERS` adapter fits ``model``'s text tower."""
    if hasattr(model, "token_embedding") and hasattr(model, "transformer"):
        return "open_clip"
    text = getattr(model, "text", None)
    if text is not None and hasattr(getattr(text, "transformer", None), "embeddings"):
        return "hf"
    raise LitclipError(
        f"prompt learning does not support the text tower of {type(model).__name__} "
        f"({type(text).__name__ if text is not None else 'no .text'}); supported: "
        f"{', '.join(TOWERS)} (open_clip text transformer or a Hugging Face tower)."
    )


def make_tower(model: Any) -> Any:
    """The adapter for ``model``'s text tower (raises :class:`LitclipError` if unsupported)."""
    return TOWERS[tower_kind(model)](model)


# --------------------------------------------------------------------------- learner
class PromptLearner(nn.Module):
    """Learnable context (+ optional CoCoOp meta-net) producing class text features.

    Args:
        loaded: a :class:`~litclip.models.LoadedModel` (its towers are never modified).
        classnames: one name per label.
        n_ctx: number of context vectors (when ``ctx_init`` is None).
        ctx_init: phrase whose token embeddings initialise the context.
        class_specific: one context per class instead of a shared one.
        meta_net: add CoCoOp's image-conditioned shift.
    """

    def __init__(
        self,
        loaded: Any,
        classnames: Sequence[str],
        n_ctx: int = 4,
        ctx_init: str | None = None,
        class_specific: bool = False,
        meta_net: bool = False,
    ) -> None:
        super().__init__()
        self.tower = make_tower(loaded.model)
        tok = loaded.tokenizer
        init = None
        if ctx_init:
            init_ids = tok([ctx_init])[0]
            n_ctx = int(self.tower.lengths(init_ids[None])) - 2  # minus SOT/CLS, EOT/SEP
            with torch.no_grad():
                init = self.tower.embed(init_ids[None])[0, 1 : 1 + n_ctx].clone()
        prompts = [f"{' '.join([PLACEHOLDER] * n_ctx)} {c}." for c in classnames]
        ids = tok(prompts)
        ids = ids[:, : self.tower.lengths(ids)]
        slot = tok([PLACEHOLDER])[0, 1]
        if not bool((ids[:, 1 : 1 + n_ctx] == slot).all()):
            raise LitclipError(
                f"the tokenizer of {type(loaded.model).__name__} does not map the context "
                f"placeholder {PLACEHOLDER!r} to one token after the start token"
            )
        with torch.no_grad():
            emb = self.tower.embed(ids).detach().clone()
        self.n_ctx, self.n_cls = n_ctx, len(classnames)
        self.register_buffer("ids", ids, persistent=False)
        self.register_buffer("prefix", emb[:, :1], persistent=False)
        self.register_buffer("suffix", emb[:, 1 + n_ctx :], persistent=False)
        width = emb.shape[-1]
        if init is None:
            init = torch.randn(n_ctx, width) * 0.02  # CoOp's init; seeded by train_prompts
        if class_specific:
            init = init[None].repeat(self.n_cls, 1, 1)
        self.ctx = nn.Parameter(init.to(emb.dtype))
        self.meta_net = None
        if meta_net:
            vis = int(loaded.embed_dim)
            hidden = max(1, vis // 16)
            self.meta_net = nn.Sequential(
                nn.Linear(vis, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, width)
            )

    def prompt_embeds(self, ctx: Any) -> Any:
        """Input embeddings ``(C, L, width)`` for one context (``(M, w)`` or ``(C, M, w)``)."""
        if ctx.dim() == 2:
            ctx = ctx[None].expand(self.n_cls, -1, -1)
        return torch.cat([self.prefix, ctx, self.suffix], dim=1)

    def text_features(self, ctx: Any | None = None) -> Any:
        """L2-normalised class text features ``(C, D)`` for ``ctx`` (default: learned)."""
        emb = self.prompt_embeds(self.ctx if ctx is None else ctx)
        return nn.functional.normalize(self.tower.encode(emb, self.ids), dim=-1)

    def forward(self, image_features: Any | None = None) -> Any:
        """``(C, D)`` text features, or ``(B, C, D)`` with CoCoOp's per-image shift."""
        if self.meta_net is None or image_features is None:
            return self.text_features()
        shift = self.meta_net(image_features)  # (B, width)
        ctx = self.ctx if self.ctx.dim() == 3 else self.ctx[None].expand(self.n_cls, -1, -1)
        b = shift.shape[0]
        ctx = ctx[None] + shift[:, None, None, :]  # (B, C, M, width)
        emb = torch.cat(
            [
                self.prefix[None].expand(b, -1, -1, -1),
                ctx,
                self.suffix[None].expand(b, -1, -1, -1),
            ],
            dim=2,
        )
        feats = self.tower.encode(emb.flatten(0, 1), self.ids.repeat(b, 1))
        return nn.functional.normalize(feats, dim=-1).view(b, self.n_cls, -1)


# --------------------------------------------------------------------------- BiomedCoOp
def mad_keep(scores: np.ndarray, tau: float = 1.5) -> np.ndarray:
    """Keep mask of the descriptions whose robust z-score ``|s - median| / MAD`` is <= ``tau``.

    With a zero MAD (all scores equal) everything is kept; the best-scoring description is
    always kept so a class never loses its whole bank.
    """
    s = np.asarray(scores, dtype=np.float64)
    med = np.median(s)
    mad = np.median(np.abs(s - med))
    if mad <= 0:
        return np.ones(len(s), dtype=bool)
    keep = np.abs(s - med) / mad <= tau
    keep[int(np.argmax(s))] = True
    return keep


@dataclass(frozen=True)
class DescriptionBank:
    """A class's description bank as BiomedCoOp uses it, one row per class.

    ``mean`` is the renormalised mean of every description (the MSE target); ``pruned`` the
    mean of those kept by MAD pruning (the zero-shot ensemble of the KL term); ``kept`` the
    keep masks.
    """

    mean: np.ndarray  # (C, D)
    pruned: np.ndarray  # (C, D)
    kept: list[list[bool]]


def _unit_mean(e: np.ndarray) -> np.ndarray:
    m = e.mean(0)
    return m / np.linalg.norm(m)


def description_bank(
    desc_emb: Sequence[np.ndarray], x_train: np.ndarray, y_train: np.ndarray, tau: float
) -> DescriptionBank:
    """Class-mean description embeddings, whole and pruned, with the keep masks.

    A description's score is its mean cosine with the class's training images (its own
    text-space agreement with the bank when the class has no training image). BiomedCoOp
    prunes for its KL term only: the MSE term pulls the learned prompt to the whole bank.
    """
    means, pruned, masks = [], [], []
    for c, emb in enumerate(desc_emb):
        e = np.asarray(emb, np.float64)
        e = e / np.linalg.norm(e, axis=1, keepdims=True)
        imgs = x_train[y_train == c]
        ref = imgs if len(imgs) else e.mean(0, keepdims=True)
        keep = mad_keep((e @ np.asarray(ref, np.float64).T).mean(1), tau)
        means.append(_unit_mean(e))
        pruned.append(_unit_mean(e[keep]))
        masks.append(keep.tolist())
    return DescriptionBank(
        np.stack(means).astype(np.float32), np.stack(pruned).astype(np.float32), masks
    )


# --------------------------------------------------------------------------- training
@contextmanager
def _frozen(model: Any) -> Any:
    """Freeze ``model`` (no grads, eval mode) for the duration; restore afterwards."""
    flags = [p.requires_grad for p in model.parameters()]
    was_training = model.training
    model.requires_grad_(False).eval()
    try:
        yield
    finally:
        for p, f in zip(model.parameters(), flags, strict=True):
            p.requires_grad_(f)
        model.train(was_training)


@contextmanager
def _few_threads(n: int = 1) -> Any:
    """Run with ``n`` intra-op threads, then restore: each step encodes a handful of short
    prompts, where CPU thread synchronisation costs more than it gains (10x slower on a busy
    2-core box)."""
    before = torch.get_num_threads()
    torch.set_num_threads(min(n, before))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _logits(learner: Any, x: Any, scale: float, feats: Any | None = None) -> Any:
    feats = learner(x) if feats is None else feats
    if feats.dim() == 3:  # CoCoOp: per-image class features
        return scale * (feats @ x[:, :, None])[..., 0]
    return scale * x @ feats.T


def predict_probs(learner: Any, x: np.ndarray, scale: float, batch_size: int = 256) -> np.ndarray:
    """Softmax probabilities ``(N, C)`` of image features ``x`` under the learned prompts."""
    out = []
    with torch.no_grad():
        for s in range(0, len(x), batch_size):
            xb = torch.as_tensor(x[s : s + batch_size], dtype=torch.float32)
            out.append(torch.softmax(_logits(learner, xb, scale), -1).numpy())
    return np.concatenate(out).astype(np.float64)


def _loss(
    learner: Any, xb: Any, yb: Any, scale: float, cfg: PromptConfig, bank: tuple[Any, Any] | None
) -> Any:
    feats = learner(xb)
    logits = _logits(learner, xb, scale, feats)
    loss = torch.nn.functional.cross_entropy(logits, yb)
    if cfg.method == "biomedcoop" and bank is not None:
        mean, pruned = bank
        text = feats if feats.dim() == 2 else learner.text_features()
        loss = loss + cfg.lambda1 * torch.nn.functional.mse_loss(text, mean)
        zs = torch.log_softmax(scale * xb @ pruned.T, -1)
        kl = torch.nn.functional.kl_div(
            torch.log_softmax(logits, -1), zs, log_target=True, reduction="batchmean"
        )
        loss = loss + cfg.lambda2 * kl
    return loss


def train_prompts(
    loaded: Any,
    classnames: Sequence[str],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    cfg: PromptConfig | None = None,
    bank: DescriptionBank | None = None,
    logit_scale: float | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Train a prompt learner on image features; returns it (best val epoch) and a history.

    Args:
        loaded: the frozen model (:class:`~litclip.models.LoadedModel`).
        classnames: one name per label.
        x_train, y_train: L2-normalised image features and labels of the K-shot sample.
        x_val, y_val: validation features for epoch selection (last epoch when None).
        cfg: hyper-parameters (method, n_ctx, epochs, lr, batch size, λ1, λ2).
        bank: the class description bank (BiomedCoOp): its whole mean for the MSE term, its
            pruned mean for the KL term.
        logit_scale: temperature (default: the model's ``exp(logit_scale)``, clamped to 100).
    """
    cfg = cfg or PromptConfig()
    if cfg.method not in METHODS:
        raise LitclipError(f"unknown prompt-learning method {cfg.method!r}; choose from {METHODS}")
    torch.manual_seed(cfg.seed)
    scale = logit_scale or float(min(loaded.model.logit_scale.exp().item(), 100.0))
    with _frozen(loaded.model), _few_threads():
        learner = PromptLearner(
            loaded,
            classnames,
            cfg.n_ctx,
            cfg.init_phrase(),
            cfg.class_specific,
            meta_net=cfg.method == "cocoop",
        )
        params = [p for p in learner.parameters() if p.requires_grad]
        opt = torch.optim.SGD(params, lr=cfg.lr, momentum=0.9)
        steps = max(1, cfg.epochs * math.ceil(len(x_train) / cfg.batch_size))
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
        bank_t = (
            (torch.as_tensor(bank.mean), torch.as_tensor(bank.pruned)) if bank is not None else None
        )
        xt = torch.as_tensor(x_train, dtype=torch.float32)
        yt = torch.as_tensor(np.asarray(y_train), dtype=torch.long)
        gen = np.random.default_rng(cfg.seed)
        best, best_acc, history, chosen = None, -1.0, [], 0
        for epoch in range(cfg.epochs):
            learner.train()
            perm = torch.as_tensor(gen.permutation(len(xt)))
            for s in range(0, len(perm), cfg.batch_size):
                b = perm[s : s + cfg.batch_size]
                loss = _loss(learner, xt[b], yt[b], scale, cfg, bank_t)
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
            learner.eval()
            if x_val is not None and y_val is not None and len(y_val):
                # balanced: on an imbalanced val split the majority rule wins on accuracy
                acc = _balanced_accuracy(y_val, predict_probs(learner, x_val, scale))
            else:
                acc = float(epoch)  # no validation: keep the last epoch
            history.append({"epoch": epoch + 1, "loss": float(loss.item()), "val_score": acc})
            if acc > best_acc:
                best_acc, best, chosen = acc, copy.deepcopy(learner.state_dict()), epoch + 1
        if best is not None:
            learner.load_state_dict(best)
    learner.eval()
    return learner, {"history": history, "best_epoch": chosen, "logit_scale": scale}


def _balanced_accuracy(y: np.ndarray, probs: np.ndarray) -> float:
    return confusion_metrics(rule_confusion(y, probs))["balanced_accuracy"]


# --------------------------------------------------------------------------- evaluation
def encode_descriptions(loaded: Any, descriptions: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """Frozen text embeddings of each class's description bank (one ``(T_c, D)`` per class)."""
    from litclip.models import encode_texts

    flat = [t for group in descriptions for t in group]
    emb = np.asarray(encode_texts(loaded, flat, progress=False), dtype=np.float32)
    out, start = [], 0
    for group in descriptions:
        out.append(emb[start : start + len(group)])
        start += len(group)
    return out


def evaluate_k(
    loaded: Any,
    classnames: Sequence[str],
    data: tuple[np.ndarray, ...],
    k: int,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    cfg: PromptConfig | None = None,
    desc_emb: Sequence[np.ndarray] | None = None,
) -> dict:
    """One K: train per seed on a K-shot sample, score test; ``{"metrics", "ci95", "details"}``.

    ``data`` is ``(x_train, y_train, x_val, y_val, x_test, y_test)`` (normalised features);
    metrics are the mean over seeds of :func:`evaluate_predictions` and ``ci95`` the Student-t
    interval over seeds.
    """
    cfg = cfg or PromptConfig()
    x_train, y_train, x_val, y_val, x_test, y_test = data
    per_seed, runs, constant = [], [], []
    for seed in seeds:
        idx = sample_kshot(y_train, k, seed)
        bank = None
        if cfg.method == "biomedcoop":
            if not desc_emb:
                raise LitclipError("biomedcoop needs a description bank (the class prompts)")
            bank = description_bank(desc_emb, x_train[idx], y_train[idx], cfg.tau)
        run_cfg = PromptConfig(**{**asdict(cfg), "seed": int(seed)})
        learner, info = train_prompts(
            loaded, classnames, x_train[idx], y_train[idx], x_val, y_val, run_cfg, bank
        )
        with _few_threads():
            probs = predict_probs(learner, x_test, info["logit_scale"])
        per_seed.append(evaluate_predictions(y_test, probs, n_boot=0)["metrics"])
        kept = bank.kept if bank is not None else None
        runs.append({"seed": int(seed), "best_epoch": info["best_epoch"], "kept": kept})
        if constant_rule(probs, y_test):
            constant.append(int(seed))
    metrics, ci = _aggregate(per_seed)
    details: dict[str, Any] = {
        "k": int(k),
        "method": cfg.method,
        "n_train": int(len(idx)),
        "per_seed": per_seed,
        "runs": runs,
        # the phrase the context started from, as trained (None in the options meant a default)
        "config": {**asdict(cfg), "ctx_init": cfg.init_phrase()},
        "selection": "epoch with the best validation balanced accuracy",
    }
    if constant:
        details["constant_seeds"] = constant
    return {"metrics": metrics, "ci95": ci, "details": details, "k": int(k), "seeds": list(seeds)}


def evaluate(
    loaded: Any,
    classnames: Sequence[str],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    ks: Sequence[int] = DEFAULT_KS,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    cfg: PromptConfig | None = None,
    descriptions: Sequence[Sequence[str]] | None = None,
) -> list[dict]:
    """Prompt learning (``cfg.method``) per K: a list of :func:`evaluate_k` results.

    Args:
        loaded: the frozen model that produced the image features.
        classnames: one name per label (the class-name tokens after the context).
        x_train, y_train: the pool K-shot samples are drawn from.
        x_val, y_val: validation features (epoch selection only).
        x_test, y_test: test features and labels.
        ks: shots per class.
        seeds: one K-shot draw (and initialisation) per seed.
        cfg: hyper-parameters; ``cfg.method`` is coop, cocoop or biomedcoop.
        descriptions: each class's description bank (BiomedCoOp; e.g. its filled templates).
    """
    cfg = cfg or PromptConfig()
    desc_emb = None
    if cfg.method == "biomedcoop":
        if not descriptions:
            raise LitclipError("biomedcoop needs a description bank (the class prompts)")
        desc_emb = encode_descriptions(loaded, descriptions)
    data = (x_train, y_train, x_val, y_val, x_test, y_test)
    return [evaluate_k(loaded, classnames, data, k, seeds, cfg, desc_emb) for k in ks]
