"""What the index stage reports to the worker's metrics and /health, and the parent's supervision of its process."""

from __future__ import annotations

import asyncio
import pickle
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from newsdedup.app import index_process
from newsdedup.app.deadletter import Provenance
from newsdedup.app.index_process import IndexProcess, IndexView
from newsdedup.app.index_runner import IndexRunner
from newsdedup.app.metrics import IndexReport, WorkerMetrics
from newsdedup.app.stages import IndexOutput, IndexStage, PrepareStage
from newsdedup.errors import IndexProcessFailed
from newsdedup.localkafka import free_port
from newsdedup.settings import Settings, load_settings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
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
    settings = load_settings(topic_clean="out.clean", topic_events="out.events", topic_dlq="out.dlq")
    reports: list[IndexReport] = []
    runner = IndexRunner(settings, reports.append)
    outputs = decided(settings, [raw("a", STORY), raw("b", STORY), b"{", raw("a", STORY)], runner.stage)
    report = runner._counted(outputs)
    assert report.published == {"out.clean": 1, "out.events": 1, "out.dlq": 1}
    assert report.findings == {"exact_duplicate": 1}
    assert report.dead_letters == {"not_json": 1}
    assert report.decisions == {"unique": 1, "exact_duplicate": 1}  # the resent "a" is a replay: not counted
    assert len(report.latencies) == 3  # every input decided here, the dead letter too; the replay left out
    assert report.index_size == runner.stage.size == 2
    assert report.stories == 1
    assert report.owner is False  # no producer: this runner does not hold the index partition
    # The summaries of the transaction are counted per topic too (records, not articles).
    summaries = runner.stage.summaries(outputs, NOW, NOW.timestamp(), 0)
    counted = runner._counted(outputs, Counter(runner.topics[target] for target, _, _ in summaries))
    assert counted.published == {"out.clean": 1, "out.events": 1, "out.dlq": 1, settings.topic_stories: 1,
                                 settings.topic_stats: 3}  # story "a"; rows wire, (unknown) and the service


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
    view.receive(first)
    view.receive(IndexReport(owner=True, index_size=3, published=first.published.copy(), stories=2))
    assert metric(metrics, 'newsdedup_articles_out_total{topic="out.clean"}') == 4.0
    assert metric(metrics, 'newsdedup_findings_total{kind="near_duplicate"}') == 1.0
    assert metric(metrics, 'newsdedup_decisions_total{status="unique"}') == 2.0
    assert metric(metrics, 'newsdedup_findings_total{kind="same_story"}') == 0.0  # exported before the first
    assert metric(metrics, 'newsdedup_decisions_total{status="same_story"}') == 0.0
    rewrite = IndexReport(owner=True, index_size=4)
    rewrite.findings["same_story"] += 1
    rewrite.decisions["same_story"] += 1
    view.receive(rewrite)
    assert metric(metrics, 'newsdedup_findings_total{kind="same_story"}') == 1.0
    assert metric(metrics, 'newsdedup_decisions_total{status="same_story"}') == 1.0
    assert metric(metrics, "newsdedup_processing_latency_seconds_count") == 2.0
    assert metric(metrics, "newsdedup_index_articles") == 4.0
    assert metric(metrics, "newsdedup_stories") == 0.0  # as the last report says
    health = view.health()
    assert health["index_owner"] is True
    assert health["index_articles"] == 4
    assert health["index_restore_seconds"] == 0.25  # kept from the report that carried it
    view.pid = 1234
    view.lost()
    view.restarting()
    health = view.health()
    assert (health["index_owner"], health["index_articles"], health["index_process_pid"]) == (False, 0, None)
    assert health["index_process_restarts"] == 1
    assert metric(metrics, "newsdedup_index_process_restarts_total") == 1.0


def test_reports_waiting_for_the_pipe_merge_into_one() -> None:
    first = IndexReport(owner=False, index_size=1, restore_seconds=2.0, restoring=True, latencies=[0.1])
    first.published["c"] += 2
    later = IndexReport(owner=True, index_size=5, latencies=[0.2, 0.3])
    later.published["c"] += 1
    later.findings["exact_duplicate"] += 1
    merged = first.merged(later)
    assert (merged.owner, merged.index_size, merged.restoring, merged.restore_seconds) == (True, 5, False, 2.0)
    assert merged.published == {"c": 3}
    assert merged.findings == {"exact_duplicate": 1}
    assert merged.latencies == [0.1, 0.2, 0.3]
    assert first.merged(IndexReport(owner=True, index_size=5, stories=4)).stories == 4


def test_restart_pauses_double_while_deaths_come_quickly_and_reset_after_a_long_run() -> None:
    delays = []
    delay = 0.0
    for uptime in (0.5, 2.0, 3.0, 1.0, 1.0, 1.0, 1.0, 3600.0, 1.0):
        delay = index_process.next_restart_delay(delay, uptime)
        delays.append(delay)
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 1.0, 2.0]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_health_fails_without_an_index_process_or_its_reports() -> None:
    clock = Clock()
    view = IndexView(WorkerMetrics(), clock=clock)
    assert view.problem() == "no index process is running"
    view.started(4321)
    assert view.problem() == "the index stage has not joined its consumer group yet"
    view.receive(IndexReport(owner=True, index_size=0, restoring=True, joined=True))
    clock.now += 600
    assert view.problem() == "the index stage is restoring the index from the state topic", "not silence"
    view.receive(IndexReport(owner=True, index_size=0, joined=True))
    assert view.problem() is None
    clock.now += 61
    problem = view.problem()
    assert problem is not None
    assert "has not reported for 61 s" in problem
    inline = IndexView(WorkerMetrics(), separate_process=False)
    assert inline.problem() == "the index stage has not joined its consumer group yet"
    inline.receive(IndexReport(owner=False, index_size=0, joined=True))
    assert inline.problem() is None, "standing by is ready"


def test_a_child_counts_as_settled_from_its_first_report_outside_a_restore() -> None:
    clock = Clock()
    view = IndexView(WorkerMetrics(), clock=clock)
    view.started(1)
    clock.now += 30
    view.receive(IndexReport(owner=True, index_size=0, restoring=True))
    clock.now += 300
    assert view.settled_for() == 0.0, "dying while it restores is a quick death, however long the restore"
    view.receive(IndexReport(owner=True, index_size=5))
    clock.now += 90
    assert view.settled_for() == 90.0
    view.lost()
    view.started(2)
    assert view.settled_for() == 0.0


def test_a_stop_requested_before_the_first_child_starts_none() -> None:
    view = IndexView(WorkerMetrics())

    async def scenario() -> None:
        process = IndexProcess(load_settings(), view)
        process.request_stop()
        await asyncio.wait_for(process.run(), 5)

    asyncio.run(scenario())
    assert view.pid is None
    assert view.restarts == 0


def test_an_index_process_that_keeps_dying_is_restarted_then_given_up(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    # Real child processes that cannot reach their broker (nothing listens on the port) fail at start-up:
    # the parent starts new ones, then stops trying, so that the worker stops and its supervisor sees it.
    monkeypatch.setattr(index_process, "_RESTART_DELAY_SECONDS", (0.1, 0.2))
    monkeypatch.setattr(index_process, "_GIVE_UP_AFTER", 3)
    settings = load_settings(kafka_bootstrap_servers=f"127.0.0.1:{free_port()}", shutdown_timeout_seconds=10)
    view = IndexView(WorkerMetrics())
    pids: set[int] = set()

    async def watch(task: asyncio.Task[None]) -> None:
        while not task.done():
            if view.pid is not None:
                pids.add(view.pid)
            await asyncio.sleep(0.02)

    async def scenario() -> None:
        task = asyncio.create_task(IndexProcess(settings, view).run())
        watcher = asyncio.create_task(watch(task))
        try:
            await asyncio.wait_for(task, 120)
        finally:
            await watcher

    with pytest.raises(IndexProcessFailed, match="died 3 times in a row"):
        asyncio.run(scenario())
    # They died for the reason given, not of a mistake in how they were started.
    err = capfd.readouterr().err
    assert err.count("index process failed") == 3
    assert err.count("KafkaConnectionError") >= 3
    assert view.restarts == 2
    assert len(pids) == 3, "each start is a new process"
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists(), "a child was left behind"
    assert view.problem() == "no index process is running"
