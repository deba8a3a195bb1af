"""Point the test process's Celery app at a real broker for one test.

The app reads Django settings under the CELERY_ namespace, so overrides must use the
namespaced keys too, or `apply_async` quietly keeps running tasks eagerly in-process."""

import contextlib

import kombu.pools

from rural_taobao.celery import app as celery_app

KEYS = {
    "broker_url": "CELERY_BROKER_URL",
    "result_backend": "CELERY_RESULT_BACKEND",
    "task_always_eager": "CELERY_TASK_ALWAYS_EAGER",
}


@contextlib.contextmanager
def real_broker(broker_url: str, result_backend: str | None = None):
    saved = {name: celery_app.conf.get(name) for name in (*KEYS, *KEYS.values())}
    values = {"broker_url": broker_url, "result_backend": result_backend, "task_always_eager": False}
    celery_app.conf.update({**values, **{KEYS[k]: v for k, v in values.items()}})
    _forget_connections()
    assert celery_app.conf.task_always_eager is False
    try:
        yield celery_app
    finally:
        celery_app.conf.update(saved)
        _forget_connections()


def _forget_connections():
    """Drop the app's cached broker pool and result backend: the next test may use another
    server (Celery caches both on first use)."""
    if celery_app._pool is not None:
        celery_app.pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)
    # kombu keeps producer pools in a process-wide registry keyed by the broker URL: one
    # closed above (or by an earlier test) would be handed out again ("Acquire on closed
    # pool") to code that calls .delay() itself, as the live server's views do.
    kombu.pools.reset()
