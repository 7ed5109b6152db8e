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

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

import faust
from faust.web import Request, Response, View

from newsdedup.app.brokerwatch import BrokerWatch
from newsdedup.app.budget import SizeBudget
from newsdedup.app.deadletter import Provenance
from newsdedup.app.index_process import IndexProcess, IndexView, run_inline
from newsdedup.app.metrics import WorkerMetrics
from newsdedup.app.prepared_sender import PreparedSender
from newsdedup.app.security import client_options, faust_credentials
from newsdedup.app.stages import PrepareStage
from newsdedup.app.topics import Topics, TopicSpec
from newsdedup.app.transport import WorkerApp
from newsdedup.settings import Settings

# Stage 1 takes up to this many raw messages, or what arrived within CHUNK_SECONDS, per send to stage 2.
CHUNK_MESSAGES = 200
CHUNK_SECONDS = 0.010


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """Every topic the worker reads or writes, with partition counts and size limits (app/budget.py)."""
    budget = SizeBudget(settings.max_message_bytes)
    topics = Topics.of(settings)

    def limit(record: int) -> dict[str, str]:
        return {"max.message.bytes": str(budget.topic_limit(record))}

    return [
        # Oversized inputs must reach the worker to be dead-lettered, so the raw topic takes more than M.
        TopicSpec(topics.raw, settings.raw_partitions, limit(budget.raw), must_fit=False),
        TopicSpec(topics.prepared, 1, limit(budget.envelope)),
        TopicSpec(topics.state, 1, {"cleanup.policy": "compact", "segment.ms": "3600000",
                                          "min.cleanable.dirty.ratio": "0.3", **limit(budget.state)}),
        TopicSpec(topics.clean, settings.output_partitions, limit(budget.output)),
        TopicSpec(topics.events, settings.output_partitions, limit(budget.output)),
        TopicSpec(topics.dlq, settings.output_partitions, limit(budget.dead_letter)),
        # The last record per key is what counts: a story's state, a minute's cumulative counts.
        TopicSpec(topics.stories, settings.output_partitions,
                  {"cleanup.policy": "compact", **limit(budget.output)}),
        TopicSpec(topics.stats, settings.output_partitions,
                  {"cleanup.policy": "compact", **limit(budget.output)}),
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
    budget = SizeBudget(settings.max_message_bytes)
    app = WorkerApp(
        settings.app_id,
        broker=brokers,
        broker_credentials=faust_credentials(settings),
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
        producer_max_request_size=budget.producer_request,  # faust's own producer sends nothing of ours
        consumer_max_fetch_size=budget.fetch,
        web_enabled=True,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
    )
    metrics = WorkerMetrics()
    prepare_stage = PrepareStage(settings)
    topics = Topics.of(settings)
    index_view = IndexView(metrics, separate_process=settings.index_process == "child")
    sender = PreparedSender(settings.kafka_bootstrap_servers, topics.prepared, budget,
                            client_options=client_options(settings))
    metrics.watch_prepare_sends(sender.health)
    index_process = IndexProcess(settings, index_view)
    broker_watch = BrokerWatch(settings.kafka_bootstrap_servers, client_options(settings))
    app.task(broker_watch.run)

    # The index process is asked to stop as soon as the worker's stop begins (run.py), so that it stops
    # beside faust and no replacement is started meanwhile; faust's on_before_shutdown (after stage 1
    # has drained) is the fallback for a stop that came another way.
    app.stop_requested.append(index_process.request_stop)

    @app.on_before_shutdown.connect
    def stop_index_process(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        index_process.request_stop()
    raw = app.topic(topics.raw, value_type=bytes, key_type=bytes)
    progress: dict[tuple[str, int], int] = {}

    @app.agent(raw)
    async def prepare_agent(stream: faust.StreamT[bytes]) -> None:
        # Events are acked (and their offsets become committable) only once their envelopes are written:
        # each chunk is prepared while the previous one is on its way, and sent after it (prepared_sender.py).
        in_flight: asyncio.Task[None] | None = None
        try:
            # noack_take is on faust's Stream, not on its StreamT protocol.
            chunks = stream.noack_take(CHUNK_MESSAGES, within=CHUNK_SECONDS)  # type: ignore[attr-defined]
            async for events in chunks:
                items = []
                for event in events:
                    metrics.articles_in.inc()
                    provenance = _provenance(event)
                    envelope = prepare_stage.run(event.message.value, provenance, _now())
                    items.append((provenance.key, envelope.to_bytes()))
                if in_flight is not None:
                    await in_flight
                in_flight = asyncio.create_task(_deliver(stream, list(events), items))
            if in_flight is not None:
                await in_flight
        finally:
            if in_flight is not None and not in_flight.done():
                in_flight.cancel()  # not acked: read again from the raw topic by the next run
                with contextlib.suppress(asyncio.CancelledError):
                    await in_flight
            await sender.stop()

    async def _deliver(stream: faust.StreamT[bytes], events: list[faust.EventT[bytes]],
                       items: list[tuple[bytes | None, bytes]]) -> None:
        await sender.send(items)
        for event in events:
            await stream.ack(event)
            message = event.message
            progress[(message.topic, message.partition)] = message.offset + 1

    async def index_task() -> None:
        if settings.index_process == "child":
            await index_process.run()
        else:
            await run_inline(settings, index_view)

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
            problem = broker_watch.problem() or _prepare_problem(sender) or index_view.problem()
            body: dict[str, Any] = {
                "status": "ok" if problem is None else "failing", "assigned": assigned,
                "index_process": settings.index_process, **index_view.health(),
                "prepare_send_failures": sender.health.failures_total,
            }
            if problem is not None:
                body["problem"] = problem
            return self.json(body, status=200 if problem is None else 503)

    return app


def _prepare_problem(sender: PreparedSender) -> str | None:
    health = sender.health
    if not health.failures_in_a_row:
        return None
    return (f"stage 1 cannot write to {sender.topic}: {health.failures_in_a_row} failed attempts in a row, "
            f"last: {health.last_error}")


def _update_lag(app: faust.App, metrics: WorkerMetrics, progress: dict[tuple[str, int], int]) -> None:
    for tp in app.consumer.assignment():
        highwater = app.consumer.highwater(tp)
        if highwater is None:
            continue
        position = progress.get((tp.topic, tp.partition), highwater)
        metrics.consumer_lag.labels(topic=tp.topic, partition=str(tp.partition)).set(max(0, highwater - position))
