"""The rollup models move to the analytics app (analytics 0001), keeping their tables."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('counties', '0006_month_rollups'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table); only Django's model state moves.
            state_operations=[
                migrations.RemoveField(
                    model_name='countybuyerday',
                    name='county',
                ),
                migrations.RemoveField(
                    model_name='countybuyerday',
                    name='partner',
                ),
                migrations.RemoveField(
                    model_name='countybuyerday',
                    name='villager',
                ),
                migrations.RemoveField(
                    model_name='countybuyermonth',
                    name='county',
                ),
                migrations.RemoveField(
                    model_name='countybuyermonth',
                    name='villager',
                ),
                migrations.RemoveField(
                    model_name='countycategorychannelday',
                    name='category',
                ),
                migrations.RemoveField(
                    model_name='countycategorychannelday',
                    name='county',
                ),
                migrations.RemoveField(
                    model_name='countycategorychannelmonth',
                    name='category',
                ),
                migrations.RemoveField(
                    model_name='countycategorychannelmonth',
                    name='county',
                ),
                migrations.RemoveField(
                    model_name='countyday',
                    name='county',
                ),
                migrations.RemoveField(
                    model_name='countysummary',
                    name='county',
                ),
                migrations.DeleteModel(
                    name='NationalDay',
                ),
                migrations.RemoveField(
                    model_name='promotioncountyday',
                    name='county',
                ),
                migrations.RemoveField(
                    model_name='promotioncountyday',
                    name='promotion',
                ),
                migrations.RemoveField(
                    model_name='provinceday',
                    name='province',
                ),
                migrations.DeleteModel(
                    name='RollupDirtyDay',
                ),
                migrations.DeleteModel(
                    name='RollupRun',
                ),
                migrations.RemoveField(
                    model_name='villageday',
                    name='county',
                ),
                migrations.RemoveField(
                    model_name='villageday',
                    name='village',
                ),
                migrations.DeleteModel(
                    name='CountyBuyerDay',
                ),
                migrations.DeleteModel(
                    name='CountyBuyerMonth',
                ),
                migrations.DeleteModel(
                    name='CountyCategoryChannelDay',
                ),
                migrations.DeleteModel(
                    name='CountyCategoryChannelMonth',
                ),
                migrations.DeleteModel(
                    name='CountyDay',
                ),
                migrations.DeleteModel(
                    name='CountySummary',
                ),
                migrations.DeleteModel(
                    name='PromotionCountyDay',
                ),
                migrations.DeleteModel(
                    name='ProvinceDay',
                ),
                migrations.DeleteModel(
                    name='VillageDay',
                ),
            ],
            database_operations=[],
        ),
    ]
