"""Villagers belong to the village: the schema half (the data is merged by 0014)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0014_villagers_belong_to_the_village")]

    operations = [
        migrations.RemoveConstraint(model_name="villager", name="villager_phone_unique_per_partner"),
        migrations.RemoveField(model_name="historicalvillager", name="partner"),
        migrations.RemoveField(model_name="villager", name="partner"),
        migrations.AddConstraint(
            model_name="villager",
            constraint=models.UniqueConstraint(fields=("village", "phone"), name="villager_phone_unique_per_village"),
        ),
    ]
