"""gunicorn settings for `make run` and production; every value can be overridden on the CLI."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 120
# A 500-character Chinese description is ~4.5 KB once URL-encoded: more than gunicorn's default
# 4094-byte request line, so searches (GET, bookmarkable) get the largest finite limit.
limit_request_line = 8190
accesslog = "-"


def post_worker_init(worker):
    """Load the model and build the match index before the first request needs them."""
    app = worker.wsgi
    with app.app_context():
        from web.extensions import db

        app.extensions["jiujin"].matcher(db.session)
        db.session.remove()
