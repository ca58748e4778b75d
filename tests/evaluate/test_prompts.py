"""Prompt sets: shipped files, user JSON/YAML, classes.json beside folders, reordering."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from litclip.errors import LitclipError
from litclip.evaluate.prompts import list_prompt_sets, resolve_prompts


def test_shipped_sets_are_well_formed() -> None:
    names = list_prompt_sets()
    assert {"pneumoniamnist", "retinamnist", "ct_hemorrhage", "mri_lesion"} <= set(names)
    for name in names:
        data = json.loads(
            (
                Path(__file__).parents[2] / "src/litclip/evaluate/prompts" / f"{name}.json"
            ).read_text()
        )
        assert data["classnames"] and data["templates"]
    ds = SimpleNamespace(name="pneumoniamnist", classnames=["normal", "pneumonia"])
    ps = resolve_prompts(ds)
    assert ps.source == "litclip:pneumoniamnist"
    assert ps.texts()[1][0] == "a chest x-ray showing pneumonia."
    assert all("{c}" in t for t in ps.templates)


def test_user_json_and_yaml(tmp_path: Path) -> None:
    ds = SimpleNamespace(name="x", classnames=["a", "b"])
    (tmp_path / "p.json").write_text(
        json.dumps({"classnames": ["cat", "dog"], "templates": ["a {c}"]})
    )
    assert resolve_prompts(ds, tmp_path / "p.json").texts() == [["a cat"], ["a dog"]]
    (tmp_path / "p.yaml").write_text("classes: [cat, dog]\ntemplates: ['photo of {}']\n")
    assert resolve_prompts(ds, tmp_path / "p.yaml").texts()[1] == ["photo of dog"]
    (tmp_path / "bad.json").write_text(json.dumps({"classnames": ["only one"]}))
    with pytest.raises(LitclipError, match="1 classes but the dataset has 2"):
        resolve_prompts(ds, tmp_path / "bad.json")
    with pytest.raises(LitclipError, match="not found"):
        resolve_prompts(ds, tmp_path / "missing.json")
    (tmp_path / "torn.yaml").write_text("classes: [cat, dog\n")
    with pytest.raises(LitclipError, match="cannot parse prompt file") as exc:
        resolve_prompts(ds, tmp_path / "torn.yaml")
    assert "\n" not in str(exc.value) and "at line 2, column 1" in str(exc.value)


def test_classnames_as_a_mapping_give_display_names_in_label_order(tmp_path: Path) -> None:
    """{"normal": "no finding"} names class "normal"; its keys were used before."""
    ds = SimpleNamespace(name="x", classnames=["normal", "pneumonia"], folder_names=None)
    mapping = {"pneumonia": "lung opacity", "normal": "no finding"}
    (tmp_path / "p.json").write_text(json.dumps({"classnames": mapping, "templates": ["{c}"]}))
    assert resolve_prompts(ds, tmp_path / "p.json").classnames == ["no finding", "lung opacity"]
    (tmp_path / "q.json").write_text(json.dumps({"classnames": {"normal": "no finding"}}))
    with pytest.raises(LitclipError, match=r"not \['pneumonia'\]"):
        resolve_prompts(ds, tmp_path / "q.json")


def test_classes_json_beside_folder_reorders_by_folder_names(tmp_path: Path) -> None:
    task = tmp_path / "classification" / "ct_hemorrhage"
    (task / "test").mkdir(parents=True)
    (task / "classes.json").write_text(
        json.dumps(
            {
                "folder_names": ["no_hemorrhage", "hemorrhage"],
                "classnames": ["no bleed", "bleed"],
                "templates": ["head CT with {c}"],
            }
        )
    )
    # folder datasets number classes by sorted folder name: hemorrhage=0, no_hemorrhage=1
    ds = SimpleNamespace(
        name="ct_hemorrhage",
        root=task / "test",
        classnames=["hemorrhage", "no hemorrhage"],
        folder_names=["hemorrhage", "no_hemorrhage"],
    )
    ps = resolve_prompts(ds)
    assert ps.classnames == ["bleed", "no bleed"]
    assert ps.source.endswith("classes.json")


def test_fallback_uses_dataset_classnames() -> None:
    ps = resolve_prompts(SimpleNamespace(name="unknown", classnames=["x", "y"]))
    assert ps.source == "default" and ps.classnames == ["x", "y"]


def test_synthetic_journal_classes_json_shape(tmp_path: Path) -> None:
    task = tmp_path / "ct_hemorrhage"
    task.mkdir()
    (task / "classes.json").write_text(
        json.dumps(
            {
                "task": "ct_hemorrhage",
                "classes": ["no_hemorrhage", "hemorrhage"],
                "classnames": ["no hemorrhage", "hemorrhage"],
                "templates": ["a head CT showing {}."],
            }
        )
    )
    ds = SimpleNamespace(
        root=task / "val",
        classnames=["hemorrhage", "no hemorrhage"],
        folder_names=["hemorrhage", "no_hemorrhage"],
    )
    ps = resolve_prompts(ds)
    assert ps.texts() == [["a head CT showing hemorrhage."], ["a head CT showing no hemorrhage."]]


def test_templates_without_the_class_name_and_stray_names_are_refused(tmp_path: Path) -> None:
    """A template with no '{c}' gives every class the same text (chance by construction);
    --prompts NAME=FILE for a dataset not evaluated was silently ignored."""
    ds = SimpleNamespace(name="x", classnames=["a", "b"])
    (tmp_path / "blind.json").write_text(
        json.dumps({"classnames": ["a", "b"], "templates": ["no placeholder", "a {c}"]})
    )
    with pytest.raises(LitclipError, match="have no '\\{c\\}'"):
        resolve_prompts(ds, tmp_path / "blind.json")

    from litclip.evaluate import run_evaluation

    (tmp_path / "ok.json").write_text(json.dumps({"classnames": ["a", "b"], "templates": ["{c}"]}))
    folder = tmp_path / "lesions"
    (folder / "a").mkdir(parents=True)
    with pytest.raises(LitclipError, match=r"--prompts names dataset\(s\) \['foo'\]"):
        run_evaluation(
            ["litclip-micro"],
            [f"folder:{folder}"],
            ["zeroshot"],
            tmp_path / "e",
            prompts={"foo": str(tmp_path / "ok.json")},
        )


def test_a_folder_named_like_a_medmnist_flag_gets_its_own_class_names() -> None:
    """breastmnist/{benign, malignant}: the shipped set (medmnist's order: malignant first)
    scored benign images against "malignant breast tumor"."""
    ds = SimpleNamespace(
        name="breastmnist", classnames=["benign", "malignant"], folder_names=["benign", "malignant"]
    )
    ps = resolve_prompts(ds)
    assert ps.source == "default" and ps.classnames == ["benign", "malignant"]
    with pytest.raises(LitclipError, match="MedMNIST's label order"):
        resolve_prompts(ds, "breastmnist")  # asked for by name: refused, not misapplied
    # the MedMNIST file itself keeps its set
    flag = SimpleNamespace(name="breastmnist", classnames=["malignant", "normal, benign"])
    assert resolve_prompts(flag).source == "litclip:breastmnist"


def test_a_prompt_file_in_another_order_than_the_labels_is_put_right_or_refused(
    tmp_path: Path,
) -> None:
    """{"classes": ["normal lung", "neumonía"]} beside labels ["neumonía", "normal lung"] was
    applied in file order: every image scored against the other class's prompts."""
    ds = SimpleNamespace(
        name="x", classnames=["neumonía", "normal lung"], folder_names=["neumonía", "normal lung"]
    )
    (tmp_path / "p.json").write_text(json.dumps({"classes": ["normal lung", "neumonía"]}))
    assert resolve_prompts(ds, tmp_path / "p.json").classnames == ["neumonía", "normal lung"]
    (tmp_path / "q.json").write_text(json.dumps({"classnames": ["normal lung", "pneumonia"]}))
    with pytest.raises(LitclipError, match=r"\['normal lung'\] stand elsewhere"):
        resolve_prompts(ds, tmp_path / "q.json")
    # display names that are no class folder stay positional (index = label)
    (tmp_path / "r.json").write_text(json.dumps({"classnames": ["lung opacity", "no finding"]}))
    assert resolve_prompts(ds, tmp_path / "r.json").classnames == ["lung opacity", "no finding"]
