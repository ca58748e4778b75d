"""``litclip embed`` and ``litclip models``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from litclip.console import new_console
from litclip.io import taken_back_if_empty

#: What an embedding folder holds (anything else there is another tool's or the user's)
EMBED_DIR_NAMES = frozenset(
    {"image_embeddings.npy", "text_embeddings.npy", "metadata.parquet", "config.json"}
)


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

    console = new_console()
    _check_out(Path(out))
    if _bare_architecture(model):
        from litclip.evaluate.features import random_init_warning

        console.print(f"[bold yellow]warning:[/] {escape(random_init_warning(model))}")
    cfg = EmbedConfig(model, dataset, out, split, batch_size, num_workers, device, precision)
    with taken_back_if_empty(out):
        path = embed_dataset(cfg)
    console.print(f"embeddings written to [bold]{escape(str(path))}[/]")


def _check_out(out: Path) -> None:
    """Refuse an ``--out`` that is another tool's folder (a training run, a corpus, an index:
    its config.json would be overwritten); a new, empty or earlier embedding folder is fine."""
    from litclip.io import refuse_foreign_out

    refuse_foreign_out(
        out, EMBED_DIR_NAMES, "an embedding folder", "an earlier embedding there is replaced"
    )


def _bare_architecture(spec: str) -> bool:
    """Whether ``spec`` is an open_clip architecture without weights (``ViT-B-32``), which
    load_model builds with random weights; a tag, a path or a built-in name is not."""
    from litclip.models.registry import is_builtin

    if ":" in spec or Path(spec).exists() or is_builtin(spec):
        return False
    import open_clip

    return spec in open_clip.list_models()


def models(
    name: str | None = typer.Argument(
        None,
        metavar="NAME",
        help="Only open_clip architectures whose name contains this (any case).",
    ),
) -> None:
    """List the built-in models and the open_clip NAME:TAG specs."""
    import open_clip

    from litclip.models import list_builtin_models
    from litclip.models.registry import get_builtin_config

    console = new_console(highlight=False)
    console.print("[bold]Built-in (offline):[/]")
    for builtin in list_builtin_models():
        console.print(f"  {builtin}: {get_builtin_config(builtin).get('description', '')}")
    wanted = [a for a in open_clip.list_models() if name is None or name.lower() in a.lower()]
    tags = {a: open_clip.list_pretrained_tags_by_model(a) for a in wanted}
    console.print("[bold]open_clip NAME:TAG[/] (weights from the hub, needed once):")
    for arch in (a for a in wanted if tags[a]):
        console.print(f"  {arch}: {', '.join(tags[arch])}")
    if not wanted:
        console.print(f"  (no architecture name contains {name!r})")
    bare = [a for a in wanted if not tags[a]]
    if bare:  # no pretrained tag: usable with local weights only
        console.print(f"[bold]open_clip NAME:/path/weights.pt only:[/] {', '.join(bare)}")
    console.print(
        "[bold]Also:[/] hf-hub:ORG/NAME (e.g. "
        "hf-hub:microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224) or a model directory."
    )
