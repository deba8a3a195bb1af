"""One money precision for the project (rural_taobao.money: 18 digits, 2 decimals).

On PostgreSQL widening numeric(16,2) to numeric(18,2) changes the column type only:
no table rewrite, no index rebuild."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='monthlystatement',
            name='assisted_sales',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AlterField(
            model_name='monthlystatement',
            name='commission',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AlterField(
            model_name='monthlystatement',
            name='incentive',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AlterField(
            model_name='monthlystatement',
            name='reversals',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AlterField(
            model_name='monthlystatement',
            name='sales',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AlterField(
            model_name='monthlystatement',
            name='total',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AlterField(
            model_name='partnerdailyincome',
            name='assisted_sales',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AlterField(
            model_name='partnerdailyincome',
            name='commission',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AlterField(
            model_name='partnerdailyincome',
            name='returned_sales',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AlterField(
            model_name='partnerdailyincome',
            name='reversals',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
        migrations.AlterField(
            model_name='partnerdailyincome',
            name='sales',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=18),
        ),
    ]
