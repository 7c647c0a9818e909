"""gunicorn settings for `make run` and production; every value can be overridden on the CLI."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Threaded workers that answer 503 + Retry-After to a request that waited over
# JIUJIN_MAX_QUEUE_SECONDS for a thread, instead of serving it late (web/shedding.py).
worker_class = "web.shedding.ShedWorker"
timeout = 120
# A 500-character Chinese description is ~4.5 KB once URL-encoded: more than gunicorn's default
# 4094-byte request line, so searches (GET, bookmarkable) get the largest finite limit.
limit_request_line = 8190
accesslog = "-"
# The path without its query string, and no referrer: queries carry what people typed (a search's
# words and home, a clerk's lookup by name or phone), which has no place in an access log.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'



def post_worker_init(worker):
    """Load the model and build the match index before the first request needs them."""
    app = worker.wsgi
    with app.app_context():
        from web.extensions import db

        app.extensions["jiujin"].matcher(db.session)
        db.session.remove()
