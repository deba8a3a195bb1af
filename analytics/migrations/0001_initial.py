"""The nightly tables, moved here from counties and partners: the state only, the tables
already exist (each model keeps its db_table). Their content types follow, so permissions
granted on them stay granted."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


MOVED = {
    "counties": [
        "rollupdirtyday", "countyday", "countycategorychannelday", "villageday", "countybuyerday",
        "countycategorychannelmonth", "countybuyermonth", "promotioncountyday", "provinceday", "nationalday",
        "countysummary", "rolluprun",
    ],
    "partners": ["partnerdailyincome", "monthlystatement"],
}


def move_content_types(apps, schema_editor, *, forward=True):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, models in MOVED.items():
        source, target = (old_app, "analytics") if forward else ("analytics", old_app)
        ContentType.objects.filter(app_label=source, model__in=models).update(app_label=target)


def content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('counties', '0007_rollups_move_to_analytics'),
        ('orders', '0006_audit_history'),
        ('partners', '0008_income_moves_to_analytics'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table); only Django's model state moves.
            state_operations=[
                migrations.CreateModel(
                    name='NationalDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(unique=True)),
                        ('sales', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='sales')),
                        ('returns', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='returns')),
                        ('orders', models.IntegerField(default=0)),
                        ('buyers', models.IntegerField(default=0)),
                        ('active_partners', models.IntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'counties_nationalday',
                    },
                ),
                migrations.CreateModel(
                    name='RollupDirtyDay',
                    fields=[
                        ('day', models.DateField(primary_key=True, serialize=False)),
                        ('marked_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'verbose_name': 'day waiting for rollup',
                        'verbose_name_plural': 'days waiting for rollup',
                        'db_table': 'counties_rollupdirtyday',
                    },
                ),
                migrations.CreateModel(
                    name='CountySummary',
                    fields=[
                        ('county', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='summary', serialize=False, to='counties.county')),
                        ('as_of', models.DateField()),
                        ('trailing_12m_sales', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='trailing 12-month sales')),
                        ('prior_12m_sales', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='the 12 months before')),
                        ('year_to_date_sales', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='sales this year')),
                        ('is_billion_yuan', models.BooleanField(default=False)),
                        ('national_rank', models.IntegerField(null=True)),
                        ('provincial_rank', models.IntegerField(null=True)),
                    ],
                    options={
                        'db_table': 'counties_countysummary',
                        'indexes': [models.Index(fields=['-trailing_12m_sales'], name='county_summary_t12m_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='RollupRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('trigger', models.CharField(default='nightly', max_length=20)),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='running', max_length=10)),
                        ('days_done', models.IntegerField(default=0)),
                        ('first_day', models.DateField(blank=True, null=True)),
                        ('last_day', models.DateField(blank=True, null=True)),
                        ('rows_written', models.BigIntegerField(default=0)),
                        ('duration_seconds', models.FloatField(blank=True, null=True)),
                        ('error', models.TextField(blank=True)),
                    ],
                    options={
                        'db_table': 'counties_rolluprun',
                        'ordering': ['-started_at'],
                        'indexes': [models.Index(fields=['status', '-finished_at'], name='rollup_run_status_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='CountyBuyerDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('county', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='counties.county')),
                        ('partner', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner')),
                        ('villager', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.villager')),
                    ],
                    options={
                        'db_table': 'counties_countybuyerday',
                        'indexes': [models.Index(fields=['day'], name='county_buyer_day_day_idx')],
                        'constraints': [models.UniqueConstraint(fields=('county', 'day', 'villager'), name='county_buyer_day_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='CountyBuyerMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField()),
                        ('county', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='counties.county')),
                        ('villager', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.villager')),
                    ],
                    options={
                        'db_table': 'counties_countybuyermonth',
                        'indexes': [models.Index(fields=['month'], name='county_buyer_month_month_idx')],
                        'constraints': [models.UniqueConstraint(fields=('county', 'month', 'villager'), name='county_buyer_month_unique'), models.CheckConstraint(condition=models.Q(('month__day', 1)), name='county_buyer_month_first_day')],
                    },
                ),
                migrations.CreateModel(
                    name='CountyCategoryChannelDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('channel', models.CharField(max_length=25)),
                        ('sales', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='sales')),
                        ('returns', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='returns')),
                        ('commission', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='commission')),
                        ('orders', models.IntegerField(default=0)),
                        ('returned_orders', models.IntegerField(default=0)),
                        ('buyers', models.IntegerField(default=0)),
                        ('category', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.category')),
                        ('county', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='counties.county')),
                    ],
                    options={
                        'db_table': 'counties_countycategorychannelday',
                        'indexes': [models.Index(fields=['day'], name='county_cat_day_day_idx')],
                        'constraints': [models.UniqueConstraint(fields=('county', 'day', 'category', 'channel'), name='county_category_channel_day_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='CountyCategoryChannelMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField()),
                        ('channel', models.CharField(max_length=25)),
                        ('sales', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='sales')),
                        ('returns', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='returns')),
                        ('commission', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='commission')),
                        ('orders', models.IntegerField(default=0)),
                        ('returned_orders', models.IntegerField(default=0)),
                        ('category', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.category')),
                        ('county', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='counties.county')),
                    ],
                    options={
                        'db_table': 'counties_countycategorychannelmonth',
                        'indexes': [models.Index(fields=['month'], name='county_cat_month_month_idx')],
                        'constraints': [models.UniqueConstraint(fields=('county', 'month', 'category', 'channel'), name='county_category_channel_month_unique'), models.CheckConstraint(condition=models.Q(('month__day', 1)), name='county_category_month_first_day')],
                    },
                ),
                migrations.CreateModel(
                    name='CountyDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('sales', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='sales')),
                        ('returns', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='returns')),
                        ('commission', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='commission')),
                        ('orders', models.IntegerField(default=0)),
                        ('returned_orders', models.IntegerField(default=0)),
                        ('buyers', models.IntegerField(default=0)),
                        ('active_partners', models.IntegerField(default=0)),
                        ('county', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='counties.county')),
                    ],
                    options={
                        'db_table': 'counties_countyday',
                        'indexes': [models.Index(fields=['day'], name='county_day_day_idx')],
                        'constraints': [models.UniqueConstraint(fields=('county', 'day'), name='county_day_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='MonthlyStatement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='The first day of the month.')),
                        ('orders', models.IntegerField(default=0)),
                        ('sales', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('assisted_sales', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('commission', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('incentive', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('reversals', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('total', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('closed', 'Closed')], default='open', max_length=6)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('computed_at', models.DateTimeField(blank=True, null=True)),
                        ('incentive_tier', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='partners.incentivetier')),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statements', to='partners.partner')),
                    ],
                    options={
                        'db_table': 'partners_monthlystatement',
                        'ordering': ['partner', '-month'],
                        'constraints': [models.UniqueConstraint(fields=('partner', 'month'), name='monthly_statement_unique'), models.CheckConstraint(condition=models.Q(('month__day', 1)), name='monthly_statement_month_is_first_day'), models.CheckConstraint(condition=models.Q(('status', 'open'), ('closed_at__isnull', False), _connector='OR'), name='closed_statement_has_closed_at')],
                    },
                ),
                migrations.CreateModel(
                    name='PartnerDailyIncome',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('orders', models.IntegerField(default=0)),
                        ('returned_orders', models.IntegerField(default=0)),
                        ('sales', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('returned_sales', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('assisted_sales', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('commission', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('reversals', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        ('partner', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='daily_income', to='partners.partner')),
                    ],
                    options={
                        'db_table': 'partners_partnerdailyincome',
                        'ordering': ['partner', 'day'],
                        'indexes': [models.Index(fields=['day'], name='partner_daily_income_day_idx')],
                        'constraints': [models.UniqueConstraint(fields=('partner', 'day'), name='partner_daily_income_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='PromotionCountyDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('sales', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='sales')),
                        ('returns', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='returns')),
                        ('orders', models.IntegerField(default=0)),
                        ('buyers', models.IntegerField(default=0)),
                        ('county', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='counties.county')),
                        ('promotion', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.promotion')),
                    ],
                    options={
                        'db_table': 'counties_promotioncountyday',
                        'indexes': [models.Index(fields=['county', 'day'], name='promotion_day_county_idx'), models.Index(fields=['day'], name='promotion_day_day_idx')],
                        'constraints': [models.UniqueConstraint(fields=('promotion', 'county', 'day'), name='promotion_county_day_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='ProvinceDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('sales', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='sales')),
                        ('returns', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='returns')),
                        ('orders', models.IntegerField(default=0)),
                        ('buyers', models.IntegerField(default=0)),
                        ('active_partners', models.IntegerField(default=0)),
                        ('province', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='counties.province')),
                    ],
                    options={
                        'db_table': 'counties_provinceday',
                        'indexes': [models.Index(fields=['day'], name='province_day_day_idx')],
                        'constraints': [models.UniqueConstraint(fields=('province', 'day'), name='province_day_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='VillageDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('sales', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='sales')),
                        ('returns', models.DecimalField(decimal_places=2, default=0, max_digits=18, verbose_name='returns')),
                        ('orders', models.IntegerField(default=0)),
                        ('buyers', models.IntegerField(default=0)),
                        ('county', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='counties.county')),
                        ('village', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='counties.village')),
                    ],
                    options={
                        'db_table': 'counties_villageday',
                        'indexes': [models.Index(fields=['county', 'day'], name='village_day_county_idx'), models.Index(fields=['day'], name='village_day_day_idx')],
                        'constraints': [models.UniqueConstraint(fields=('village', 'day'), name='village_day_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, content_types_back),
    ]
