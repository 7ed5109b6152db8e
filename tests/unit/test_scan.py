"""`newsdedup scan`: records in input order, bad lines reported and skipped, exit codes, events."""

from __future__ import annotations

import argparse
import contextlib
import io
from pathlib import Path
from typing import Any

import orjson
import pytest

from newsdedup import scan
from tests.unit.newstexts import BRIDGE, PARK, PARK_COPY


def jsonl(*objs: object) -> bytes:
    return b"".join(orjson.dumps(obj) + b"\n" for obj in objs)


def run(tmp_path: Path, data: bytes, *options: str) -> tuple[int, list[dict[str, Any]], str]:
    source = tmp_path / "in.jsonl"
    source.write_bytes(data)
    out = tmp_path / "out.jsonl"
    errors = io.StringIO()
    parser = argparse.ArgumentParser()
    scan.add_scan_arguments(parser)
    args = parser.parse_args([str(source), "-o", str(out), *options])
    with contextlib.redirect_stderr(errors):
        code = scan.run_scan(args)
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    return code, records, errors.getvalue()


def test_records_in_input_order_with_dedup_objects(tmp_path: Path) -> None:
    data = jsonl(
        {"id": "1", "source": "a", "body": PARK, "extra": [1, 2]},
        {"id": "2", "source": "b", "body": PARK_COPY, "published_at": "2026-03-02T08:00:00Z"},
        {"id": "3", "source": "c", "body": PARK},
        {"id": "4", "source": "d", "body": BRIDGE},
    )
    code, records, errors = run(tmp_path, data)
    assert code == 0
    assert errors == ""
    assert [r["id"] for r in records] == ["1", "2", "3", "4"]
    assert [r["dedup"]["status"] for r in records] == ["unique", "near_duplicate", "exact_duplicate", "unique"]
    assert records[1]["dedup"]["cluster_id"] == "1"
    assert records[0]["extra"] == [1, 2]
    assert records[1]["published_at"] == "2026-03-02T08:00:00Z"
    assert records[0]["repetition"] == {"detected": False, "removed_chars": 0, "spans": []}


def test_bad_lines_are_reported_with_their_number_and_skipped(tmp_path: Path) -> None:
    data = (
        jsonl({"id": "1", "source": "a", "body": PARK})
        + b"this is not json\n"
        + b"\n"
        + jsonl({"id": "2", "source": "a"})
        + b'{"id": "3", "source": "a", "body": "caf\xe9"}\n'
        + jsonl([1, 2], {"id": "4", "source": "a", "body": "x", "published_at": "yesterday"})
        + jsonl({"id": "5", "source": "b", "body": BRIDGE})
    )
    code, records, errors = run(tmp_path, data)
    assert code == 0
    assert [r["id"] for r in records] == ["1", "5"]
    lines = errors.splitlines()
    assert [line.split(":")[0] for line in lines] == ["line 2", "line 4", "line 5", "line 6", "line 7"]
    assert "not JSON" in lines[0]
    assert "'body' is missing" in lines[1]
    assert "not UTF-8" in lines[2]
    assert "JSON object" in lines[3]
    assert "RFC 3339" in lines[4]


def test_one_megabyte_body_is_processed(tmp_path: Path) -> None:
    words = (BRIDGE + " ") * (1_048_576 // len(BRIDGE) + 1)
    code, records, _ = run(tmp_path, jsonl({"id": "big", "source": "a", "body": words[:1_048_576]}))
    removed = records[0]["repetition"]["removed_chars"]
    assert code == 0
    assert len(records[0]["body"]) + removed == 1_048_576


def test_events_file_gets_one_line_per_finding(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    data = jsonl({"id": "1", "source": "a", "body": PARK}, {"id": "2", "source": "b", "body": PARK})
    code, _, _ = run(tmp_path, data, "--events", str(events))
    (event,) = [orjson.loads(line) for line in events.read_bytes().splitlines()]
    assert code == 0
    assert event["type"] == "exact_duplicate"
    assert event["duplicate_of"] == "1"
    code, _, _ = run(tmp_path, data, "--events", str(events))
    assert orjson.loads(events.read_bytes())["event_id"] == event["event_id"]  # same input, same id


def test_window_and_threshold_options(tmp_path: Path) -> None:
    data = jsonl(
        {"id": "1", "source": "a", "body": PARK, "published_at": "2026-03-02T08:00:00Z"},
        {"id": "2", "source": "b", "body": PARK_COPY, "published_at": "2026-03-02T09:00:00Z"},
    )
    assert run(tmp_path, data, "--window", "30m")[1][1]["dedup"]["status"] == "unique"
    assert run(tmp_path, data, "--window", "2h")[1][1]["dedup"]["status"] == "near_duplicate"
    # Under a threshold of 0.95 the reworded copy is no longer a copy, but it is still the same story.
    assert run(tmp_path, data, "--threshold", "0.95")[1][1]["dedup"]["status"] == "same_story"


@pytest.mark.parametrize(
    ("text", "seconds"), [("72h", 259200.0), ("30m", 1800.0), ("3d", 259200.0), ("90s", 90.0), ("1h30m", 5400.0)]
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert scan.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "72", "h", "3 days", "-1h", "0h", "1h 30m"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="duration"):
        scan.parse_duration(text)


def test_missing_input_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert scan.main([str(tmp_path / "absent.jsonl")]) == 2
    assert "cannot open" in capsys.readouterr().err


@pytest.mark.parametrize("options", [["--threshold", "2"], ["--threshold", "x"], ["--window", "soon"], ["--bogus"]])
def test_bad_options_exit_2_with_a_message(
    tmp_path: Path, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        scan.main([str(tmp_path / "in.jsonl"), *options])
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_stdin_input(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(jsonl({"id": "1", "source": "a", "body": BRIDGE})))
    monkeypatch.setattr("sys.stdin", stdin)
    out = tmp_path / "out.jsonl"
    assert scan.main(["-", "-o", str(out)]) == 0
    assert orjson.loads(out.read_bytes())["dedup"]["status"] == "unique"


def test_seed_article_as_one_line(fixtures_dir: Path, tmp_path: Path) -> None:
    seed = orjson.loads((fixtures_dir / "seed-article.json").read_bytes())
    code, records, errors = run(tmp_path, jsonl(seed))
    assert code == 0
    assert errors == ""
    assert records[0]["id"] == seed["id"]
    assert records[0]["dedup"]["status"] == "unique"
    assert records[0]["repetition"]["detected"] is True
