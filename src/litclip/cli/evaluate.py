"""``litclip evaluate`` and ``litclip report``: thin wrappers over :mod:`litclip.evaluate`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from litclip.console import new_console
from litclip.errors import LitclipError, NothingMadeError


def register(app: typer.Typer) -> None:
    """Add the evaluation commands to the root app."""
    app.command("evaluate", short_help="Evaluate models on datasets -> results.json + report.")(
        evaluate
    )
    app.command("report", short_help="Render the HTML/markdown report from results.json.")(report)


def _ints(text: str, option: str, least: int = 0) -> tuple[int, ...]:
    """Comma-separated integers, at least one, none below ``least``."""
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError as exc:
        raise LitclipError(f"{option} takes comma-separated integers, got {text!r}") from exc
    if not values or min(values) < least:
        raise LitclipError(
            f"{option} takes one or more comma-separated integers of at least {least}, got {text!r}"
        )
    return values


def _floats(text: str, option: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError as exc:
        raise LitclipError(f"{option} takes comma-separated numbers, got {text!r}") from exc


def _prompts(values: list[str]) -> dict[str, str]:
    """``NAME=FILE`` pairs, or one bare ``FILE`` for every dataset (key ``*``)."""
    out = {}
    for v in values:
        name, sep, path = v.partition("=")
        out[name if sep else "*"] = path if sep else v
    return out


def evaluate(
    model: list[str] = typer.Option(
        ["litclip-tiny"],
        "--model",
        "-m",
        metavar="SPEC",
        help="Model spec; repeat for several models (built-in name, NAME:TAG, hf-hub:ID or a model dir).",
    ),
    dataset: list[str] = typer.Option(
        ...,
        "--dataset",
        "-d",
        metavar="SPEC",
        help="Dataset spec; repeat for several: medmnist:PATH.npz, folder:DIR (train/val/test "
        "sub-folders), pairs:MANIFEST (retrieval).",
    ),
    tasks: list[str] = typer.Option(
        ["zeroshot,calibration,linear-probe,few-shot,retrieval"],
        metavar="TASKS",
        help="Comma-separated tasks (or repeat --tasks): zeroshot, calibration, linear-probe, "
        "few-shot, retrieval, cnn, retention, contamination, and prompt learning coop, cocoop, "
        "biomedcoop (K-shot with --shots/--seeds; each runs where it applies).",
    ),
    out: Path = typer.Option(
        Path("results"), help="Output directory: results.json, report.html, report.md, features/."
    ),
    prompts: list[str] = typer.Option(
        [],
        metavar="FILE|NAME=FILE",
        help="Prompt file (JSON/YAML with classnames + templates): FILE for all datasets or NAME=FILE; repeatable.",
    ),
    criterion: str = typer.Option(
        "f1", help="Calibration threshold criterion on validation: f1 or youden."
    ),
    shots: str = typer.Option("1,2,4,8,16", help="Few-shot K values (examples per class)."),
    seeds: str = typer.Option("0,1,2,3,4", help="Few-shot seeds (>= 5 for meaningful intervals)."),
    fewshot_finetune: bool = typer.Option(
        False, help="Also fine-tune the image tower end to end per K and seed (slow)."
    ),
    recall: str = typer.Option("1,5,10", help="Retrieval Recall@K values."),
    cnn_arch: list[str] = typer.Option(
        ["resnet18"],
        metavar="ARCH",
        help="CNN baselines for --tasks cnn: resnet18, convnext_tiny; repeatable.",
    ),
    cnn_epochs: int = typer.Option(
        10, min=1, help="CNN baseline epochs (best epoch chosen on validation)."
    ),
    cnn_pretrained: str = typer.Option(
        "auto", help="ImageNet weights for the CNN: auto (if available), yes, no."
    ),
    prompt_epochs: int = typer.Option(
        10,
        min=1,
        help="Prompt learning (coop, cocoop, biomedcoop) epochs; the best on validation is "
        "kept. The published setting is 100 (10 keeps a CPU run short).",
    ),
    prompt_lr: float = typer.Option(0.0025, min=0.0, help="Prompt learning SGD learning rate."),
    prompt_n_ctx: int = typer.Option(
        4,
        min=1,
        help="CoOp's learned context tokens (CoCoOp/BiomedCoOp start from 'a photo of a').",
    ),
    retention_dataset: str = typer.Option(
        None, help="General-domain folder:DIR for --tasks retention."
    ),
    retention_base: str = typer.Option(
        None, help="Base model for retention (default: the fine-tuned model's base_spec)."
    ),
    alphas: str = typer.Option("0,0.25,0.5,0.75,1", help="WiSE-FT alphas for the retention sweep."),
    contamination_manifest: str = typer.Option(
        None,
        help="Training corpus manifest for --tasks contamination: the images training "
        "reads count (its train split, all rows without a split column; QC passes only).",
    ),
    exclude_contaminated: bool = typer.Option(
        False, help="Drop near-duplicates of corpus images from evaluation splits."
    ),
    max_distance: int = typer.Option(
        4, min=0, max=64, help="Perceptual-hash Hamming distance counted as a near-duplicate."
    ),
    n_boot: int = typer.Option(
        1000, min=0, help="Bootstrap resamples for 95% intervals (0 = none)."
    ),
    seed: int = typer.Option(0, help="Seed of bootstraps, solvers and CNN training."),
    batch_size: int = typer.Option(64, min=1, help="Images per forward pass when embedding."),
    device: str = typer.Option("cpu", help="torch device, e.g. cpu or cuda."),
    skip_existing: bool = typer.Option(
        False, help="Skip (model, dataset, task) runs already in OUT/results.json."
    ),
    cache_features: bool = typer.Option(
        True, help="Cache image features under OUT/features (reused by later runs)."
    ),
    report: bool = typer.Option(True, help="Render OUT/report.html and OUT/report.md at the end."),
    quiet: bool = typer.Option(False, help="No progress output."),
) -> None:
    """Evaluate models on datasets: writes OUT/results.json, OUT/report.html and OUT/report.md."""
    from litclip.evaluate import EvalConfig, run_evaluation
    from litclip.evaluate.runner import check_out_dir
    from litclip.io import taken_back_if_empty

    cfg = EvalConfig(
        seed=seed,
        n_boot=n_boot,
        criterion=criterion.lower(),
        fewshot_ks=_ints(shots, "--shots", least=1),
        fewshot_seeds=_ints(seeds, "--seeds"),
        fewshot_finetune=fewshot_finetune,
        retrieval_ks=_ints(recall, "--recall", least=1),
        cnn_archs=tuple(cnn_arch),
        cnn_epochs=cnn_epochs,
        cnn_pretrained=cnn_pretrained,
        prompt_epochs=prompt_epochs,
        prompt_lr=prompt_lr,
        prompt_n_ctx=prompt_n_ctx,
        prompts=_prompts(prompts),
        retention_dataset=retention_dataset,
        retention_base=retention_base,
        alphas=_floats(alphas, "--alphas"),
        contamination_manifest=contamination_manifest,
        exclude_contaminated=exclude_contaminated,
        max_distance=max_distance,
        batch_size=batch_size,
        device=device,
        cache_features=cache_features,
        skip_existing=skip_existing,
        report=report,
        progress=not quiet,
    )
    if cfg.criterion not in ("f1", "youden"):
        raise LitclipError(f"--criterion must be f1 or youden, got {criterion!r}")
    if exclude_contaminated and contamination_manifest is None:
        raise LitclipError(
            "--exclude-contaminated needs --contamination-manifest (the training corpus's "
            "manifest) to know what to exclude"
        )
    if cnn_pretrained not in ("auto", "yes", "no"):
        raise LitclipError(f"--cnn-pretrained must be auto, yes or no, got {cnn_pretrained!r}")
    task_list = list(dict.fromkeys(t.strip() for g in tasks for t in g.split(",") if t.strip()))
    check_out_dir(out)
    with taken_back_if_empty(out):
        results = run_evaluation(model, dataset, task_list, out, cfg)
    console = new_console()
    where = f", report [bold]{escape(str(out / 'report.html'))}[/]" if report else ""
    results_json = escape(str(out / "results.json"))
    this_call = results.get("this_call", {})
    if results["runs"] and (this_call.get("runs_made") or not this_call.get("tasks_run")):
        console.print(f"{len(results['runs'])} runs -> [bold]{results_json}[/]{where}")
    for line in results.get("warnings", []):
        console.print(f"[bold yellow]warning:[/] {escape(str(line))}")
    for line in results.get("skipped", []):
        console.print(f"[yellow]skipped:[/] {escape(str(line))}")
    if not results["runs"]:  # a script must notice; the reasons are the skipped lines
        raise NothingMadeError(
            "nothing was evaluated: no task could run (the reasons are above and in "
            f"{out / 'results.json'})"
        )
    if this_call.get("tasks_run") and not this_call.get("runs_made"):
        # the earlier runs in OUT must not make a failed call look done
        raise NothingMadeError(
            "nothing was evaluated this time: no task could run (the reasons are above); "
            f"the {len(results['runs'])} earlier run(s) in {out / 'results.json'} are kept"
        )


def report(
    results: list[Path] = typer.Argument(
        ...,
        metavar="RESULTS",
        help="results.json file(s) (or their directories); several are merged.",
    ),
    out: Path = typer.Option(
        None,
        help="HTML report to write (markdown + PNGs beside it); a folder means "
        "FOLDER/report.html. Default: beside one results.json, else ./report.html.",
        show_default=False,
    ),
) -> None:
    """Render an HTML + markdown report from results.json alone (merging several files)."""
    from litclip.evaluate.report import render_report
    from litclip.evaluate.results import merge_files, read_results

    data = read_results(results[0]) if len(results) == 1 else merge_files(list(results))
    if out is None:  # one evaluation's report goes into its folder, as evaluate writes it
        one = results[0] if results[0].is_dir() else results[0].parent
        out = one if len(results) == 1 else Path("report.html")
    target = report_path(out)
    _check_report_folder(target.parent, results)
    try:  # said in one line, not as a traceback from deep in the renderer
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LitclipError(
            f"--out {out} cannot be made ({exc.strerror}): choose a folder that can be written"
        ) from None
    path = render_report(data, target)
    console = new_console()
    for note in data.get("notes", []):
        console.print(f"[yellow]note:[/] {escape(str(note))}")
    console.print(
        f"report written to [bold]{escape(str(path))}[/] and {escape(str(path.with_suffix('.md')))}"
    )


# what marks a folder as another command's: its report would be taken for that folder's own
_OTHER_OUTPUTS = {
    "index.json": "a search index",
    "manifest.parquet": "a corpus",
    "metrics.jsonl": "a training run",
    "checkpoints": "a training run",
}


def _check_report_folder(folder: Path, results: list[Path]) -> None:
    """Refuse to write a report into a folder of another evaluation (its report.html would no
    longer match its results.json) or of another command; a results.json being reported is
    its folder's own."""
    own = folder / "results.json"
    inputs = {(r / "results.json" if r.is_dir() else r).resolve() for r in results}
    if own.is_file() and own.resolve() not in inputs:
        raise LitclipError(
            f"--out {folder} holds another evaluation ({own}): its report would no longer "
            "match its results; choose another folder, or pass that results.json too"
        )
    for name, what in _OTHER_OUTPUTS.items():
        if (folder / name).exists() and not own.is_file():
            raise LitclipError(
                f"--out {folder} is {what} folder ({name}): write the report elsewhere"
            )


def report_path(out: Path) -> Path:
    """Where ``report --out`` writes the HTML: a folder (existing, or a name without a suffix)
    gets ``report.html``; ``x.md`` names the pair ``x.html`` + ``x.md``."""
    if out.is_dir() or not out.suffix:
        return out / "report.html"
    if out.suffix.lower() == ".md":
        return out.with_suffix(".html")
    if out.suffix.lower() not in (".html", ".htm"):
        raise LitclipError(f"--out {out}: give an .html file (the .md is written beside it)")
    return out
