"""``load_model(spec)``: one entry point for every model litclip can use.

Specs (see :func:`load_model`):

- ``litclip-tiny`` / ``litclip-micro``: built-in configs (random image tower; offline).
- ``ViT-B-32:openai``, ``ViT-B-16:laion2b_s34b_b88k``: open_clip name + pretrained tag.
- ``hf-hub:microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224``: open_clip on the HF hub.
- ``NAME:/path/weights.{safetensors,pt,bin}``: an open_clip or built-in name with a local file.
- ``/path/to/dir``: a model directory written by :func:`litclip.models.save_model`, or any
  folder with ``open_clip_config.json`` + weights (open_clip's ``local-dir`` layout).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import pickle
import socket
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import torch

from litclip.errors import ModelLoadError, did_you_mean
from litclip.io import read_json_object
from litclip.models.device import resolve_device
from litclip.models.registry import get_builtin_config, is_builtin, list_builtin_models

log = logging.getLogger(__name__)

LITCLIP_META = "litclip.json"
OPEN_CLIP_CONFIG = "open_clip_config.json"
WEIGHTS_FILE = "open_clip_model.safetensors"
HF_HUB_HOST = "huggingface.co"

OFFLINE_HELP = (
    "Offline alternatives: the built-in 'litclip-tiny' (real pretrained MiniLM text tower, random "
    "image tower) or 'litclip-micro'; a model directory written by litclip "
    "(`litclip train` / `litclip interpolate`); or 'NAME:/path/to/weights.pt' with weights you "
    "downloaded on a connected machine (open_clip caches hub downloads under ~/.cache/huggingface, "
    "which also works offline once filled)."
)


@dataclass
class LoadedModel:
    """A CLIP-family model with everything needed to use it consistently.

    Attributes:
        model: the open_clip model (``encode_image``, ``encode_text``, ``logit_scale``).
        preprocess_train: PIL image -> tensor, with training augmentation.
        preprocess_val: PIL image -> tensor, deterministic.
        tokenizer: ``list[str] -> LongTensor``.
        spec: the spec string it was loaded from.
        model_name: architecture name (open_clip or built-in name).
        model_cfg: the open_clip model config (dict), as needed to rebuild the model.
        preprocess_cfg: mean/std/size/interpolation/resize mode travelling with the weights.
        embed_dim: joint embedding width.
        device: where the model lives.
        meta: ``litclip.json`` contents for litclip model directories, else ``{}``.
    """

    model: torch.nn.Module
    preprocess_train: Callable[[Any], torch.Tensor]
    preprocess_val: Callable[[Any], torch.Tensor]
    tokenizer: Callable[..., torch.Tensor]
    spec: str
    model_name: str
    model_cfg: dict[str, Any]
    preprocess_cfg: dict[str, Any]
    embed_dim: int
    device: torch.device
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def hf_text_path(self) -> str | None:
        """Local path of the Hugging Face text model, when the text tower is one."""
        return self.model_cfg.get("text_cfg", {}).get("hf_model_name")


def list_models() -> list[str]:
    """Built-in litclip configs followed by open_clip architecture names."""
    import open_clip

    return list_builtin_models() + open_clip.list_models()


def _hub_reachable(host: str, timeout: float = 3.0) -> bool:
    """A quick TCP probe so an offline machine fails in seconds, not after long retries."""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def _quiet_loading() -> Iterator[None]:
    """Silence open_clip's root-logger errors and transformers' load reports; we raise our own."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover
        hf_logging = None
    old = hf_logging.get_verbosity() if hf_logging else None
    bars = hf_logging.is_progress_bar_enabled() if hf_logging else False
    if hf_logging:
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)
        if hf_logging:
            hf_logging.set_verbosity(old)
            if bars:
                hf_logging.enable_progress_bar()


@contextlib.contextmanager
def _hf_offline() -> Iterator[None]:
    """Make huggingface_hub use only its local cache for the duration (restored afterwards)."""
    try:
        from huggingface_hub import constants
    except ImportError:  # pragma: no cover
        yield
        return
    old = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = old


def _offline_error(spec: str, host: str, exc: BaseException | None = None) -> ModelLoadError:
    first = (str(exc).splitlines() or [""])[0] if exc else ""
    why = (
        f" ({type(exc).__name__}: {textwrap.shorten(first, 200, placeholder=' ...')})"
        if exc
        else ""
    )
    return ModelLoadError(
        f"cannot load '{spec}': the model hub ({host}) is unreachable and the weights are not in "
        f"the local cache{why}. {OFFLINE_HELP}"
    )


#: What reading a file that is not usable weights raises: torch.load/safetensors on a truncated
#: or foreign file, open_clip's state-dict handling of a file holding something else (a list,
#: an empty dict), and load_state_dict on another architecture's tensors.
_BAD_WEIGHTS = (
    OSError,
    EOFError,
    RuntimeError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    StopIteration,
    pickle.UnpicklingError,
)


def _weights_problem(exc: BaseException) -> str:
    """What is wrong with a weights file, from what reading it raised."""
    from safetensors import SafetensorError

    first = (str(exc).splitlines() or [""])[0]
    if isinstance(exc, RuntimeError) and "state_dict" in first:
        detail = textwrap.shorten(" ".join(str(exc).split()), 300, placeholder=" ...")
        return f"its tensors do not fit this architecture ({detail})"
    if isinstance(exc, KeyError | TypeError | AttributeError | StopIteration):
        return "it does not hold a state dict (parameter names -> tensors)"
    # torch's UnpicklingError text advises weights_only=False: not a step to take on unknown files
    why = "" if isinstance(exc, pickle.UnpicklingError) or not first else f": {first}"
    kind = "safetensors" if isinstance(exc, SafetensorError) else "PyTorch or safetensors"
    return (
        f"it is truncated or not a {kind} weights file "
        f"({type(exc).__name__}{textwrap.shorten(why, 200, placeholder=' ...')})"
    )


@contextlib.contextmanager
def _reading_weights(path: Path | None, name: str) -> Iterator[None]:
    """Turn a bad weights file's exception (any of :data:`_BAD_WEIGHTS`) into a
    :class:`ModelLoadError` naming the file; a no-op without a local file."""
    if path is None:
        yield
        return
    from safetensors import SafetensorError

    try:
        yield
    except torch.OutOfMemoryError:  # a RuntimeError too, but the device's problem, not the file's
        raise
    except (*_BAD_WEIGHTS, SafetensorError) as exc:
        raise ModelLoadError(
            f"cannot load weights '{path}' for {name}: {_weights_problem(exc)}"
        ) from exc


def _read_json_object(path: Path, what: str) -> dict[str, Any]:
    """A JSON file of a model directory, or a ModelLoadError naming it and the problem."""
    advice = "rewrite it, or save the model again"
    return read_json_object(path, advice, what=what, error=ModelLoadError)


def _transforms(model: torch.nn.Module) -> tuple[Callable, Callable]:
    from open_clip.model import get_model_preprocess_cfg
    from open_clip.transform import PreprocessCfg, image_transform_v2, merge_preprocess_dict

    pp = PreprocessCfg(**merge_preprocess_dict(PreprocessCfg(), get_model_preprocess_cfg(model)))
    return image_transform_v2(pp, is_train=True), image_transform_v2(pp, is_train=False)


def _build_from_cfg(
    model_cfg: dict[str, Any],
    preprocess_cfg: dict[str, Any],
    weights: Path | None,
    device: torch.device,
    precision: str,
    name: str = "",
) -> torch.nn.Module:
    """Instantiate an open_clip model from a config dict and optionally load weights
    (``name`` says which model a bad weights file was for)."""
    from open_clip.factory import _set_model_device_and_precision, load_checkpoint
    from open_clip.model import CLIP, CustomTextCLIP, get_cast_dtype, set_model_preprocess_cfg
    from open_clip.transform import PreprocessCfg, merge_preprocess_dict

    cfg = json.loads(json.dumps(model_cfg))  # deep copy, JSON-clean
    text_cfg = cfg.get("text_cfg", {})
    is_hf = "hf_model_name" in text_cfg
    if is_hf:
        # Pretrained text weights only when no full checkpoint will overwrite them.
        text_cfg["hf_model_pretrained"] = weights is None
    custom = cfg.pop("custom_text", False) or is_hf
    cls = CustomTextCLIP if custom else CLIP
    with _quiet_loading():
        model = cls(**cfg, cast_dtype=get_cast_dtype(precision))
    _set_model_device_and_precision(model, device, precision, False)
    if weights is not None:
        with _reading_weights(weights, name or "this model"):
            load_checkpoint(model, str(weights), strict=True, device="cpu")
        model.to(device)
    pp = merge_preprocess_dict(PreprocessCfg(), preprocess_cfg)
    pp["size"] = model.visual.image_size
    set_model_preprocess_cfg(model, pp)
    return model


def _tokenizer_for(model_cfg: dict[str, Any]) -> Callable[..., torch.Tensor]:
    from open_clip.tokenizer import HFTokenizer, SimpleTokenizer

    text_cfg = model_cfg.get("text_cfg", {})
    ctx = text_cfg.get("context_length", 77)
    if text_cfg.get("hf_tokenizer_name"):
        return HFTokenizer(text_cfg["hf_tokenizer_name"], context_length=ctx)
    return SimpleTokenizer(context_length=ctx)


def _assemble(
    model: torch.nn.Module,
    spec: str,
    name: str,
    model_cfg: dict[str, Any],
    tokenizer: Callable[..., torch.Tensor],
    device: torch.device,
    meta: dict[str, Any] | None = None,
) -> LoadedModel:
    from open_clip.model import get_model_preprocess_cfg

    train_tf, val_tf = _transforms(model)
    model.eval()
    return LoadedModel(
        model=model,
        preprocess_train=train_tf,
        preprocess_val=val_tf,
        tokenizer=tokenizer,
        spec=spec,
        model_name=name,
        model_cfg=model_cfg,
        preprocess_cfg=dict(get_model_preprocess_cfg(model)),
        embed_dim=int(model_cfg["embed_dim"]),
        device=device,
        meta=meta or {},
    )


def _init_seed(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def _load_builtin(
    spec: str, name: str, weights: Path | None, device: torch.device, precision: str
) -> LoadedModel:
    cfg = get_builtin_config(name)
    # The random towers of a built-in are seeded by its name, so "litclip-tiny" is the same
    # model in every process: the base that was fine-tuned is the base that gets evaluated.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_init_seed(name))
        model = _build_from_cfg(
            cfg["model_cfg"], cfg["preprocess_cfg"], weights, device, precision, name
        )
    return _assemble(model, spec, name, cfg["model_cfg"], _tokenizer_for(cfg["model_cfg"]), device)


def _check_dir(path: Path) -> Path:
    """``path``'s weights file; :class:`ModelLoadError` unless it holds a model's config and
    weights."""
    if not (path / OPEN_CLIP_CONFIG).is_file():
        # a training run's folder: its model is inside
        inside = [
            p for p in (path / "best_model", path / "model") if (p / OPEN_CLIP_CONFIG).is_file()
        ]
        hint = f" (a training run: did you mean '{inside[0]}'?)" if inside else ""
        raise ModelLoadError(
            f"'{path}' is not a model directory: {OPEN_CLIP_CONFIG} is missing{hint}. Expected a "
            "folder written by `litclip train`/`save_model` or open_clip's local-dir layout."
        )
    return _find_weights(path)


def _load_dir(spec: str, path: Path, device: torch.device, precision: str) -> LoadedModel:
    cfg_path = path / OPEN_CLIP_CONFIG
    weights = _check_dir(path)
    oc = _read_json_object(cfg_path, "model config")
    model_cfg = oc.get("model_cfg")
    if not isinstance(model_cfg, dict) or "embed_dim" not in model_cfg:
        raise ModelLoadError(
            f"model config '{cfg_path}' has no model_cfg object with an embed_dim: it is not "
            "an open_clip config (save the model again, or copy the file from its source)"
        )
    text_cfg = model_cfg.get("text_cfg", {})
    if "hf_model_name" in text_cfg and (path / "config.json").is_file():
        # The HF text config and tokenizer are stored beside the weights; point at this
        # folder wherever it now lives (the saved absolute path may be stale after a move).
        text_cfg["hf_model_name"] = str(path.resolve())
        text_cfg["hf_tokenizer_name"] = str(path.resolve())
    meta_path = path / LITCLIP_META
    meta = _read_json_object(meta_path, "litclip metadata") if meta_path.is_file() else {}
    name = meta.get("model_name") or path.name
    try:
        model = _build_from_cfg(
            model_cfg, oc.get("preprocess_cfg") or {}, weights, device, precision, str(name)
        )
    except (TypeError, ValueError, KeyError) as exc:  # a hand-edited config open_clip rejects
        raise ModelLoadError(
            f"model config '{cfg_path}' does not describe a model open_clip can build: "
            f"{type(exc).__name__}: {textwrap.shorten(str(exc), 200, placeholder=' ...')}"
        ) from exc
    return _assemble(model, spec, name, model_cfg, _tokenizer_for(model_cfg), device, meta)


def _find_weights(path: Path) -> Path:
    for candidate in (WEIGHTS_FILE, "open_clip_pytorch_model.bin", "open_clip_pytorch_model.pth"):
        if (path / candidate).is_file():
            return path / candidate
    raise ModelLoadError(f"no weights found in '{path}' (expected {WEIGHTS_FILE})")


def _load_open_clip(
    spec: str, name: str, pretrained: str | None, device: torch.device, precision: str
) -> LoadedModel:
    import open_clip

    hub = name.startswith("hf-hub:")  # an unknown name was refused by check_model_spec
    needs_net = hub or (pretrained is not None and not Path(pretrained).is_file())
    host = HF_HUB_HOST
    if needs_net and pretrained:
        cfg = open_clip.get_pretrained_cfg(name, pretrained) or {}
        if not cfg and not Path(pretrained).exists():
            tags = open_clip.list_pretrained_tags_by_model(name)
            raise ModelLoadError(
                f"'{pretrained}' is neither a pretrained tag of {name} ({', '.join(tags) or 'none'}) "
                "nor an existing weights file."
            )
        if cfg.get("url") and not cfg.get("hf_hub"):
            host = urlparse(cfg["url"]).hostname or host
    offline = needs_net and not _hub_reachable(host)
    local_weights = Path(pretrained) if pretrained and Path(pretrained).is_file() else None
    try:
        with _quiet_loading(), _hf_offline() if offline else contextlib.nullcontext():
            with _reading_weights(local_weights, name):
                model, _, _ = open_clip.create_model_and_transforms(
                    name, pretrained=pretrained, device=device, precision=precision
                )
            tokenizer = open_clip.get_tokenizer(name)
    except (OSError, RuntimeError, ValueError) as exc:
        if offline:
            raise _offline_error(spec, host, exc) from None
        raise ModelLoadError(f"cannot load '{spec}': {exc}") from exc
    model_cfg = _model_cfg_of(name)
    # a bare architecture name is open_clip's random init: callers say so (it is not CLIP)
    meta = {"random_init": True} if pretrained is None and not hub else None
    return _assemble(model, spec, name, model_cfg, tokenizer, device, meta=meta)


def _model_cfg_of(name: str) -> dict[str, Any]:
    import open_clip
    from open_clip.factory import _get_hf_config

    if name.startswith("hf-hub:"):
        return _get_hf_config(name[len("hf-hub:") :])["model_cfg"]
    return open_clip.get_model_config(name)


_WEIGHT_SUFFIXES = {".safetensors", ".pt", ".bin", ".pth"}


def _looks_like_path(tag: str) -> bool:
    """A pretrained tag that names a file (``/w/model.pt``), not a tag (``openai``)."""
    return "/" in tag or Path(tag).suffix in _WEIGHT_SUFFIXES


def _split_spec(spec: str) -> tuple[str, str | None]:
    """``NAME:TAG`` -> (NAME, TAG); leaves ``hf-hub:`` ids and Windows-free paths alone."""
    if spec.startswith("hf-hub:") or spec.startswith("local-dir:"):
        return spec, None
    name, sep, tag = spec.partition(":")
    return (name, tag) if sep else (spec, None)


#: open_clip's precision names (fp16/bf16: weights cast; amp: fp32 weights, autocast on CUDA)
PRECISIONS = ("fp32", "fp16", "bf16", "amp", "amp_bf16", "pure_fp16", "pure_bf16")


def load_model(
    spec: str | Path, device: str | torch.device = "cpu", precision: str = "fp32"
) -> LoadedModel:
    """Load any CLIP-family model litclip supports.

    Args:
        spec: a built-in name (``litclip-tiny``), ``NAME:TAG`` (``ViT-B-32:openai``),
            ``NAME:/path/weights``, ``hf-hub:ORG/NAME``, or a model directory path.
        device: torch device.
        precision: ``fp32``, ``fp16``, ``bf16``, ``amp`` (open_clip precision names).

    Returns:
        A :class:`LoadedModel` in eval mode.

    Raises:
        ModelLoadError: unknown spec, missing files, or an unreachable hub (the message names
            the offline alternatives).
    """
    if precision not in PRECISIONS:
        raise ModelLoadError(f"unknown precision {precision!r}: choose {', '.join(PRECISIONS)}")
    device = resolve_device(device)
    spec_str = str(spec)
    check_model_spec(spec_str)
    local = _local_dir(spec_str)
    if local.is_dir():
        return _load_dir(spec_str, local, device, precision)
    name, tag = _split_spec(spec_str)
    if is_builtin(name):
        return _load_builtin(spec_str, name, Path(tag) if tag else None, device, precision)
    return _load_open_clip(spec_str, name, tag, device, precision)


def _local_dir(spec: str) -> Path:
    return Path(spec[len("local-dir:") :] if spec.startswith("local-dir:") else spec)


def check_model_spec(spec: str | Path) -> None:
    """Raise :class:`ModelLoadError` for a spec that cannot load as far as the local files
    tell (a model folder without weights, a missing weights file, an unknown name), without
    reading weights or the network: a command checks every model before it works on any."""
    spec_str = str(spec)
    local = _local_dir(spec_str)
    if local.is_dir():
        _check_dir(local)
        return
    name, tag = _split_spec(spec_str)
    if is_builtin(name):
        if tag and not Path(tag).is_file():
            raise ModelLoadError(f"weights file '{tag}' for {name} does not exist")
        return
    if tag is None and (local.suffix in _WEIGHT_SUFFIXES or local.exists()):
        raise ModelLoadError(
            f"'{spec_str}' is a file: say which architecture it is for, e.g. 'ViT-B-32:{spec_str}'"
        )
    if tag is not None and _looks_like_path(tag) and not Path(tag).is_file():
        raise ModelLoadError(f"weights file '{tag}' for {name} does not exist")
    if ("/" in name or name.startswith(".")) and not name.startswith("hf-hub:"):
        raise ModelLoadError(f"model directory '{spec_str}' does not exist")
    if not name.startswith("hf-hub:"):
        import open_clip

        if name not in open_clip.list_models():
            known = ", ".join(list_builtin_models())
            hint = did_you_mean([name], [*list_builtin_models(), *open_clip.list_models()])
            raise ModelLoadError(
                f"unknown model '{name}'{hint}. Use a built-in ({known}), an open_clip name "
                "with a pretrained tag (see `litclip models`), 'hf-hub:ORG/NAME', or a model "
                "directory."
            )
