"""Model loading, saving and embedding over open_clip (``load_model(spec)`` is the entry point)."""

from litclip.models.embed import encode_images, encode_texts
from litclip.models.loading import (
    OFFLINE_HELP,
    LoadedModel,
    check_model_spec,
    list_models,
    load_model,
)
from litclip.models.registry import list_builtin_models
from litclip.models.saving import save_model

__all__ = [
    "OFFLINE_HELP",
    "LoadedModel",
    "check_model_spec",
    "encode_images",
    "encode_texts",
    "list_builtin_models",
    "list_models",
    "load_model",
    "save_model",
]
