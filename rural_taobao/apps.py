from django.apps import AppConfig
from django.db.models.signals import pre_save


class KernelConfig(AppConfig):
    """The kernel as an app only to connect its one receiver (rural_taobao/api_tokens.py)."""

    name = "rural_taobao"
    verbose_name = "Rural Taobao"

    def ready(self):
        from django.contrib.auth.models import User

        from .api_tokens import revoke_tokens_on_credentials_change

        pre_save.connect(revoke_tokens_on_credentials_change, sender=User, dispatch_uid="revoke_api_tokens")
