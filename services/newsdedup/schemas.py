"""The message schemas (schemas/*.schema.json): loaded once, with validators built once.

The canonical files live in the repository's top-level schemas/ folder, beside their examples and
the AsyncAPI document. An installed package has no repository around it, so the four schema files
are also shipped as package data in newsdedup/_schemas/ (kept identical by scripts/sync-schemas and
checked by tests/unit/test_schemas.py). From a checkout the canonical folder wins, so an edited
schema takes effect before it is synced.
"""

from __future__ import annotations

import copy
import json
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_NAMES = ("article", "clean-article", "dedup-event", "dead-letter", "story", "stats")
_SUFFIX = ".schema.json"
_PACKAGED_DIR = "_schemas"


def schema_file_name(name: str) -> str:
    """The file name of schema `name` ("article" -> "article.schema.json"); refuses unknown names."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}: choose one of {', '.join(SCHEMA_NAMES)}")
    return name + _SUFFIX


def repository_schema_dir() -> Path | None:
    """The checkout's schemas/ folder when this module runs from a source tree, else None."""
    # services/newsdedup/schemas.py -> the repository root is two levels above the package.
    package_dir = Path(__file__).resolve().parent
    if package_dir.parent.name != "services":
        return None
    candidate = package_dir.parent.parent / "schemas"
    return candidate if (candidate / schema_file_name("article")).is_file() else None


def packaged_schema_dir() -> Traversable:
    """The copy of the schema files shipped inside the package."""
    return resources.files("newsdedup").joinpath(_PACKAGED_DIR)


def schema_dir() -> Traversable:
    """Where the schemas are read from: the checkout's schemas/ if present, else the package copy."""
    return repository_schema_dir() or packaged_schema_dir()


@cache
def _load(name: str) -> dict[str, Any]:
    text = schema_dir().joinpath(schema_file_name(name)).read_text(encoding="utf-8")
    schema = json.loads(text)
    if not isinstance(schema, dict):
        raise ValueError(f"{schema_file_name(name)} is not a JSON object")
    return schema


def load_schema(name: str) -> dict[str, Any]:
    """The schema `name` as a dict (a fresh copy: callers may change it freely)."""
    return copy.deepcopy(_load(name))


@lru_cache(maxsize=1)
def registry() -> Registry[Any]:
    """A registry of every schema by its `$id`, so cross-file `$ref`s resolve without any fetch."""
    resources_by_id = []
    for name in SCHEMA_NAMES:
        schema = _load(name)
        resources_by_id.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources_by_id)


@cache
def validator(name: str) -> Draft202012Validator:
    """A draft 2020-12 validator for schema `name`, built once; formats are asserted where checkable."""
    return Draft202012Validator(
        _load(name), registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def problems(name: str, instance: object) -> list[str]:
    """Every way `instance` breaks schema `name`, as "<json path>: <message>" lines (empty when valid)."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: (list(e.absolute_path), e.message))
    return [f"{error.json_path}: {error.message}" for error in errors]
