"""The harness itself: produce and consume through the project's own Kafka settings and codecs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newsdedup.app.codecs import decode, encode, encode_key
from newsdedup.app.topics import TopicSpec, ensure_topics
from newsdedup.localkafka import probe_broker
from newsdedup.settings import load_settings


@pytest.mark.asyncio
async def test_articles_roundtrip_through_the_real_broker(
    kafka_bootstrap: str,
    new_topic: Callable[..., Awaitable[str]],
    unique_name: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    settings = load_settings()
    assert settings.kafka_bootstrap_servers == kafka_bootstrap
    topic = await new_topic("raw", partitions=2)
    articles = [
        {"id": f"a{i}", "source": "wire", "body": f"خبر رقم {i} — story number {i}", "title": None}
        for i in range(20)
    ]

    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        for article in articles:
            await producer.send_and_wait(topic, encode(article), key=encode_key(article["id"]))
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=unique_name("group"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    received: list[dict[str, object]] = []
    partitions: set[int] = set()
    try:
        while len(received) < len(articles):
            batch = await consumer.getmany(timeout_ms=10_000)
            assert batch, "no message arrived within 10 s"
            for tp, messages in batch.items():
                partitions.add(tp.partition)
                received.extend(decode(m.value) for m in messages)
    finally:
        await consumer.stop()

    assert sorted(received, key=lambda a: int(str(a["id"])[1:])) == articles
    assert partitions == {0, 1}, "keys should spread over both partitions"


@pytest.mark.asyncio
async def test_ensure_topics_creates_only_missing_topics(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> None:
    first, second = unique_name("a"), unique_name("b")
    created = await ensure_topics(kafka_bootstrap, [TopicSpec(first, 3)])
    assert created == [first]
    created = await ensure_topics(kafka_bootstrap, [TopicSpec(first, 3), TopicSpec(second, 1)])
    assert created == [second]
    assert await probe_broker(kafka_bootstrap) == 1
