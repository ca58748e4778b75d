"""``litclip train`` and ``litclip interpolate``."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from litclip.console import count, new_console
from litclip.train.config import TrainConfig


def _default(name: str) -> str:
    """A TrainConfig default as the help says it (a --config or --preset may set another)."""
    value = TrainConfig.__dataclass_fields__[name].default
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f" (default {shown}, or the --config/--preset value)"


def register(app: typer.Typer) -> None:
    """Add the training commands to the root app."""
    app.command("train", short_help="Fine-tune a CLIP model on image-caption pairs.")(train)
    app.command("interpolate", short_help="WiSE-FT: blend base and fine-tuned weights.")(
        interpolate
    )


def train(
    data: str = typer.Argument(
        None,
        metavar="DATA",
        help="Corpus dir, CSV/Parquet manifest, .tar shard, shard dir or glob; also a "
        "pairs:/wds: spec as other commands take (pairs:m.csv?image_key=path&caption_key=text).",
    ),
    config: str = typer.Option(
        None, "--config", "-c", help="YAML/JSON TrainConfig file (CLI options win)."
    ),
    preset: str = typer.Option(
        None, help="Named option set, e.g. cpu-small (instead of --config)."
    ),
    model: str = typer.Option(None, help="Model spec to fine-tune (default litclip-tiny)."),
    out: str = typer.Option(None, help="Run directory (default runs/train)."),
    loss: str = typer.Option(None, help=f"clip, selip or siglip{_default('loss')}."),
    epochs: int = typer.Option(None, min=1, help=f"Passes over the data{_default('epochs')}."),
    batch_size: int = typer.Option(
        None, min=1, help=f"Pairs per process per micro-batch{_default('batch_size')}."
    ),
    lr: float = typer.Option(None, help=f"Base learning rate{_default('lr')}."),
    val_data: str = typer.Option(None, help="Held-out pairs for retrieval validation."),
    resume: str = typer.Option(
        None,
        help="'latest' or a checkpoint path; the run goes on with its own options (those of "
        "its config.json). Given again, --epochs and max_steps (to train longer), "
        "early_stop_patience, val_every and how the run is carried out or logged may change; "
        "the others, and the number of processes, must stay as they were.",
    ),
    lock_image: bool = typer.Option(
        None, "--lock-image/--no-lock-image", help="LiT: freeze the image tower."
    ),
    lock_text: bool = typer.Option(
        None,
        "--lock-text/--no-lock-text",
        help="Freeze the text tower (projection stays trainable).",
    ),
    lora: bool = typer.Option(None, "--lora/--no-lora", help="Train LoRA adapters only."),
    device: str = typer.Option(None, help="auto, cpu, cuda, cuda:1..."),
    set_: list[str] = typer.Option(
        None,
        "--set",
        "-s",
        metavar="KEY=VALUE",
        help="Any TrainConfig field: --set key=value (repeatable).",
    ),
) -> None:
    """Fine-tune a CLIP model contrastively on image-caption pairs (torchrun-ready)."""
    from litclip.train import TrainConfig
    from litclip.train import train as run_training

    if config and preset:
        from litclip.errors import LitclipError

        raise LitclipError("use either --config or --preset (put preset values in the file)")
    cfg = TrainConfig.from_file(config) if config else TrainConfig()
    if preset:
        cfg = TrainConfig.from_preset(preset)
    elif resume and not config:  # the run's own options, then the ones given again
        cfg = _resumed_config(resume, out) or cfg
    flags: dict[str, Any] = {
        "data": data,
        "model": model,
        "out": out,
        "loss": loss,
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "val_data": val_data,
        "resume": resume,
        "lock_image": lock_image,
        "lock_text": lock_text,
        "lora": lora,
        "device": device,
    }
    cfg = cfg.with_overrides({k: v for k, v in flags.items() if v is not None})
    cfg = cfg.with_overrides(list(set_ or []))
    if not cfg.data:
        from litclip.errors import LitclipError

        raise LitclipError(
            "no training data: pass DATA (a corpus dir, manifest or shards) or set data in --config"
        )
    result = run_training(cfg)
    import os

    if os.environ.get("RANK", "0") != "0":  # under torchrun only rank 0 reports
        return
    console = new_console()
    steps = count(result.steps, "step")
    early = " (stopped early: no better validation)" if result.stopped_early else ""
    console.print(
        f"trained [bold]{steps}[/]{early}; model: [bold]{escape(str(result.model_dir))}[/]"
    )
    if result.best_model_dir is not None:  # the one to evaluate: chosen on validation
        at = f" (step {result.best_step}, best {cfg.val_metric})" if result.best_step else ""
        console.print(f"best model{at}: [bold]{escape(str(result.best_model_dir))}[/]")
    shown = [
        key
        for key in (
            "loss",
            "val_image_retrieval_recall@1",
            "val_text_retrieval_recall@1",
            "val_chance@1",
        )
        if key in result.metrics
    ]
    if shown:  # the last logged values: under the best model's line they read as its own
        console.print(f"last logged values (step {result.steps}; metrics.jsonl has every step):")
    for key in shown:
        console.print(f"  {key}: {result.metrics[key]:.4f}")


def _resumed_config(resume: str, out: str | None) -> Any:
    """The options of the run that ``--resume`` continues (its ``config.json``), or None for
    a run not started yet. A bare ``--resume latest`` then continues the run as it was made:
    the defaults of options left off are not taken for changes (a 2-epoch run resumed
    without ``--epochs`` went on to the default 5)."""
    from pathlib import Path

    from litclip.train import TrainConfig
    from litclip.train.checkpoint import LATEST

    if resume == LATEST:
        run_dir = Path(out or TrainConfig().out)
    elif Path(resume).parent.name == "checkpoints":  # RUN/checkpoints/step_*.pt
        run_dir = Path(resume).parent.parent
    elif out:  # a checkpoint kept elsewhere, continued in the run folder --out names
        run_dir = Path(out)
    else:
        return None
    saved = run_dir / "config.json"
    return TrainConfig.from_file(saved) if saved.is_file() else None


def interpolate(
    base: str = typer.Argument(..., metavar="BASE", help="Base (zero-shot) model spec."),
    ft: str = typer.Argument(..., metavar="FT", help="Fine-tuned model spec (usually RUN/model)."),
    alpha: list[float] = typer.Option(
        [0.5], "--alpha", "-a", metavar="ALPHA", help="Weight of FT in [0, 1]; repeat for a sweep."
    ),
    out: str = typer.Option(..., help="Output model dir (a sweep writes OUT/alpha_0.50/...)."),
) -> None:
    """WiSE-FT: write theta = (1 - alpha) theta_base + alpha theta_ft as a model directory."""
    from litclip.models.interpolate import interpolate_models, wise_ft_sweep

    console = new_console()
    if len(alpha) == 1:
        path = interpolate_models(base, ft, alpha[0], out)
        console.print(f"WiSE-FT model (alpha={alpha[0]}) written to [bold]{escape(str(path))}[/]")
        return
    for a, path in zip(alpha, wise_ft_sweep(base, ft, alpha, out), strict=True):
        console.print(f"alpha={a:g}: [bold]{escape(str(path))}[/]")
