"""Save a screenshot of a running dashboard (docs/img/dashboard.png is taken while scripts/demo runs).

    scripts/demo &                      # prints "dashboard at http://127.0.0.1:8088/"
    python bench/dashboard_screenshot.py http://127.0.0.1:8088/ docs/img/dashboard.png
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: the tests' browser client
from tests.integration.browser import Browser, chromium_or_skip


async def shoot(url: str, out: Path, settle: float) -> None:
    """Open `url` in headless Chromium, wait for the first update and `settle` seconds, save the page."""
    with tempfile.TemporaryDirectory(prefix="newsdedup-shot-") as profile:
        browser = Browser(chromium_or_skip(), Path(profile))
        try:
            page = await browser.open(url)
            await page.wait_for("document.querySelector('#status')?.textContent.startsWith('updated')")
            await asyncio.sleep(settle)
            await page.screenshot(out)
        finally:
            await browser.close()


def main() -> None:
    """Parse the arguments and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("out", type=Path)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds to wait after the first update")
    args = parser.parse_args()
    asyncio.run(shoot(args.url, args.out, args.settle))
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
