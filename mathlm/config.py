"""Typed YAML configs.

Every config file is validated into a pydantic model that forbids unknown keys, so a typo is an error
that names the file, the key, its line and what was expected, instead of a silently ignored setting.
``--set key.sub=value`` overrides are applied before validation, so they are checked the same way.

    cfg = load_config("configs/train/tiny.yaml", TrainConfig, overrides=["optim.lr=3e-4"])
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from mathlm.assets import CONFIGS_DIR
from mathlm.errors import MathlmError

T = TypeVar("T", bound=BaseModel)


class ConfigError(MathlmError):
    """A config file or override that cannot be turned into a valid config; the message says where and why."""


class ConfigModel(BaseModel):
    """Base of every mathlm config section: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, protected_namespaces=())


def resolve_config_path(path: str | Path) -> Path:
    """``path`` itself when it is a file; else, for a relative ``configs/...`` path, the config of that name
    shipped in the package (``mathlm/assets/configs/``), so ``mathlm data build configs/data/sample.yaml``
    works from any directory and from an installed wheel. A file at the given path always wins."""
    path = Path(path)
    if path.is_file():
        return path
    if not path.is_absolute() and path.parts[:1] == ("configs",):
        shipped = CONFIGS_DIR.joinpath(*path.parts[1:])
        if shipped.is_file():
            return shipped
        raise ConfigError(
            f"config file not found: {path} (neither here nor among the shipped configs in {CONFIGS_DIR})"
        )
    raise ConfigError(f"config file not found: {path}")


def load_config(path: str | Path, model: type[T], overrides: Iterable[str] = ()) -> T:
    """Read a YAML file (see :func:`resolve_config_path`), apply ``key.sub=value`` overrides and validate it
    into ``model``."""
    path = resolve_config_path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ConfigError(f"{path}: the top level must be a mapping of keys to values, got {kind}")
    overridden: set[str] = set()
    for override in overrides:
        key = apply_override(data, override)
        overridden.add(key)
    return validate_config(data, model, source=str(path), lines=_key_lines(text), overridden=overridden)


def validate_config(
    data: Mapping[str, Any],
    model: type[T],
    source: str = "<config>",
    lines: Mapping[str, int] | None = None,
    overridden: set[str] | None = None,
) -> T:
    """Validate a plain mapping into ``model``, turning pydantic's errors into one readable message."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = [_describe(e, model, source, lines or {}, overridden or set()) for e in err.errors()]
        raise ConfigError("\n".join(problems)) from None


def apply_override(data: dict[str, Any], override: str) -> str:
    """Set ``a.b.c=value`` in a nested dict; the value is parsed as YAML (``3e-4``, ``true``, ``[1, 2]``)."""
    key, sep, raw = override.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set {override!r}: expected KEY=VALUE, e.g. --set optim.lr=3e-4")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"--set {override!r}: '{part}' holds a value, not a section")
        node = child
    node[parts[-1]] = value
    return key


def dump_config(config: BaseModel, path: str | Path) -> None:
    """Write a validated config back to YAML (used to record the exact settings of a run)."""
    Path(path).write_text(yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False), encoding="utf-8")


def _describe(
    error: Mapping[str, Any],
    model: type[BaseModel],
    source: str,
    lines: Mapping[str, int],
    overridden: set[str],
) -> str:
    loc = [str(part) for part in error["loc"]]
    key = ".".join(loc)
    where = f"{source}:{lines[key]}" if key in lines else source
    if not loc:  # a model-level validator: the message is about the whole config
        return f"{where}: {error['msg']}"
    origin = " (from --set)" if key in overridden else ""
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"{where}: unknown key '{key}'{origin}{hint}"
    if kind == "missing":
        return f"{where}: missing required key '{key}'"
    expected = _annotation_at(model, loc)
    expected_text = f"expected {expected}" if expected else error["msg"]
    return f"{where}: key '{key}'{origin}: {expected_text}, got {error.get('input')!r} ({error['msg']})"


def _model_at(model: type[BaseModel], loc: list[str]) -> type[BaseModel] | None:
    """Follow ``loc`` through nested config models; None where it leaves them (lists, dicts, unions)."""
    current: Any = model
    for part in loc:
        field = current.model_fields.get(part) if isinstance(current, type) else None
        if field is None:
            return None
        current = _unwrap_model(field.annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if len(models) == 1 else None
    return None


def _allowed_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    parent = _model_at(model, loc)
    return sorted(parent.model_fields) if parent else []


def _annotation_at(model: type[BaseModel], loc: list[str]) -> str | None:
    parent = _model_at(model, loc[:-1])
    if parent is None or loc[-1] not in parent.model_fields:
        return None
    return _type_name(parent.model_fields[loc[-1]].annotation)


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(annotation) if a is not type(None))
    if origin is not None:
        args = ", ".join(_type_name(a) for a in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    if annotation in names:
        return names[annotation]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a mapping (section)"
    return getattr(annotation, "__name__", str(annotation))


def _key_lines(text: str) -> dict[str, int]:
    """Map dotted keys to their 1-based line in the YAML text, so errors can point at the line."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    found: dict[str, int] = {}

    def walk(node: yaml.Node | None, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
                found[key] = key_node.start_mark.line + 1
                walk(value_node, key)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, f"{prefix}.{index}")

    walk(root, "")
    return found
