import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0016_order_placed_by")]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="placed_by",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="placed_orders",
                to="partners.partner",
                verbose_name="placed by",
            ),
        ),
        migrations.RemoveIndex(model_name="order", name="order_partner_paid_idx"),
        migrations.RemoveIndex(model_name="order", name="order_partner_returned_idx"),
        migrations.RemoveIndex(model_name="order", name="order_partner_cancelled_idx"),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["placed_by", "paid_at"], name="order_placed_by_paid_idx"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("returned_at__isnull", False)),
                fields=["placed_by", "returned_at"],
                name="order_placed_by_returned_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("cancelled_at__isnull", False)),
                fields=["placed_by", "cancelled_at"],
                name="order_placed_by_cancelled_idx",
            ),
        ),
    ]
