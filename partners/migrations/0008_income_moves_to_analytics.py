"""Daily income and monthly statements move to the analytics app (analytics 0001), keeping their tables."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0007_rollup_rows_without_fk_checks'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table); only Django's model state moves.
            state_operations=[
                migrations.RemoveField(
                    model_name='partnerdailyincome',
                    name='partner',
                ),
                migrations.DeleteModel(
                    name='MonthlyStatement',
                ),
                migrations.DeleteModel(
                    name='PartnerDailyIncome',
                ),
            ],
            database_operations=[],
        ),
    ]
