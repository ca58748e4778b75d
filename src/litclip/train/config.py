"""``TrainConfig``: every option of a training run as typed data (YAML/JSON + overrides).

A config is a flat dataclass so it serialises into ``OUT/config.json`` and into the model
directory's ``litclip.json`` unchanged, and a run can be reproduced from that file alone::

    cfg = TrainConfig.from_file("train.yaml").with_overrides(["lr=1e-4", "epochs=3"])
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litclip.errors import LitclipError, did_you_mean
from litclip.io import parse_error
from litclip.typed import coerce_fields

LOSSES = ("clip", "selip", "siglip")

# Named option sets (explicit registry). "cpu-small": litclip-tiny on a few hundred pairs on a
# laptop-class CPU: LiT-style locked MiniLM trunk (features cached, projection trains), the
# random image tower at 5e-4, no checkpoint files (measured: 181 synthetic pairs, 10 epochs,
# text->image R@1 about 12x chance on 93 held-out pairs in ~5 minutes on a busy 2-core box).
PRESETS: dict[str, dict[str, Any]] = {
    "cpu-small": {
        "model": "litclip-tiny",
        "lock_text": True,
        "epochs": 10,
        "batch_size": 32,
        "lr": 5e-4,
        "warmup_steps": 10,
        "save_checkpoints": False,
    },
}
PRECISIONS = ("fp32", "amp_bf16", "amp_fp16")
#: Options that change how a run is carried out or logged, not what it learns (the thread
#: count can move the last bits of the float sums; ``data`` is checked on resume by the
#: checkpoint's record of its pairs): a resume may change them, and `litclip run` keeps
#: its trained model when only they change.
RUN_ONLY_OPTIONS = (
    "data",
    "val_data",
    "out",
    "resume",
    "cache_dir",
    "num_workers",
    "num_threads",
    "device",
    "progress",
    "log_every",
    "log_samples",
    "checkpoint_every",
    "keep_checkpoints",
    "save_checkpoints",
)
TOWERS = ("image", "text")
#: Options that act only while another is on: (the switch, what turns it on, its options).
#: Set while their switch is off they do nothing, and a run says so (``ignored_options``).
SUB_OPTIONS = (
    ("lock_image", "lock_image=true", ("lock_image_unlocked_groups",)),
    ("lock_text", "lock_text=true", ("lock_text_unlocked_layers", "lock_text_train_proj")),
    (
        "lora",
        "lora=true",
        ("lora_rank", "lora_alpha", "lora_dropout", "lora_towers", "lora_targets"),
    ),
    (
        "loss",
        "loss=selip",
        ("selip_weight", "selip_threshold", "selip_fields", "selip_ngram", "selip_encoder"),
    ),
)
#: Options that act only when the run validates (val_data, val rows or val_fraction).
VALIDATION_OPTIONS = ("val_every", "val_k", "val_metric", "early_stop_patience")


#: ``pairs:`` spec options (``pairs:m.csv?caption_key=text``) that mean the same in training
SPEC_OPTIONS = ("image_key", "caption_key", "root")


def parse_data_spec(spec: str | Path) -> tuple[str, dict[str, str]]:
    """``wds:X`` / ``pairs:X?k=v&...`` (the dataset specs of other commands) as ``(X, options)``.

    The options are split off by the registry's own rule, so a spec that ``litclip data info``
    reads names the same columns here; only :data:`SPEC_OPTIONS` apply to training.
    """
    kind, sep, rest = str(spec).partition(":")
    if not (sep and kind in ("wds", "pairs")):
        return str(spec), {}
    from litclip.data.registry import split_options

    path, options = split_options(rest)
    allowed = SPEC_OPTIONS if kind == "pairs" else ()
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        takes = f"only {', '.join(allowed)}" if allowed else "no options"
        raise LitclipError(
            f"training takes {takes} in a {kind}: spec, not {', '.join(unknown)} ({spec})"
        )
    return path, {k: str(v) for k, v in options.items()}


@dataclass
class TrainConfig:
    """Options of one contrastive fine-tuning run.

    Attributes:
        model: model spec for :func:`litclip.models.load_model` (built-in, hub, or model dir).
        data: a corpus dir (``manifest.parquet``, rows with ``qc_pass``), a CSV/Parquet
            manifest, a ``.tar`` WebDataset shard, or a folder/glob of shards, optionally as
            another command's spec (``wds:X``, ``pairs:X?image_key=path&caption_key=text``).
            A manifest with a ``split`` column trains on its ``train`` rows only.
        out: run directory (config, metrics, checkpoints, final model).
        val_data: held-out pairs (same kinds as ``data``) for retrieval validation.
        val_fraction: if no ``val_data`` (nor ``val`` rows in ``data``'s ``split`` column),
            hold out this fraction of ``data``, whole articles (a corpus's PDFs; else a
            figure with its panels), seeded.
        image_key, caption_key, id_key: manifest columns (``id_key`` falls back to row number).
        loss: ``clip`` (InfoNCE), ``selip`` (half InfoNCE + half KL to caption-similarity targets), ``siglip``.
        selip_weight: weight of the syntactic similarity in SeLIP's M (1 - weight: semantic).
        selip_threshold: similarities below this count as 0 (dissimilar captions keep hard targets).
        selip_fields: manifest columns compared instead of caption n-grams for the syntactic part.
        selip_ngram: character n-gram size of the syntactic Dice similarity.
        selip_encoder: sentence encoder path for the semantic part (default: the MiniLM package).
        cache_dir: where caption embeddings are cached (default ``~/.cache/litclip/captions``).
        epochs: passes over the data; ``max_steps`` caps optimizer steps when set.
        batch_size: pairs per process per micro-batch (global batch = batch_size * world size).
        accum_steps: micro-batches per optimizer step (each micro-batch is its own contrast set).
        lr, image_lr_mult, text_lr_mult: base learning rate and per-tower multipliers (the
            text multiplier applies to the text transformer; its projection uses ``lr``).
        weight_decay: AdamW decay (never on gains, biases, embeddings' 1-d params, logit scale).
        warmup_steps: linear warmup before the cosine decay to 0 (at most a fifth of the
            run's steps, so a short run still decays).
        grad_clip: max gradient norm (``None``/0 disables).
        precision: ``fp32``, ``amp_bf16`` or ``amp_fp16`` (AMP only on CUDA; CPU runs fp32).
        grad_checkpointing: trade compute for memory (``model.set_grad_checkpointing()``).
        lock_image, lock_image_unlocked_groups: LiT-lock the image tower (its projection
            too) except its last N groups, counted as open_clip's trainer counts them: for a
            ViT the last group is the projection alone and the one before it the last block
            with ``ln_post``, so 1 trains the projection and 2 adds the last block.
        lock_text, lock_text_unlocked_layers: lock the text tower except its last N
            transformer blocks (N counts blocks on both kinds of text tower).
        lock_text_train_proj: keep the text projection trainable when the text tower is locked.
        cache_text_features: with a fully locked HF text trunk, compute its features once per
            caption and train only the projection (same maths: a locked trunk runs without
            dropout either way; much faster on CPU).
        lora, lora_rank, lora_alpha, lora_dropout, lora_towers, lora_targets: LoRA adapters.
        seed: seeds model init extras, data order and augmentation.
        num_workers: DataLoader worker processes.
        augment: use the model's training transform (else the deterministic one).
        val_every: validate every N optimizer steps (0: at the end of every epoch).
        val_k: recall cut-offs.
        val_metric: metric used for best-model selection and early stopping.
        early_stop_patience: stop after N validations without improvement (0: never).
        checkpoint_every: save a checkpoint every N optimizer steps (0: only at epoch ends).
        keep_checkpoints: how many step checkpoints to keep.
        save_checkpoints: write checkpoints at all (off: faster small runs, no resume).
        resume: ``latest`` or a checkpoint path to continue from.
        log_every: write a metrics line every N optimizer steps.
        log_samples: write ``samples.jsonl`` with the sample ids of every micro-batch.
        progress: show a progress bar.
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:1``...
        num_threads: torch intra-op threads (``None``: torch's default).
    """

    model: str = "litclip-tiny"
    data: str = ""
    out: str = "runs/train"
    val_data: str | None = None
    val_fraction: float = 0.0
    image_key: str = "filepath"
    caption_key: str = "caption"
    id_key: str = "pair_id"
    loss: str = "clip"
    selip_weight: float = 0.5
    selip_threshold: float = 0.5
    selip_fields: list[str] = field(default_factory=list)
    selip_ngram: int = 3
    selip_encoder: str | None = None
    cache_dir: str | None = None
    epochs: int = 5
    max_steps: int | None = None
    batch_size: int = 32
    accum_steps: int = 1
    lr: float = 5e-4
    image_lr_mult: float = 1.0
    text_lr_mult: float = 0.1
    weight_decay: float = 0.1
    warmup_steps: int = 10
    beta1: float = 0.9
    beta2: float = 0.98
    eps: float = 1e-6
    grad_clip: float | None = 1.0
    precision: str = "fp32"
    grad_checkpointing: bool = False
    lock_image: bool = False
    lock_image_unlocked_groups: int = 0
    lock_text: bool = False
    lock_text_unlocked_layers: int = 0
    lock_text_train_proj: bool = True
    cache_text_features: bool = True
    lora: bool = False
    lora_rank: int = 8
    lora_alpha: float = 16.0
    lora_dropout: float = 0.0
    lora_towers: list[str] = field(default_factory=lambda: ["image", "text"])
    lora_targets: list[str] | None = None
    seed: int = 0
    num_workers: int = 0
    augment: bool = True
    val_every: int = 0
    val_k: list[int] = field(default_factory=lambda: [1, 5, 10])
    val_metric: str = "mean_recall@1"
    early_stop_patience: int = 0
    checkpoint_every: int = 100
    keep_checkpoints: int = 3
    save_checkpoints: bool = True
    resume: str | None = None
    log_every: int = 10
    log_samples: bool = False
    progress: bool = True
    device: str = "auto"
    num_threads: int | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise :class:`LitclipError` naming the bad option and the allowed values."""
        checks = [
            (self.loss in LOSSES, f"loss must be one of {LOSSES}, got {self.loss!r}"),
            (self.precision in PRECISIONS, f"precision must be one of {PRECISIONS}"),
            (self.batch_size >= 1, "batch_size must be >= 1"),
            (self.accum_steps >= 1, "accum_steps must be >= 1"),
            (self.epochs >= 1, "epochs must be >= 1"),
            (self.max_steps is None or self.max_steps >= 1, "max_steps must be >= 1 (or null)"),
            (self.warmup_steps >= 0, "warmup_steps must be >= 0"),
            # clip_grad_norm_ with a negative max flips the gradients instead of clipping them
            (
                self.grad_clip is None or self.grad_clip >= 0,
                "grad_clip must be > 0 (or 0/null to disable)",
            ),
            (self.num_workers >= 0, "num_workers must be >= 0"),
            # counts that only 0 (or null) switches to a default; below 0 they mean nothing
            (
                self.num_threads is None or self.num_threads >= 0,
                "num_threads must be >= 1 (0/null: torch's default)",
            ),
            (self.log_every >= 0, "log_every must be >= 1 (0 logs every step too)"),
            (self.val_every >= 0, "val_every must be >= 0 (0: at every epoch's end)"),
            (self.early_stop_patience >= 0, "early_stop_patience must be >= 0 (0: never)"),
            (self.checkpoint_every >= 0, "checkpoint_every must be >= 0 (0: at epoch ends)"),
            (self.keep_checkpoints >= 0, "keep_checkpoints must be >= 1 (0 keeps the newest too)"),
            (self.lora_rank >= 1, "lora_rank must be >= 1"),
            (0.0 <= self.val_fraction < 1.0, "val_fraction must be in [0, 1)"),
            (0.0 <= self.selip_weight <= 1.0, "selip_weight must be in [0, 1]"),
            (self.selip_ngram >= 1, "selip_ngram must be >= 1"),
            (self.lr > 0, "lr must be > 0"),
            # a negative multiplier climbs its tower's loss; negative decay grows the weights
            (self.image_lr_mult >= 0, "image_lr_mult must be >= 0 (0 freezes the image tower)"),
            (self.text_lr_mult >= 0, "text_lr_mult must be >= 0 (0 freezes the text tower)"),
            (self.weight_decay >= 0, "weight_decay must be >= 0"),
            (0.0 <= self.beta1 < 1.0 and 0.0 <= self.beta2 < 1.0, "beta1, beta2 must be in [0, 1)"),
            (self.eps > 0, "eps must be > 0"),
            (0.0 <= self.selip_threshold <= 1.0, "selip_threshold must be in [0, 1]"),
            (self.lock_image_unlocked_groups >= 0, "lock_image_unlocked_groups must be >= 0"),
            (self.lock_text_unlocked_layers >= 0, "lock_text_unlocked_layers must be >= 0"),
            (self.lora_alpha > 0, "lora_alpha must be > 0 (0 scales the adapters to nothing)"),
            (0.0 <= self.lora_dropout < 1.0, "lora_dropout must be in [0, 1)"),
            (set(self.lora_towers) <= set(TOWERS), f"lora_towers must be a subset of {TOWERS}"),
            (
                not (self.lora and (self.lock_image or self.lock_text)),
                "lora and lock_image/lock_text are exclusive (LoRA already freezes the base weights)",
            ),
        ]
        selectable = [
            f"{d}_recall@{k}"
            for d in ("mean", "image_retrieval", "text_retrieval")
            for k in self.val_k
        ]
        checks += [
            (all(k >= 1 for k in self.val_k), "val_k takes recall cut-offs >= 1"),
            (
                self.val_metric in selectable,
                f"val_metric must be one of {selectable} (from val_k), got {self.val_metric!r}",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise LitclipError(f"invalid training config: {message}")
        self._check_out_apart_from_data()

    def _check_out_apart_from_data(self) -> None:
        """The run dir must not be a data folder: its config.json, checkpoints and model
        would land among (and overwrite) the corpus's files."""
        if not self.out or not self.data:
            return
        text = parse_data_spec(self.data)[0]  # pairs:X?k=v is X's folder too
        if any(ch in text for ch in "*?["):
            return
        out, data = Path(self.out).resolve(), Path(text).resolve()
        folder = data if data.is_dir() else data.parent
        if out == folder:
            raise LitclipError(
                f"--out {self.out} is the data's own folder: the run's config.json, "
                "checkpoints/ and model/ would land among its files; choose another --out"
            )

    def changed(self, names: tuple[str, ...]) -> list[str]:
        """Those of ``names`` set away from their defaults."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        out = []
        for name in names:
            f = fields[name]
            missing = f.default is dataclasses.MISSING
            default = f.default_factory() if missing else f.default  # type: ignore[misc]
            if getattr(self, name) != default:
                out.append(name)
        return out

    def ignored_options(self) -> list[str]:
        """One line for each group of options set while the option they depend on is off:
        they change nothing (``lock_image_unlocked_groups=2`` without ``lock_image``)."""
        lines = []
        for switch, turn_on, names in SUB_OPTIONS:
            on = self.loss == "selip" if switch == "loss" else bool(getattr(self, switch))
            changed = self.changed(names)
            if changed and not on:
                verb = "acts" if len(changed) == 1 else "act"
                lines.append(f"{', '.join(changed)} {verb} only with {turn_on}: ignored")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return dataclasses.asdict(self)

    def maths(self) -> dict[str, Any]:
        """The options the trained weights depend on (all but :data:`RUN_ONLY_OPTIONS`)."""
        return {k: v for k, v in self.to_dict().items() if k not in RUN_ONLY_OPTIONS}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """Build from a dict, rejecting unknown keys with the list of valid ones."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise LitclipError(
                f"unknown training option(s) {unknown}{did_you_mean(unknown, names)}; "
                f"valid: {sorted(names)}"
            )
        return cls(**coerce_fields(cls, values))

    @classmethod
    def from_preset(cls, name: str, **values: Any) -> TrainConfig:
        """A named option set (see :data:`PRESETS`) with ``values`` on top."""
        if name not in PRESETS:
            raise LitclipError(f"unknown training preset {name!r}; choose from {sorted(PRESETS)}")
        return cls.from_dict({**PRESETS[name], **values})

    @classmethod
    def from_file(cls, path: str | Path) -> TrainConfig:
        """Read a YAML or JSON file (a resolved ``config.json`` of an earlier run also works)."""
        path = Path(path)
        if not path.is_file():
            raise LitclipError(f"training config not found: {path}")
        import yaml

        try:
            text = path.read_text(encoding="utf-8")
            values = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:  # ValueError: JSON, UTF-8
            raise LitclipError(
                f"{path} is not valid {path.suffix[1:].upper() or 'YAML'}: {parse_error(exc)}"
            ) from None
        values = values or {}
        if not isinstance(values, dict):
            raise LitclipError(f"{path} must hold a mapping of option: value")
        if "config" in values and "litclip_version" in values:  # a run's resolved config.json
            values = values["config"]
        return cls.from_dict(values)

    def with_overrides(self, overrides: list[str] | dict[str, Any]) -> TrainConfig:
        """A copy with ``key=value`` overrides applied (values parsed as YAML: 1e-4, [1,5], true)."""
        import yaml

        values = self.to_dict()
        if isinstance(overrides, dict):
            values.update(overrides)
        else:
            for item in overrides:
                if "=" not in item:
                    raise LitclipError(f"override {item!r} must look like key=value")
                key, raw = item.split("=", 1)
                try:
                    values[key.strip().replace("-", "_")] = yaml.safe_load(raw)
                except yaml.YAMLError as exc:  # "lora_targets=[attn": one line, not a traceback
                    problem = getattr(exc, "problem", None) or "not a value"
                    raise LitclipError(
                        f"override {item!r}: {raw!r} does not read as a value ({problem}); "
                        "quote text, close brackets: key=[a,b] or key=text"
                    ) from None
        return TrainConfig.from_dict(values)
