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


# axe-core's rules for WCAG 2.2 AA, as every accessibility check here runs them.
WCAG_22_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def sign_in(page, live_server, username):
    """Sign `page`'s browser context in to the admin, through its login form."""
    from tests.factories import PASSWORD

    page.goto(f"{live_server.url}{ADMIN}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{ADMIN}/")
