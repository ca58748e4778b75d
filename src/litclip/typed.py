"""Hand-written option values read as their dataclass field's type.

Config files are typed by hand: YAML reads ``1e-4`` as a string, a quoted ``"false"`` stays a
(truthy) string, ``epochs: 1.7`` or ``batch_size: [16]`` are typos. Each value is cast when
its meaning is certain and refused with the option's name otherwise, so no option silently
means something else.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from litclip.errors import LitclipError

_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def coerce(name: str, value: Any, kind: str) -> Any:
    """``value`` as type ``kind`` (a dataclass field's annotation text), or a
    :class:`LitclipError` naming the option and what it expects."""
    nullable = "None" in kind
    if value is None or (nullable and isinstance(value, str) and value.lower() in ("none", "null")):
        if nullable:
            return None
        raise LitclipError(f"option {name} needs a value ({kind}), got null")
    base = kind.replace(" | None", "")
    if base == "bool":
        return _as_bool(name, value)
    if base in ("int", "float"):
        return _as_number(name, value, int if base == "int" else float, nullable)
    if base.startswith("list["):
        items = value if isinstance(value, list) else [value]  # "image" means ["image"]
        item = base[5:-1]
        if item in ("int", "float"):
            return [_as_number(name, v, int if item == "int" else float, False) for v in items]
        return [_as_text(name, v) for v in items]
    if base == "str":
        return _as_text(name, value)
    if base.startswith("dict[") and not isinstance(value, dict):
        raise LitclipError(f"option {name} expects a mapping of option: value, got {value!r}")
    return value


def coerce_fields(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` for dataclass ``cls``, each cast by its field's annotation."""
    kinds = {f.name: str(f.type) for f in dataclasses.fields(cls)}
    return {k: coerce(k, v, kinds[k]) if k in kinds else v for k, v in values.items()}


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise LitclipError(f"option {name} expects true or false, got {value!r}")


def _as_number(name: str, value: Any, cast: type, nullable: bool) -> Any:
    word = "an integer" if cast is int else "a number"
    hint = " (or null)" if nullable else ""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise LitclipError(f"option {name} expects {word}{hint}, got {value!r}")
    if isinstance(value, int):  # exact, however large
        return value if cast is int else float(value)
    try:
        number = float(value)
    except ValueError:
        raise LitclipError(f"option {name} expects {word}{hint}, got {value!r}") from None
    if cast is int:
        if not number.is_integer():
            raise LitclipError(f"option {name} expects {word}, got {value!r}")
        return int(number)
    return number


def _as_text(name: str, value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise LitclipError(f"option {name} expects text, got {value!r}")
    return str(value)
