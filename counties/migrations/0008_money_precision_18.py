"""One money precision for the project (rural_taobao.money: 18 digits, 2 decimals).

On PostgreSQL widening numeric(16,2) to numeric(18,2) changes the column type only:
no table rewrite, no index rebuild."""

from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('counties', '0007_rollups_move_to_analytics'),
    ]

    operations = [
        migrations.AlterField(
            model_name='county',
            name='yearly_sales_target',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='yearly sales target (yuan)'),
        ),
    ]
