"""Debian's headless Chromium, driven over the DevTools protocol with aiohttp's WebSocket client.

Small on purpose: open a page, evaluate JavaScript in it, wait for a condition, take a screenshot.
No driver or browser package to install: the protocol is JSON over a WebSocket.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

CHROMIUM = Path(os.environ.get("NEWSDEDUP_CHROMIUM", "/usr/bin/chromium"))


def chromium_or_skip() -> Path:
    """The browser; skip where it is missing (scripts/bootstrap.sh installs it), but fail under CI=true."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    found = shutil.which("chromium")
    if found:
        return Path(found)
    message = f"no headless browser at {CHROMIUM}: scripts/bootstrap.sh installs Debian's chromium as root"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class Page:
    """One browser tab."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result (events in between are skipped)."""
        command_id = next(self._ids)
        await self.socket.send_json({"id": command_id, "method": method, "params": params})
        while True:
            message = await self.socket.receive_json(timeout=30)
            if message.get("id") == command_id:
                if "error" in message:
                    raise AssertionError(f"{method} failed: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} raised: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, within: float = 30.0) -> Any:
        """Poll `expression` until truthy (for up to `within` s); return its value, or fail with the page text."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.25)
        text = await self.evaluate("document.body.innerText")
        raise AssertionError(f"the page never satisfied {expression!r}; it shows:\n{str(text)[:3000]}")

    async def screenshot(self, path: Path) -> None:
        """Save the page, whole, as a PNG."""
        height = await self.evaluate("document.documentElement.scrollHeight")
        await self.call("Emulation.setDeviceMetricsOverride", width=1400, height=int(height), deviceScaleFactor=1,
                        mobile=False)
        shot = await self.call("Page.captureScreenshot", format="png")
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))


class Browser:
    """A headless Chromium process with a throw-away profile."""

    def __init__(self, executable: Path, profile: Path) -> None:
        self.profile = profile
        self.process = subprocess.Popen(
            [str(executable), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-dev-shm-usage", "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "--window-size=1400,1000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        self.session: aiohttp.ClientSession | None = None

    async def _port(self) -> int:
        marker = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            if marker.is_file() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            if self.process.poll() is not None:
                raise AssertionError(f"chromium exited with {self.process.returncode}")
            await asyncio.sleep(0.1)
        raise AssertionError("chromium did not open its DevTools port")

    async def open(self, url: str) -> Page:
        """A new tab showing `url`."""
        port = await self._port()
        self.session = self.session or aiohttp.ClientSession()
        async with self.session.put(f"http://127.0.0.1:{port}/json/new?{url}") as response:
            target = await response.json(content_type=None)
        socket = await self.session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
        return Page(socket)

    async def close(self) -> None:
        """Stop the browser."""
        if self.session is not None:
            await self.session.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
