"""Villagers belong to the village, not to the partner (issue 17, item 4), the data half:
every villager takes their partner's village, and villagers sharing a phone within one
village (registered by two partners of it over time) become one, the earliest, with the
others' orders (and buyer rollup rows) moved to it. The schema half is 0015."""

from django.db import migrations
from django.db.models import Count, Min, OuterRef, Subquery

# The buyer rollups (analytics) name villagers without a foreign key: moved along by SQL,
# as the analytics app sits above this one and its models are not this migration's to load.
BUYER_TABLES = {"counties_countybuyerday": "day", "counties_countybuyermonth": "month"}


def villagers_to_the_village(apps, schema_editor):
    Villager = apps.get_model("orders", "Villager")
    Order = apps.get_model("orders", "Order")
    Partner = apps.get_model("partners", "Partner")
    partner_village = Partner.objects.filter(pk=OuterRef("partner_id")).values("village_id")[:1]
    Villager.objects.exclude(village_id=Subquery(partner_village)).update(village_id=Subquery(partner_village))

    tables = set(schema_editor.connection.introspection.table_names())
    duplicated = (
        Villager.objects.values("village_id", "phone").annotate(n=Count("id"), keep=Min("id")).filter(n__gt=1)
    )
    for group in duplicated.iterator():
        others = list(
            Villager.objects.filter(village_id=group["village_id"], phone=group["phone"])
            .exclude(pk=group["keep"])
            .values_list("pk", flat=True)
        )
        Order.objects.filter(villager_id__in=others).update(villager_id=group["keep"])
        with schema_editor.connection.cursor() as cursor:
            for table, period in BUYER_TABLES.items():
                if table not in tables:
                    continue
                placeholders = ", ".join(["%s"] * len(others))
                # A period in which both bought keeps the kept villager's row only.
                cursor.execute(
                    f"DELETE FROM {table} WHERE villager_id IN ({placeholders}) AND EXISTS ("  # noqa: S608  # nosec B608
                    f"SELECT 1 FROM {table} k WHERE k.villager_id = %s AND k.county_id = {table}.county_id "
                    f"AND k.{period} = {table}.{period})",
                    [*others, group["keep"]],
                )
                cursor.execute(
                    f"UPDATE {table} SET villager_id = %s WHERE villager_id IN ({placeholders})",  # noqa: S608  # nosec B608
                    [group["keep"], *others],
                )
        Villager.objects.filter(pk__in=others).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_parcel_leg_indexes"),
        ("partners", "0015_service_point_tenure"),
    ]

    operations = [migrations.RunPython(villagers_to_the_village, migrations.RunPython.noop, elidable=False)]
