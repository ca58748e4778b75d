"""Skip-if-complete step runner: each step records a marker keyed by a hash of its inputs.

A step's marker (``OUT/.steps/NAME.json``) is written atomically only after the step finished,
holding the hash of its config and of the markers of the steps it depends on. A rerun reuses a
step whose hash matches and whose products are still there; changing a step's options (or
anything upstream), or deleting what it made, redoes it and everything after it.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rich.console import Console

from litclip import __version__
from litclip.io import atomic_write_json, now_iso, read_json, to_json


class StepRunner:
    """Runs named steps once; remembers their outputs (JSON-able dicts) across reruns."""

    def __init__(self, out_dir: Path, console: Console) -> None:
        self.dir = out_dir / ".steps"
        self.console = console
        self.hashes: dict[str, str] = {}
        self.timings: dict[str, float] = {}

    def digest(self, key: Any, after: list[str]) -> str:
        """The hash a step with ``key`` after the steps ``after`` is recorded under."""
        payload = to_json({"key": key, "after": [self.hashes[a] for a in after]}, indent=None)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def lost(self, name: str, products: Callable[[dict[str, Any]], Iterable[Path]]) -> bool:
        """Whether step ``name`` finished once and what it made (``products``) is gone."""
        return _lost(self.dir / f"{name}.json", products)

    def run(
        self,
        name: str,
        key: Any,
        fn: Callable[[], dict[str, Any]],
        after: list[str] | None = None,
        products: Callable[[dict[str, Any]], Iterable[Path]] | None = None,
        content: Callable[[dict[str, Any]], str] | None = None,
    ) -> dict[str, Any]:
        """Run ``fn`` unless a finished run with the same ``key`` (and upstream) exists and
        the paths ``products(outputs)`` names are all still there. ``content(outputs)``: a
        hash of what the step made, which the steps after it then follow instead of which
        run made it (an identical output redone keeps them)."""
        digest = self.digest(key, after or [])
        marker = self.dir / f"{name}.json"
        if marker.is_file():
            saved = read_json(marker)
            if saved.get("hash") == digest and _present(saved["outputs"], products):
                self.console.print(f"[dim]• {name}: complete from an earlier run, reused[/]")
                self.hashes[name] = (
                    content(saved["outputs"]) if content else _chained(digest, saved.get("attempt"))
                )
                self.timings[name] = 0.0
                return saved["outputs"]
            if saved.get("hash") == digest:
                self.console.print(f"[yellow]{name}: its output is gone, so it is done again[/]")
        self.console.rule(f"[bold]{name}")
        start = time.perf_counter()
        outputs = fn()
        seconds = time.perf_counter() - start
        attempt = uuid.uuid4().hex  # a redo with the same key still redoes the steps after it
        atomic_write_json(
            marker,
            {
                "hash": digest,
                "attempt": attempt,
                "outputs": json.loads(to_json(outputs)),
                "seconds": round(seconds, 2),
                "finished": now_iso(),
                "litclip_version": __version__,
            },
        )
        self.hashes[name] = content(outputs) if content else _chained(digest, attempt)
        self.timings[name] = seconds
        self.console.print(f"[green]✓ {name}[/] ({seconds:.1f} s)")
        return outputs


def _lost(marker: Path, products: Callable) -> bool:
    """Whether a finished step's marker names products that are gone."""
    return marker.is_file() and not _present(read_json(marker)["outputs"], products)


def _present(outputs: dict[str, Any], products: Callable | None) -> bool:
    """Whether every path a finished step made is still there (deleted: do it again)."""
    return products is None or all(Path(p).exists() for p in products(outputs))


def _chained(digest: str, attempt: str | None) -> str:
    """What the steps after this one hash: its key, and which attempt made its outputs
    (markers written before attempts were recorded hash their key alone, as they did)."""
    if attempt is None:
        return digest
    return hashlib.sha256(f"{digest}:{attempt}".encode()).hexdigest()[:16]
