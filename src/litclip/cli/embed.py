"""``litclip embed`` and ``litclip models``."""

from __future__ import annotations

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    """Add the embedding commands to the root app."""
    app.command("embed", short_help="Embed a dataset split with a model (to .npy).")(embed)
    app.command("models")(models)


def embed(
    model: str = typer.Option(
        "litclip-tiny", help="Model spec: built-in name, NAME:TAG, hf-hub:ID or a model dir."
    ),
    dataset: str = typer.Option(
        ..., help="Dataset spec: medmnist:PATH.npz, folder:DIR, pairs:MANIFEST, wds:PATTERN."
    ),
    out: str = typer.Option(
        ..., help="Output directory (embeddings .npy + metadata.parquet + config.json)."
    ),
    split: str = typer.Option("test", help="Dataset split (train / val / test)."),
    batch_size: int = typer.Option(64, min=1, help="Images per forward pass."),
    num_workers: int = typer.Option(0, min=0, help="DataLoader workers for image decoding."),
    device: str = typer.Option("cpu", help="torch device, e.g. cpu or cuda."),
    precision: str = typer.Option("fp32", help="fp32, fp16, bf16 or amp."),
) -> None:
    """Embed a dataset split with a model (L2-normalised float32, streamed to disk)."""
    from litclip.models.embed_job import EmbedConfig, embed_dataset

    cfg = EmbedConfig(model, dataset, out, split, batch_size, num_workers, device, precision)
    path = embed_dataset(cfg)
    Console().print(f"embeddings written to [bold]{path}[/]")


def models() -> None:
    """List built-in litclip models and open_clip architectures."""
    from litclip.models import list_builtin_models
    from litclip.models.registry import get_builtin_config

    console = Console()
    console.print("[bold]Built-in (offline):[/]")
    for name in list_builtin_models():
        console.print(f"  {name}: {get_builtin_config(name).get('description', '')}")
    console.print(
        "[bold]Also:[/] any open_clip NAME:TAG (e.g. ViT-B-32:openai), "
        "hf-hub:microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224, or a model directory."
    )
