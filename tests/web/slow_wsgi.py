"""A WSGI app that takes a second per request: gunicorn's queue fills behind it (test_shedding)."""

import time


def app(environ, start_response):
    time.sleep(1.0)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"served"]
