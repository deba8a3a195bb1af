"""One money precision for the project (rural_taobao.money: 18 digits, 2 decimals).

On PostgreSQL widening numeric(16,2) to numeric(18,2) changes the column type only:
no table rewrite, no index rebuild."""

from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0006_audit_history'),
    ]

    operations = [
        migrations.AlterField(
            model_name='order',
            name='total_amount',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='total (yuan)'),
        ),
        migrations.AlterField(
            model_name='orderline',
            name='commission_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=18, null=True, verbose_name='commission (yuan)'),
        ),
        migrations.AlterField(
            model_name='orderline',
            name='line_total',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='line total (yuan)'),
        ),
        migrations.AlterField(
            model_name='orderline',
            name='unit_price',
            field=models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=18, verbose_name='unit price (yuan)'),
        ),
    ]
