"""What the index stage reports to the worker's metrics and /health, and the parent's supervision of its process."""

from __future__ import annotations

import asyncio
import pickle
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from newsdedup.app import index_process
from newsdedup.app.deadletter import Provenance
from newsdedup.app.index_process import IndexProcess, IndexView
from newsdedup.app.index_runner import IndexRunner
from newsdedup.app.metrics import IndexReport, WorkerMetrics
from newsdedup.app.stages import IndexOutput, IndexStage, PrepareStage
from newsdedup.localkafka import free_port
from newsdedup.settings import Settings, load_settings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TOPICS = {"prepared": "p", "state": "s", "clean": "out.clean", "events": "out.events", "dlq": "out.dlq"}
STORY = (
    "The port authority said on Monday that container traffic rose 14 per cent in October to 412,000 units, "
    "helped by two new shipping lines that began calling at the northern terminal in September. "
    "Officials expect the full-year total to pass 4.6 million units for the first time."
)


def raw(article_id: str, body: str) -> bytes:
    return orjson.dumps({"id": article_id, "source": "wire", "body": body})


def decided(settings: Settings, values: list[bytes], stage: IndexStage) -> list[IndexOutput]:
    prepare = PrepareStage(settings)
    outputs = []
    for offset, value in enumerate(values):
        envelope = prepare.run(value, Provenance("raw", 0, offset, 1_764_000_000_000, None), NOW)
        outputs.append(stage.run(envelope.to_bytes(), NOW + timedelta(seconds=offset)))
    return outputs


def metric(metrics: WorkerMetrics, line_start: str) -> float:
    for line in metrics.exposition().decode().splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no metric line {line_start!r}")


def test_a_transaction_is_reported_by_topic_kind_and_status() -> None:
    settings = load_settings()
    reports: list[IndexReport] = []
    runner = IndexRunner(settings, TOPICS, reports.append)
    outputs = decided(settings, [raw("a", STORY), raw("b", STORY), b"{", raw("a", STORY)], runner.stage)
    report = runner._counted(outputs)
    assert report.published == {"out.clean": 1, "out.events": 1, "out.dlq": 1}
    assert report.findings == {"exact_duplicate": 1}
    assert report.dead_letters == {"not_json": 1}
    assert report.decisions == {"unique": 1, "exact_duplicate": 1}  # the resent "a" is a replay: not counted
    assert len(report.latencies) == 3  # every input decided here, the dead letter too; the replay left out
    assert report.index_size == runner.stage.size == 2
    assert report.owner is False  # no producer: this runner does not hold the index partition


def test_reports_survive_the_trip_between_processes() -> None:
    report = IndexReport(owner=True, index_size=7, restore_seconds=1.5, latencies=[0.01])
    report.published["x"] += 3
    again = pickle.loads(pickle.dumps(report))
    assert (again.owner, again.index_size, again.restore_seconds, again.latencies) == (True, 7, 1.5, [0.01])
    assert again.published == {"x": 3}


def test_the_view_counts_reports_into_metrics_and_health() -> None:
    metrics = WorkerMetrics()
    view = IndexView(metrics)
    first = IndexReport(owner=True, index_size=2, restore_seconds=0.25, latencies=[0.004, 0.03])
    first.published["out.clean"] += 2
    first.findings["near_duplicate"] += 1
    first.decisions["unique"] += 2
    view.apply(first)
    view.apply(IndexReport(owner=True, index_size=3, published=first.published.copy()))
    assert metric(metrics, 'newsdedup_articles_out_total{topic="out.clean"}') == 4.0
    assert metric(metrics, 'newsdedup_findings_total{kind="near_duplicate"}') == 1.0
    assert metric(metrics, 'newsdedup_decisions_total{status="unique"}') == 2.0
    assert metric(metrics, "newsdedup_processing_latency_seconds_count") == 2.0
    assert metric(metrics, "newsdedup_index_articles") == 3.0
    health = view.health()
    assert health["index_owner"] is True
    assert health["index_articles"] == 3
    assert health["index_restore_seconds"] == 0.25  # kept from the report that carried it
    view.pid = 1234
    view.lost()
    view.restarting()
    health = view.health()
    assert (health["index_owner"], health["index_articles"], health["index_process_pid"]) == (False, 0, None)
    assert health["index_process_restarts"] == 1
    assert metric(metrics, "newsdedup_index_process_restarts_total") == 1.0


def test_an_index_process_that_dies_is_started_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # A real child process that cannot reach its broker (nothing listens on the port) fails at start-up;
    # the parent must notice, count it and start another, and stop the last one when cancelled.
    monkeypatch.setattr(index_process, "_RESTART_DELAY_SECONDS", (0.1, 0.2))
    settings = load_settings(kafka_bootstrap_servers=f"127.0.0.1:{free_port()}", shutdown_timeout_seconds=10)
    view = IndexView(WorkerMetrics())
    pids: set[int] = set()

    async def scenario() -> None:
        task = asyncio.create_task(IndexProcess(settings, TOPICS, view).run())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 90
        while view.restarts < 2 and loop.time() < deadline:
            if view.pid is not None:
                pids.add(view.pid)
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert view.restarts >= 2
    assert len(pids) >= 2, "each restart is a new process"
    assert view.owner is False
