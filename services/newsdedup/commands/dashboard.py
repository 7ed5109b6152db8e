"""`newsdedup dashboard`: serve the live page on loopback (by default) while reading the three topics."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from aiohttp import web

from newsdedup.app.security import check_connection, client_options
from newsdedup.dashboard.feed import TopicFollower, TopicRole
from newsdedup.dashboard.server import Publisher, build_app
from newsdedup.dashboard.state import DashboardState
from newsdedup.settings import Settings, load_settings


def add_dashboard_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the `dashboard` options."""
    parser.add_argument("--host", default=None, help="address to listen on (default NEWSDEDUP_DASHBOARD_HOST, "
                        "127.0.0.1: the page has no login, so keep it on loopback unless a proxy guards it)")
    parser.add_argument("--port", type=int, default=None, help="port (default NEWSDEDUP_DASHBOARD_PORT, 8088; "
                        "0 picks a free one)")
    parser.add_argument("--tick", type=float, default=1.0, metavar="SECONDS", help="how often the page is updated")


def topic_roles(settings: Settings) -> list[TopicRole]:
    """The topics the dashboard reads and how."""
    return [TopicRole(settings.topic_stories, "stories", from_start=True),
            TopicRole(settings.topic_stats, "stats", from_start=True),
            TopicRole(settings.topic_events, "events", from_start=False)]


def _now() -> datetime:
    return datetime.now(UTC)


async def serve(settings: Settings, host: str, port: int, tick_seconds: float, stop: asyncio.Event,
                on_ready: Callable[[str], None]) -> None:
    """Read the topics and serve the page until `stop` is set; call `on_ready` with the page's URL."""
    await check_connection(settings)  # a clear message for a broker that is down or refuses us
    state = DashboardState()
    followers = [TopicFollower(settings.kafka_bootstrap_servers, role, state, _now, client_options(settings))
                 for role in topic_roles(settings)]
    publisher = Publisher(state, _now, tick_seconds)
    runner = web.AppRunner(build_app(publisher), handle_signals=False)
    tasks: list[asyncio.Task[None]] = []
    try:
        for follower in followers:
            await follower.start()
        await runner.setup()
        # Open streams end when the publisher closes; the timeout bounds a client that does not read.
        site = web.TCPSite(runner, host, port, shutdown_timeout=2.0)
        await site.start()
        bound = runner.addresses[0][1] if port == 0 else port
        tasks = [asyncio.create_task(f.run()) for f in followers] + [asyncio.create_task(publisher.run())]
        on_ready(f"http://{_url_host(host)}:{bound}/")
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        for task in done:
            if task is not waiter:
                task.result()  # a follower that failed ends the command with its error
    finally:
        publisher.close()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await runner.cleanup()
        for follower in followers:
            await follower.consumer.stop()


def _url_host(host: str) -> str:
    return "127.0.0.1" if host in ("", "0.0.0.0") else (f"[{host}]" if ":" in host else host)


def run_dashboard(args: argparse.Namespace) -> int:
    """Carry out `newsdedup dashboard`."""
    settings = load_settings()
    host = args.host if args.host is not None else settings.dashboard_host
    port = args.port if args.port is not None else settings.dashboard_port

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, host, port, args.tick, stop,
                    lambda url: print(f"dashboard at {url} (reading Kafka at {settings.kafka_bootstrap_servers}; "
                                      "Ctrl-C stops)", file=sys.stderr, flush=True))

    asyncio.run(main())
    return 0
