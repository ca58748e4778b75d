"""LoRA adapters (peft) on the attention and MLP layers of either tower, merged on export.

open_clip's ViT and text transformer use ``nn.MultiheadAttention``, whose ``out_proj`` is read
by weight inside ``F.multi_head_attention_forward`` (a LoRA wrapper on it would be ignored);
peft (>= 0.14) wraps the whole ``nn.MultiheadAttention`` instead, adapting in_proj and
out_proj. MLPs (``c_fc``/``c_proj``) and Hugging Face BERT-style towers (``query``/``key``/
``value``/``dense``) are plain ``nn.Linear``. :func:`merged_model` folds the adapters into the
weights, so the exported state dict has exactly the keys of the plain open_clip model.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence

from torch import nn

# Module-name regexes (peft full-matches them) per tower.
_BLOCKS = r"transformer\.resblocks\.\d+\.(?:{})"
_HF_LAYERS = r"text\.transformer\.(?:encoder\.)?layer\.\d+\..*(?:{})"
DEFAULT_TARGETS: dict[str, tuple[str, ...]] = {
    "image": ("attn", "mlp.c_fc", "mlp.c_proj"),
    "text": ("attn", "mlp.c_fc", "mlp.c_proj", "query", "key", "value", "dense"),
}


def target_regex(towers: Sequence[str], targets: Sequence[str] | None = None) -> str:
    """A regex over module names selecting ``targets`` (name suffixes) in the given towers."""
    parts = []
    for tower in towers:
        names = "|".join(re.escape(t) for t in (targets or DEFAULT_TARGETS[tower]))
        if tower == "image":
            parts.append(r"visual\." + _BLOCKS.format(names))
        else:  # open_clip text transformer (top level or under .text) or an HF text tower
            parts.append(r"(?:text\.)?" + _BLOCKS.format(names))
            parts.append(_HF_LAYERS.format(names))
    return "^(?:" + "|".join(parts) + ")$"


def apply_lora(
    model: nn.Module,
    rank: int = 8,
    alpha: float = 16.0,
    dropout: float = 0.0,
    towers: Sequence[str] = ("image", "text"),
    targets: Sequence[str] | None = None,
) -> nn.Module:
    """Inject LoRA adapters into ``model`` in place; only the adapters stay trainable.

    Args:
        model: an open_clip model.
        rank: adapter rank r.
        alpha: scaling numerator (the update is ``alpha / r * B @ A``).
        dropout: dropout on the adapter input.
        towers: ``"image"`` and/or ``"text"``.
        targets: module-name suffixes to adapt (default :data:`DEFAULT_TARGETS`).

    Returns:
        The peft ``LoraModel`` wrapper (``.model`` is ``model``, now holding adapters); keep it
        for :func:`merged_model`.

    Raises:
        LitclipError: no module matched the targets (the message lists the names a block
            of these towers has).
    """
    from peft import LoraConfig, LoraModel

    from litclip.errors import LitclipError

    pattern = target_regex(towers, targets)
    if not any(re.match(pattern, name) for name, _ in model.named_modules()):
        raise LitclipError(
            f"lora_targets {list(targets or [])} match no module of the {', '.join(towers)} "
            f"tower(s); a block's modules there are "
            f"{', '.join(block_modules(model, towers)) or 'none'} "
            "(set lora_targets to some of them, or leave it out for attention and MLP)"
        )
    config = LoraConfig(
        r=rank, lora_alpha=alpha, lora_dropout=dropout, target_modules=pattern, bias="none"
    )
    return LoraModel(model, config, "default")


def block_modules(model: nn.Module, towers: Sequence[str] = ("image", "text")) -> list[str]:
    """The names, within a transformer block of ``towers``, of the modules LoRA can adapt
    (linear layers and attention), e.g. ``attn``, ``mlp.c_fc``; what ``lora_targets`` may
    name."""
    block = re.compile(r".*(?:resblocks|layer)\.\d+\.(.+)$")
    modules = dict(model.named_modules())
    # an attention's out_proj is read by weight inside the attention: adapt the attention
    inside = tuple(f"{n}." for n, m in modules.items() if isinstance(m, nn.MultiheadAttention))
    found = {
        m.group(1)
        for name, module in modules.items()
        if isinstance(module, nn.Linear | nn.MultiheadAttention)
        and not name.startswith(inside)
        and ("image" if name.startswith("visual.") else "text") in towers
        and (m := block.match(name))
    }
    return sorted(found)


def lora_parameters(model: nn.Module) -> list[str]:
    """Names of the LoRA adapter parameters of ``model``."""
    return [n for n, _ in model.named_parameters() if "lora_" in n]


def merged_model(lora_model: nn.Module) -> nn.Module:
    """A copy of the adapted model with adapters merged into plain weights (the original keeps training)."""
    return copy.deepcopy(lora_model).merge_and_unload()
