"""Service points get a stable code, <county code>-<4 digits>: added empty, given to the
existing points (numbered within each county by opening day, then id), then required."""

from django.db import migrations, models


def number_existing_points(apps, schema_editor):
    ServicePoint = apps.get_model("counties", "ServicePoint")
    batch = []
    county_id, number = None, 0
    points = ServicePoint.objects.select_related("village__county").order_by(
        "village__county_id", models.F("opened_on").asc(nulls_last=True), "id"
    )
    for point in points.iterator(chunk_size=2000):
        if point.village.county_id != county_id:
            county_id, number = point.village.county_id, 0
        number += 1
        point.code = f"{point.village.county.code}-{number:04d}"
        batch.append(point)
        if len(batch) >= 2000:
            ServicePoint.objects.bulk_update(batch, ["code"])
            batch = []
    if batch:
        ServicePoint.objects.bulk_update(batch, ["code"])


class Migration(migrations.Migration):
    dependencies = [("counties", "0010_county_centre_group")]

    operations = [
        migrations.AddField(
            model_name="servicepoint",
            name="code",
            field=models.CharField(max_length=11, null=True, editable=False, verbose_name="service point code"),
        ),
        migrations.RunPython(number_existing_points, migrations.RunPython.noop, elidable=False),
    ]
