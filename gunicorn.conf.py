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
# Build the app in the master and load the model and index there (when_ready), before any worker
# is forked: every worker, and every replacement for one that died, starts warm and shares those
# pages copy-on-write instead of spending a minute rebuilding them.
preload_app = True


def when_ready(server):
    """In the master, before the first fork: warm up, then close the database connections used."""
    import logging

    from web.extensions import db
    from web.services.runtime import warm

    app = server.app.wsgi()
    try:
        warm(app)
    except Exception:  # the workers start cold and /healthz says "starting" until they are warm
        logging.getLogger("gunicorn.error").exception("warming up in the master failed")
    with app.app_context():
        db.engine.dispose()  # no pooled connection (socket) may be shared across the fork


def post_fork(server, worker):
    """In each new worker: forget any pooled connection inherited from the master (without closing
    the master's sockets), so that every worker opens its own."""
    with worker.app.wsgi().app_context():
        from web.extensions import db

        db.engine.dispose(close=False)


def post_worker_init(worker):
    """Bring the index up to date (or build it, when the master could not) before the first request."""
    from web.services.runtime import warm

    try:
        warm(worker.wsgi)
    except Exception:  # e.g. the database is down: serve anyway (503s) rather than fail to boot
        worker.log.exception("warming up the worker failed")
