from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prospecting", "0006_leadiq_push"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="listentry",
            index=models.Index(fields=["prospect_list", "-added_at", "-id"], name="list_entry_newest"),
        ),
    ]
