"""Figure search: build a FAISS index over a corpus, query it, serve it over HTTP.

``build_index(model, corpus_dir, out_dir)`` writes an index directory (contract 5);
``Searcher(index_dir)`` queries it; ``create_app(index_dir)`` is the FastAPI service and
``serve(index_dir, host, port, token)`` runs it with uvicorn. Heavy modules (torch, faiss,
fastapi) are imported lazily.
"""

from __future__ import annotations

from typing import Any

__all__ = ["IndexParams", "Searcher", "build_index", "create_app", "load_index", "serve"]

_LAZY = {
    "IndexParams": "litclip.serve.index",
    "build_index": "litclip.serve.index",
    "load_index": "litclip.serve.index",
    "Searcher": "litclip.serve.search",
    "create_app": "litclip.serve.app",
    "serve": "litclip.serve.app",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'litclip.serve' has no attribute {name!r}")
