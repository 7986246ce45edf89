"""Takes the README screenshots from a running Driftwatch with the demo loaded (bin/screenshots).

Usage: python bin/screenshots.py BASE_URL OUT_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def login(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector(".who-name")


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True, args=CHROMIUM_ARGS)
        desktop = browser.new_context(viewport={"width": 1280, "height": 900})
        page = desktop.new_page()
        login(page, base, "backend", "driftwatch-backend")
        page.goto(f"{base}/")
        page.screenshot(path=str(out / "overview.png"), full_page=True)
        # The target page: the production database if the demo has it, else the SQLite copy.
        production = page.locator(".dw-card-title", has_text="production")
        (production if production.count() else page.locator(".dw-card-title")).first.click()
        page.wait_for_selector("#model-grid")
        page.locator(".dw-chip:has-text('missing')").first.click()
        page.wait_for_timeout(600)
        page.screenshot(path=str(out / "screenshot.png"), full_page=False)
        desktop.close()

        phone = browser.new_context(viewport={"width": 390, "height": 844},
                                    device_scale_factor=1)
        page = phone.new_page()
        login(page, base, "mobile", "driftwatch-mobile")  # lands on Endpoints
        page.wait_for_selector("#endpoint-list, .ep-list, main")
        page.screenshot(path=str(out / "endpoints-phone.png"), full_page=False)
        phone.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
