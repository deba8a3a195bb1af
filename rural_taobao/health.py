"""/healthz: is the database reachable, and the broker when one is configured."""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # any driver error means "down" to a health check
        logger.warning("healthz: database unreachable", exc_info=True)
        return False


def _broker_status() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "in-process"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return "ok"
    except Exception:
        logger.warning("healthz: broker unreachable", exc_info=True)
        return "down"


@never_cache
@require_GET
def healthz(request):
    database = "ok" if _database_ok() else "down"
    broker = _broker_status()
    if database != "ok":
        status, code = "down", 503
    elif broker == "down":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, "database": database, "broker": broker}, status=code)
