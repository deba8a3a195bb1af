"""Order.placed_by (issue 17, item 4): who placed the order keeps its commission when a
replacement moves the open order to the village's next partner. Added empty, filled with
the order's partner (every order so far was placed by its partner), then required; the
money indexes move from partner to placed_by."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def placed_by_is_the_partner(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(placed_by__isnull=True).update(placed_by=F("partner"))


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0015_villager_unique_per_village"),
        ("partners", "0015_service_point_tenure"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="placed_by",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="placed_orders",
                to="partners.partner",
                verbose_name="placed by",
            ),
        ),
        migrations.RunPython(placed_by_is_the_partner, migrations.RunPython.noop, elidable=False),
    ]
