"""Class names and prompt templates for zero-shot classification, shipped as data files.

A prompt file (JSON, or YAML when PyYAML is installed) has the shape::

    {"classnames": ["normal lungs", "pneumonia"],          # index = label
     "templates": ["a chest x-ray showing {c}.", ...],      # "{c}" (or "{}") = class name
     "folder_names": ["normal", "pneumonia"]}              # optional: folder -> label order

``folder_names`` lets a file describe an image-folder dataset whose label order comes from its
sub-folder names (sorted): classes are reordered to match the dataset. The synthetic journal
writes ``classification/<task>/classes.json`` with ``classes`` (folder names, its own order) and
``classnames``; there ``classes`` plays the role of ``folder_names``. A file with only
``classes`` uses them as the class names; beside a folder dataset they must then either all
name its class folders (and give the label order) or name none of them (display names in the
folders' sorted order): a list that names some is taken for a misspelling and refused.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from litclip.errors import LitclipError
from litclip.io import parse_error

#: Used when nothing better is known about a dataset (CLIP's most generic prompts).
DEFAULT_TEMPLATES = ["a photo of {c}.", "an image of {c}.", "a medical image showing {c}."]


@dataclass
class PromptSet:
    """Class names (index = label), templates and where they came from."""

    classnames: list[str]
    templates: list[str]
    source: str

    def texts(self) -> list[list[str]]:
        """One list of filled-in prompts per class."""
        return [[fill(t, c) for t in self.templates] for c in self.classnames]

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form recorded with each run."""
        return asdict(self)


def fill(template: str, classname: str) -> str:
    """Put ``classname`` into ``template`` (``{c}`` or ``{}`` placeholder)."""
    return template.replace("{c}", classname).replace("{}", classname)


def list_prompt_sets() -> list[str]:
    """Names of the shipped prompt sets (MedMNIST datasets and synthetic journal tasks)."""
    files = resources.files(__package__).iterdir()
    return sorted(f.name[:-5] for f in files if f.name.endswith(".json"))


def read_prompt_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a JSON or YAML prompt file; raise :class:`LitclipError` naming the file on errors."""
    path = Path(path)
    if not path.is_file():
        raise LitclipError(
            f"prompt file not found: {path}. Pass a JSON/YAML file with "
            "'classnames' and 'templates'."
        )
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as exc:
        raise LitclipError(f"cannot parse prompt file {path}: {parse_error(exc)}") from None
    if not isinstance(data, dict) or not (data.get("classnames") or data.get("classes")):
        raise LitclipError(
            f"prompt file {path} needs 'classnames' (a list, index = label, or a mapping "
            "class -> display name) and a 'templates' list with '{c}' where the class name goes."
        )
    # a template without the class name gives every class the same text: chance by design
    blind = [t for t in data.get("templates") or [] if "{c}" not in str(t) and "{}" not in str(t)]
    if blind:
        raise LitclipError(
            f"prompt file {path}: template(s) {blind} have no '{{c}}' where the class name goes"
        )
    return data


def _shipped(name: str) -> dict[str, Any] | None:
    ref = resources.files(__package__) / f"{name.lower()}.json"
    return json.loads(ref.read_text(encoding="utf-8")) if ref.is_file() else None


def _classes_file(dataset: Any) -> Path | None:
    """``classes.json`` beside a folder dataset (see :func:`~litclip.data.folder.find_classes_file`)."""
    from litclip.data.folder import find_classes_file

    root = getattr(dataset, "root", None)
    return None if root is None else find_classes_file(root)


def _mapped_names(mapping: dict[str, Any], source: str, dataset: Any) -> list[str]:
    """Display names from a ``{"class": "display name"}`` mapping, in the dataset's label
    order; keys may be its folder names or its class names."""
    keys = [
        [str(k) for k in getattr(dataset, attr, None) or []]
        for attr in ("folder_names", "classnames")
    ]
    for names in keys:
        if names and all(n in mapping for n in names):
            return [str(mapping[n]) for n in names]
    wanted = keys[0] or keys[1]
    missing = [n for n in wanted if n not in mapping]
    raise LitclipError(
        f"prompt set {source} maps class names, but not {missing} of the dataset's classes "
        f"{wanted}; give every class a display name"
    )


def _from_data(data: dict[str, Any], source: str, dataset: Any) -> PromptSet:
    raw = data.get("classnames") or data.get("classes")
    if isinstance(raw, dict):  # {"normal": "no finding", ...}: class -> display name
        raw = _mapped_names(raw, source, dataset)
    names = [str(c) for c in raw]
    templates = [str(t) for t in (data.get("templates") or DEFAULT_TEMPLATES)]
    # the synthetic journal writes "classes" (folder names) next to "classnames" (display)
    folders = data.get("folder_names") or (data.get("classes") if data.get("classnames") else None)
    ds_folders = getattr(dataset, "folder_names", None)
    if folders and ds_folders and set(ds_folders) <= set(folders):
        by_folder = dict(zip(folders, names, strict=True))
        names = [by_folder[f] for f in ds_folders]
    elif ds_folders and not folders:
        if source.startswith("litclip:"):  # a MedMNIST set is in medmnist's label order
            raise LitclipError(
                f"prompt set {source} lists classes in MedMNIST's label order ({names}), not "
                f"this folder's ({list(ds_folders)}): write a prompt file with "
                "'folder_names' giving each class name's folder"
            )
        names = _in_label_order(names, [str(f) for f in ds_folders], source)
    n = len(getattr(dataset, "classnames", names))
    if len(names) != n:
        raise LitclipError(
            f"prompt set {source} has {len(names)} classes but the dataset has {n}; "
            "pass a prompt file whose 'classnames' match the labels."
        )
    return PromptSet(names, templates, source)


def _in_label_order(names: list[str], labels: list[str], source: str) -> list[str]:
    """A prompt file's class names put in the dataset's label order when they are its class
    folders in another order; refused when some are, at the wrong index (the file's order
    would score every image against another class's prompts)."""
    if sorted(names) == sorted(labels):
        return list(labels)
    misplaced = [
        n for i, n in enumerate(names) if n in labels and (i >= len(labels) or labels[i] != n)
    ]
    if misplaced:
        raise LitclipError(
            f"prompt set {source} lists {names}, but the dataset's labels are {labels} in that "
            f"order ({misplaced} stand elsewhere): list the class names in the label order, "
            "or add 'folder_names' with each class name's folder"
        )
    return names


def resolve_prompts(
    dataset: Any, prompts: str | os.PathLike[str] | None = None, name: str | None = None
) -> PromptSet:
    """Pick the prompts for ``dataset``.

    Order: the user's ``prompts`` file; ``classes.json`` beside a folder dataset; the shipped
    set named ``name`` (default ``dataset.name``); else the dataset's own class names with
    :data:`DEFAULT_TEMPLATES`.

    Args:
        dataset: anything with ``.classnames`` (optionally ``.name``, ``.root``,
            ``.folder_names``).
        prompts: a JSON/YAML prompt file, or the name of a shipped set.
        name: shipped prompt set to try (default: ``dataset.name``).
    """
    if prompts is not None:
        shipped = _shipped(str(prompts)) if not Path(prompts).exists() else None
        if shipped is not None:
            return _from_data(shipped, f"litclip:{prompts}", dataset)
        return _from_data(read_prompt_file(prompts), str(prompts), dataset)
    found = _classes_file(dataset)
    if found is not None:
        return _from_data(read_prompt_file(found), str(found), dataset)
    key = name or getattr(dataset, "name", None)
    shipped = _shipped(str(key)) if key else None
    # a folder named like a MedMNIST flag ("breastmnist/benign, malignant"): its label order
    # is its sorted folders, not medmnist's, so a set without folder names would not fit
    fits = shipped is not None and (
        shipped.get("folder_names") or not getattr(dataset, "folder_names", None)
    )
    if fits:
        return _from_data(shipped, f"litclip:{key}", dataset)
    return PromptSet(list(dataset.classnames), list(DEFAULT_TEMPLATES), "default")
