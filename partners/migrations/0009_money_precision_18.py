"""One money precision for the project (rural_taobao.money: 18 digits, 2 decimals).

On PostgreSQL widening numeric(16,2) to numeric(18,2) changes the column type only:
no table rewrite, no index rebuild."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0008_income_moves_to_analytics'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalincentivetier',
            name='bonus',
            field=models.DecimalField(decimal_places=2, max_digits=18, verbose_name='bonus (yuan)'),
        ),
        migrations.AlterField(
            model_name='historicalincentivetier',
            name='min_monthly_sales',
            field=models.DecimalField(db_index=True, decimal_places=2, max_digits=18, verbose_name='monthly assisted-purchase sales at least'),
        ),
        migrations.AlterField(
            model_name='incentivetier',
            name='bonus',
            field=models.DecimalField(decimal_places=2, max_digits=18, verbose_name='bonus (yuan)'),
        ),
        migrations.AlterField(
            model_name='incentivetier',
            name='min_monthly_sales',
            field=models.DecimalField(decimal_places=2, max_digits=18, unique=True, verbose_name='monthly assisted-purchase sales at least'),
        ),
    ]
