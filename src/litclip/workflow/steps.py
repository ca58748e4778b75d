"""Skip-if-complete step runner: each step records a marker keyed by a hash of its inputs.

A step's marker (``OUT/.steps/NAME.json``) is written atomically only after the step finished,
holding the hash of its config and of the markers of the steps it depends on. A rerun reuses a
step whose hash matches; changing a step's options (or anything upstream) redoes it and
everything after it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
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

    def _hash(self, key: Any, after: list[str]) -> str:
        payload = to_json({"key": key, "after": [self.hashes[a] for a in after]}, indent=None)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def run(
        self,
        name: str,
        key: Any,
        fn: Callable[[], dict[str, Any]],
        after: list[str] | None = None,
    ) -> dict[str, Any]:
        """Run ``fn`` unless a finished run with the same ``key`` (and upstream) exists."""
        digest = self._hash(key, after or [])
        marker = self.dir / f"{name}.json"
        if marker.is_file():
            saved = read_json(marker)
            if saved.get("hash") == digest:
                self.console.print(f"[dim]• {name}: complete from an earlier run, reused[/]")
                self.hashes[name] = digest
                self.timings[name] = 0.0
                return saved["outputs"]
        self.console.rule(f"[bold]{name}")
        start = time.perf_counter()
        outputs = fn()
        seconds = time.perf_counter() - start
        atomic_write_json(
            marker,
            {
                "hash": digest,
                "outputs": json.loads(to_json(outputs)),
                "seconds": round(seconds, 2),
                "finished": now_iso(),
                "litclip_version": __version__,
            },
        )
        self.hashes[name] = digest
        self.timings[name] = seconds
        self.console.print(f"[green]✓ {name}[/] ({seconds:.1f} s)")
        return outputs
