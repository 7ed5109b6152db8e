"""Fixtures shared by every test tier: where the repository, the fixtures and the corpora are."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_root() -> Path:
    """The workplace's shared/ folder (seed, fixtures, corpora); NEWSDEDUP_SHARED overrides it."""
    return Path(os.environ.get("NEWSDEDUP_SHARED", REPO_ROOT.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """shared/fixtures: the seed article as a message, its expected clean body, its two versions."""
    path = shared_root() / "fixtures"
    if not path.is_dir():
        pytest.skip(f"{path} is absent: the seed fixtures live beside the repository in shared/")
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """shared/data: the evaluation corpora, read in place (their licences forbid copying them)."""
    path = shared_root() / "data"
    if not path.is_dir():
        pytest.skip(f"{path} is absent: corpus tests run only where shared/data is present")
    return path


def saudi_articles(data: Path) -> Iterator[dict[str, str]]:
    """Every SaudiNewsNet article in the corpus's own order, read from its zip files in place."""
    for archive in sorted((data / "saudinewsnet").glob("*.zip")):
        with zipfile.ZipFile(archive) as opened:
            for name in opened.namelist():
                if name.endswith(".json"):
                    yield from orjson.loads(opened.read(name))
