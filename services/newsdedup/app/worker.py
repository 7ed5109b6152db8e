r"""The faust-streaming worker: a thin agent for the stateless stage, the index stage as an app task,
and health and metrics pages.

raw (N partitions) --prepare agent--> prepared (1 partition) --index runner--> clean, events, dlq
                                                                   \--------> index-state (compacted)

The prepare agent does the CPU-heavy, stateless work (at-least-once) and scales with raw partitions
and workers. The index runner (index_runner.py) is the single writer of the global index and
publishes exactly once through Kafka transactions; it drops stage-1 replays by raw offset. By default
it runs in a child process (index_process.py), so that the two stages use two cores.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import faust
from faust.web import Request, Response, View

from newsdedup.app.deadletter import Provenance
from newsdedup.app.index_process import IndexProcess, IndexView, run_inline
from newsdedup.app.metrics import WorkerMetrics
from newsdedup.app.stages import PrepareStage
from newsdedup.app.topics import TopicSpec
from newsdedup.app.transport import WorkerApp
from newsdedup.settings import Settings


def internal_topics(settings: Settings) -> dict[str, str]:
    """The topics between the stages and of the index state."""
    return {"prepared": f"{settings.app_id}.prepared", "state": f"{settings.app_id}.index-state"}


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """Every topic the worker reads or writes, with partition counts and size limits."""
    # Oversized inputs must reach the worker to be dead-lettered with their bytes, so the raw
    # topic accepts messages past the processing limit, and the DLQ takes them base64-encoded.
    raw_limit = str(4 * settings.max_message_bytes)
    big = str(6 * settings.max_message_bytes)
    internal = internal_topics(settings)
    return [
        TopicSpec(settings.topic_raw, settings.raw_partitions, {"max.message.bytes": raw_limit}),
        TopicSpec(internal["prepared"], 1, {"max.message.bytes": big}),
        TopicSpec(internal["state"], 1, {"cleanup.policy": "compact", "segment.ms": "3600000",
                                          "min.cleanable.dirty.ratio": "0.3"}),
        TopicSpec(settings.topic_clean, settings.output_partitions),
        TopicSpec(settings.topic_events, settings.output_partitions),
        TopicSpec(settings.topic_dlq, settings.output_partitions, {"max.message.bytes": big}),
    ]


def _now() -> datetime:
    return datetime.now(UTC)


def _provenance(event: faust.EventT[bytes]) -> Provenance:
    message = event.message
    timestamp = message.timestamp
    return Provenance(
        topic=message.topic, partition=message.partition, offset=message.offset,
        timestamp_ms=int(timestamp * 1000) if timestamp else None, key=message.key,
    )


def build_app(settings: Settings) -> WorkerApp:
    """Build the faust app, its agent, the index task and web pages; nothing runs until it is started."""
    brokers = [f"kafka://{host}" for host in settings.kafka_bootstrap_servers.split(",")]
    app = WorkerApp(
        settings.app_id,
        broker=brokers,
        store="memory://",
        processing_guarantee="at_least_once",
        autodiscover=False,
        datadir=str(settings.data_dir),
        key_serializer="raw",
        value_serializer="raw",
        topic_partitions=1,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
        # A crashed worker's partitions move to the others after this long (faust's default is 60 s).
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
        producer_max_request_size=8 * settings.max_message_bytes,
        consumer_max_fetch_size=8 * settings.max_message_bytes,
        producer_linger=0.010,  # stage 1 sends: a few envelopes per produce request at load
        web_enabled=True,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
    )
    metrics = WorkerMetrics()
    prepare_stage = PrepareStage(settings)
    topics = {**internal_topics(settings), "clean": settings.topic_clean, "events": settings.topic_events,
              "dlq": settings.topic_dlq}
    index_view = IndexView(metrics, separate_process=settings.index_process == "child")
    index_process = IndexProcess(settings, topics, index_view)

    # The index process is asked to stop as soon as the worker's stop begins (run.py), so that it stops
    # beside faust and no replacement is started meanwhile; faust's on_before_shutdown (after stage 1
    # has drained) is the fallback for a stop that came another way.
    app.stop_requested.append(index_process.request_stop)

    @app.on_before_shutdown.connect
    def stop_index_process(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        index_process.request_stop()
    raw = app.topic(settings.topic_raw, value_type=bytes, key_type=bytes)
    prepared = app.topic(topics["prepared"], value_type=bytes, key_type=bytes)
    progress: dict[tuple[str, int], int] = {}

    @app.agent(raw)
    async def prepare_agent(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            metrics.articles_in.inc()
            provenance = _provenance(event)
            envelope = prepare_stage.run(event.message.value, provenance, _now())
            await prepared.send(key=provenance.key, value=envelope.to_bytes())
            progress[(provenance.topic, provenance.partition)] = provenance.offset + 1

    async def index_task() -> None:
        if settings.index_process == "child":
            await index_process.run()
        else:
            await run_inline(settings, topics, index_view)

    app.task(index_task)

    @app.page("/metrics")
    class MetricsPage(View):
        async def get(self, request: Request) -> Response:
            _update_lag(app, metrics, progress)
            return self.bytes(metrics.exposition(), content_type="text/plain; version=0.0.4")

    @app.page("/health")
    class HealthPage(View):
        async def get(self, request: Request) -> Response:
            assigned = sorted(f"{tp.topic}:{tp.partition}" for tp in app.consumer.assignment())
            problem = index_view.problem()
            body: dict[str, Any] = {
                "status": "ok" if problem is None else "failing", "assigned": assigned,
                "index_process": settings.index_process, **index_view.health(),
            }
            if problem is not None:
                body["problem"] = problem
            return self.json(body, status=200 if problem is None else 503)

    return app


def _update_lag(app: faust.App, metrics: WorkerMetrics, progress: dict[tuple[str, int], int]) -> None:
    for tp in app.consumer.assignment():
        highwater = app.consumer.highwater(tp)
        if highwater is None:
            continue
        position = progress.get((tp.topic, tp.partition), highwater)
        metrics.consumer_lag.labels(topic=tp.topic, partition=str(tp.partition)).set(max(0, highwater - position))
