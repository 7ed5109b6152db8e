"""Shared pieces of the benchmarks and evaluation scripts: the machine record, the corpus readers (one
decoding of each corpus), the benchmarks' article loader and the republishing edit, TSV verdict files."""

from __future__ import annotations

import csv
import html
import os
import platform
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = Path(os.environ.get("NEWSDEDUP_SHARED", REPO.parent / "shared"))
DATA = DEFAULT_SHARED / "data"


def machine() -> dict[str, Any]:
    """Where and when a measurement ran: CPU, cores in use, load, library versions, and the exact command."""
    import datasketch
    import numba
    import numpy

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cpu_affinity": sorted(os.sched_getaffinity(0)),
        "load_average": os.getloadavg(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "numba_threads": getattr(numba.config, "NUMBA_NUM_THREADS", None),
        "datasketch": datasketch.__version__,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }


def write_json(path: Path | None, results: dict[str, Any]) -> None:
    """Write a benchmark's results (indented JSON) to `path`, making its folder; nothing when None."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))


def print_machine(info: dict[str, Any]) -> None:
    """Print the machine record as the header of a report."""
    for key, value in info.items():
        print(f"# {key}: {value}")


def saudinewsnet_files(data_dir: Path) -> Iterator[dict[str, Any]]:
    """Every SaudiNewsNet article in the files' order (archives and their members by name), read lazily."""
    folder = data_dir / "saudinewsnet"
    if not folder.is_dir():
        raise SystemExit(f"{folder} is absent: point --data at the shared data folder")
    for path in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                yield from orjson.loads(archive.read(name))


def saudinewsnet(data_dir: Path) -> list[dict[str, Any]]:
    """All SaudiNewsNet articles in date order (date_extracted; ties keep the files' order)."""
    articles = list(saudinewsnet_files(data_dir))
    articles.sort(key=lambda a: a["date_extracted"])
    return articles


def _members(archive_path: Path, suffix: str) -> Iterator[tuple[str, bytes]]:
    """(name, content) of the files of a .tar.gz whose names end with `suffix` (README files aside)."""
    if not archive_path.is_file():
        raise SystemExit(f"{archive_path} is absent: point --data at the shared data folder")
    with tarfile.open(archive_path) as archive:
        for member in archive:  # in archive order: seeking back in a gzip stream decompresses it again
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is not None and member.name.endswith(suffix) and "README" not in member.name.upper():
                yield member.name, handle.read()


def bbc(data_dir: Path) -> list[dict[str, str]]:
    """Every BBC News article as {path, title, body}, by path (the first line of each file is its title)."""
    articles = []
    for name, data in _members(data_dir / "bbc-news-2225.tar.gz", ".txt"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # one file (sport/199) is Latin-1
            text = data.decode("latin-1")
        title, _, body = text.partition("\n")
        articles.append({"path": name, "title": title.strip(), "body": body.strip()})
    return sorted(articles, key=lambda article: article["path"])


@dataclass(frozen=True, slots=True)
class ReutersItem:
    """One Reuters-21578 story: its NEWID, DATE (read as UTC), title, dateline and body as plain text."""

    newid: int
    date: datetime
    kind: str  # the TEXT element's TYPE: NORM, BRIEF (title only) or UNPROC (no TITLE/BODY markup)
    title: str  # "" when the item has none (the UNPROC items)
    dateline: str
    body: str  # "" for title-only items (BRIEF: the collection's "Blah blah blah." placeholder dropped)


_REUTERS = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.DOTALL)
_NEWID = re.compile(r'\bNEWID="(\d+)"')
# 26-FEB-1987 15:01:01.79; a few are padded, carry wire codes after the time, give one fraction digit,
# or (NEWID 17192) an hour of "605", read as its last two digits.
_SGML_DATE = re.compile(r"<DATE>\s*(\d{1,2})-([A-Z]{3})-(\d{4})\s+\d*(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?")
_TEXT = re.compile(r'<TEXT(?:\s+TYPE="(\w+)")?\s*>(.*?)</TEXT>', re.DOTALL)
_MONTHS = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC"
_CONTROL_REFS = re.compile(r"&#(?:[0-8]|1[1-9]|2\d|3[01]|127);")  # &#2; &#3; &#27; ...: wire control codes
_BLAH = "Blah blah blah."


def _reuters_element(text: str, tag: str) -> str:
    """The content of the first <tag>...</tag> inside `text`, "" when there is none (markup left as is)."""
    start = text.find(f"<{tag}>")
    if start < 0:
        return ""
    end = text.find(f"</{tag}>", start)
    return text[start + len(tag) + 2 : end if end >= 0 else len(text)]


def _reuters_text(sgml: str) -> str:
    """SGML text as plain text: wire control codes dropped, &lt; and &amp; decoded, ends trimmed."""
    return html.unescape(_CONTROL_REFS.sub("", sgml)).strip()


def parse_reuters_sgml(sgml: str) -> Iterator[ReutersItem]:
    """The items of one reut2-NNN.sgm file's text, in file order."""
    for match in _REUTERS.finditer(sgml):
        attributes, inner = match.groups()
        newid = _NEWID.search(attributes)
        date = _SGML_DATE.search(inner)
        text = _TEXT.search(inner)
        if newid is None or date is None or text is None:
            raise ValueError(f"a REUTERS element without NEWID, DATE or TEXT: {attributes.strip()!r}")
        day, month, year, hour, minute, second, fraction = date.groups()
        numbers = (int(year), _MONTHS.index(month) // 3 + 1, int(day), int(hour), int(minute), int(second))
        when = datetime(*numbers, int((fraction or "0").ljust(6, "0")), tzinfo=UTC)
        kind, content = text.group(1) or "NORM", text.group(2)
        if kind == "UNPROC":
            title, dateline, body = "", "", _reuters_text(content)
        else:
            title = " ".join(_reuters_text(_reuters_element(content, "TITLE")).split())
            dateline = " ".join(_reuters_text(_reuters_element(content, "DATELINE")).split())
            body = _reuters_text(_reuters_element(content, "BODY"))
            if kind == "BRIEF":
                after_title = content[content.find("</TITLE>") + len("</TITLE>") :]
                body = _reuters_text(after_title)
                body = "" if body == _BLAH else body
        yield ReutersItem(int(newid.group(1)), when, kind, title, dateline, body)


def reuters(data_dir: Path) -> list[ReutersItem]:
    """All 21,578 Reuters-21578 items in DATE order (ties by NEWID), from reuters21578.tar.gz."""
    archive_path = data_dir / "reuters21578.tar.gz"
    if not archive_path.is_file():
        raise SystemExit(f"{archive_path} is absent: point --data at the shared data folder")
    items: list[ReutersItem] = []
    with tarfile.open(archive_path) as archive:
        for member in archive:  # in archive order: seeking back in a gzip stream decompresses it again
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is None or not member.name.endswith(".sgm"):
                continue
            # ASCII except one byte in reut2-017 (0xFC, Latin-1 u-umlaut)
            items.extend(parse_reuters_sgml(handle.read().decode("latin-1")))
    return sorted(items, key=lambda item: (item.date, item.newid))


def as_input(raw: dict[str, Any]) -> dict[str, Any]:
    """A SaudiNewsNet item as a newsdedup input article (id = URL; the extraction time as event time)."""
    return {
        "id": raw["url"],
        "source": raw["source"],
        "title": raw["title"],
        "body": raw["content"],
        "url": raw["url"],
        "language": "ar",
        "published_at": raw["date_extracted"].replace(" ", "T") + "Z",
    }


def reuters_input(item: ReutersItem) -> dict[str, Any]:
    """A Reuters-21578 item as a newsdedup input article (id `reuters-NEWID`; DATE as event time)."""
    return {
        "id": f"reuters-{item.newid}", "source": "reuters", "title": item.title or None, "body": item.body,
        "language": "en", "published_at": item.date.isoformat().replace("+00:00", "Z"),
    }


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a tab-separated file with a header line ('#' lines are comments)."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t")


def write_tsv(path: Path, header: list[str], rows: list[list[Any]], comment: str) -> None:
    """Write rows under a header, after '#' comment lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        for line in comment.splitlines():
            handle.write(f"# {line}\n")
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# The wire's sign-off that closes every body.
_REUTERS_TAIL = re.compile(r"\s*Reuter\s*$")


def reuters_bodies(data_dir: Path) -> list[dict[str, str]]:
    """Every Reuters-21578 story with a body as {id, title, body}, in NEWID order, the sign-off cut."""
    items = [
        {"id": f"reuters:{item.newid}", "title": item.title, "body": _REUTERS_TAIL.sub("", item.body).strip()}
        for item in reuters(data_dir)
        if item.kind == "NORM" and item.body
    ]
    return sorted(items, key=lambda item: int(item["id"].split(":")[1]))


def saudinewsnet_bodies(data_dir: Path) -> Iterator[str]:
    """The non-empty SaudiNewsNet bodies in the files' order (the benchmarks' Arabic text)."""
    return (article["content"] for article in saudinewsnet_files(data_dir) if article.get("content"))


def bbc_bodies(data_dir: Path) -> Iterator[str]:
    """The BBC News bodies by path (the benchmarks' English text)."""
    return (article["body"] for article in bbc(data_dir))


def _chunks(bodies: Iterator[str], chars: int) -> Iterator[str]:
    """Bodies cut or joined (paragraph-separated) to `chars` characters each."""
    buffer = ""
    for body in bodies:
        buffer = f"{buffer}\n\n{body}" if buffer else body
        while len(buffer) >= chars:
            yield buffer[:chars]
            buffer = buffer[chars:].lstrip()


def load_articles(data: Path, count: int, chars: int, english_share: float) -> list[tuple[str, str]]:
    """(language, text) pairs of `chars` characters: every k-th English while BBC text lasts, the rest Arabic."""
    if not (data / "saudinewsnet").is_dir() or not (data / "bbc-news-2225.tar.gz").is_file():
        sys.exit(f"corpora not found in {data}: expected saudinewsnet/*.zip and bbc-news-2225.tar.gz "
                 "(set NEWSDEDUP_SHARED to the folder that holds data/)")
    arabic, english = _chunks(saudinewsnet_bodies(data), chars), _chunks(bbc_bodies(data), chars)
    every = max(1, round(1 / english_share)) if english_share > 0 else 0
    out: list[tuple[str, str]] = []
    while len(out) < count:
        source = english if every and len(out) % every == every - 1 else arabic
        text = next(source, None)
        if text is None and source is english:
            every, text = 0, next(arabic, None)
        if text is None:
            sys.exit(f"the corpora hold only {len(out)} articles of {chars} characters; ask for fewer")
        out.append(("en" if source is english and every else "ar", text))
    return out


def republished(title: str, body: str, arabic: bool) -> tuple[str, str]:
    """What an outlet does to a wire story: a dateline before, the last ~5% dropped, a credit line after."""
    kept = body[: int(len(body) * 0.95)].rsplit(None, 1)[0]
    if arabic:
        return title, f"الرياض - {kept}\n\nالمصدر: وكالة الأنباء"
    return title, f"LONDON (Wire) - {kept}\n\nAdditional reporting by staff."
