"""Debian's Chromium, as Playwright drives it here."""

from tests.support.admin import ADMIN

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def sign_in(page, live_server, username):
    """Sign `page`'s browser context in to the admin, through its login form."""
    from tests.factories import PASSWORD

    page.goto(f"{live_server.url}{ADMIN}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{ADMIN}/")
