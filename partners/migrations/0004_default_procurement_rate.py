import datetime
from decimal import Decimal

from django.db import migrations


def default_rate(apps, schema_editor):
    ProcurementRate = apps.get_model("partners", "ProcurementRate")
    # Procurement earns less than retail: 1% unless an admin sets another rate.
    ProcurementRate.objects.get_or_create(effective_from=datetime.date(2015, 1, 1), defaults={"rate": Decimal("0.0100")})


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_incentivetier_commissionrate_monthlystatement_and_more")]
    operations = [migrations.RunPython(default_rate, migrations.RunPython.noop)]
