from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("counties", "0011_servicepoint_code")]

    operations = [
        migrations.AlterField(
            model_name="servicepoint",
            name="code",
            field=models.CharField(
                editable=False,
                help_text="County code and a number within the county, e.g. 410225-0007; it never changes.",
                max_length=11,
                unique=True,
                verbose_name="service point code",
            ),
        ),
        migrations.AddConstraint(
            model_name="servicepoint",
            constraint=models.CheckConstraint(
                condition=Q(code__regex="^[0-9]{6}-[0-9]{4}$"), name="service_point_code_format"
            ),
        ),
    ]
