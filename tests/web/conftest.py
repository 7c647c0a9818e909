"""Fixtures for the web tests: the staff workspaces' test world (tests/web/staff.py) and the
browser plumbing (tests/web/browser.py)."""

from tests.web.browser import base_url, browser, page  # noqa: F401 - fixtures
from tests.web.staff import staff_world  # noqa: F401 - a fixture, shared by every web test module
