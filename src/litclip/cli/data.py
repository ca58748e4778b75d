"""``litclip data``: list the dataset kinds and inspect a dataset spec before using it."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from litclip.console import new_console

data_app = typer.Typer(
    help="Inspect datasets (MedMNIST, folders, manifests, WebDataset).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add the ``data`` command group to the root app."""
    app.add_typer(data_app, name="data")


@data_app.command("list", short_help="List the dataset spec kinds (KIND:PATH).")
def list_kinds() -> None:
    """List the dataset spec kinds (KIND:PATH) that open_dataset understands."""
    from litclip.data import list_datasets

    console = new_console()
    for name, description in list_datasets().items():
        console.print(f"  [bold]{name}:[/]PATH  {description}")


@data_app.command("info", short_help="Print a dataset's size, classes or captions.")
def info(
    spec: str = typer.Argument(
        ...,
        metavar="SPEC",
        help="Dataset spec, e.g. medmnist:PATH.npz, folder:DIR, pairs:MANIFEST, wds:PATTERN.",
    ),
    split: str = typer.Option("test", help="Split (train / val / test)."),
    image_key: str | None = typer.Option(
        None, help="Image path column (pairs manifests; default filepath, or ?image_key= in SPEC)."
    ),
    caption_key: str | None = typer.Option(
        None, help="Caption column (pairs manifests; default caption, or ?caption_key= in SPEC)."
    ),
    verify: bool = typer.Option(True, help="Decode every image once and report unreadable ones."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Open a dataset and print its size, classes or captions, and any skipped items."""
    from litclip.data.registry import open_dataset, parse_spec, summarize_dataset
    from litclip.io import to_json

    kind, _ = parse_spec(spec)
    kw: dict[str, object] = {}
    if kind == "pairs":  # options given here win over the spec's; unset ones leave it alone
        kw.update({k: v for k, v in (("image_key", image_key), ("caption_key", caption_key)) if v})
    if kind != "medmnist":
        kw["on_error"] = "skip" if verify else "raise"  # "raise" skips the decode pre-pass
    failed = 0
    if kind == "pairs":  # a corpus's pairs failing QC: training and evaluation leave them out
        from litclip.evaluate.datasets import qc_failed

        failed = qc_failed(spec, split)
        if failed:
            kw["query"] = "qc_pass"
    summary = summarize_dataset(open_dataset(spec, split=split, **kw))
    if failed:
        summary["qc_failed_left_out"] = failed
    if as_json:
        typer.echo(to_json(summary))
        return
    _print_summary(new_console(), spec, summary)


def _print_summary(console: Console, spec: str, summary: dict) -> None:
    from rich.table import Table

    console.print(
        f"[bold]{escape(spec)}[/] ({summary['type']}, split={summary['split']}): {summary['n']} items"
    )
    if summary.get("qc_failed_left_out"):
        console.print(
            f"  and {summary['qc_failed_left_out']} pair(s) failing QC left out, as training "
            "and evaluation leave them out"
        )
    if "classes" in summary:
        table = Table("class", "count", title=f"task: {summary['task']}")
        for name, count in summary["classes"].items():
            table.add_row(name, str(count))
        console.print(table)
    if "caption_chars" in summary:
        c = summary["caption_chars"]
        console.print(
            f"caption length (chars): min {c['min']}, median {c['median']:g}, max {c['max']}"
        )
    if summary["skipped"]:
        console.print(f"[yellow]skipped {summary['skipped']} item(s):[/]")
        for s in summary["skipped_examples"]:
            console.print(f"  {s['source']}: {s['reason']}", markup=False)
