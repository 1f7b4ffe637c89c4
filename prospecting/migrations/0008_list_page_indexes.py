from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prospecting", "0007_import_jobs"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="listentry",
            index=models.Index(fields=["prospect_list", "-added_at", "-id"], name="list_entry_newest"),
        ),
    ]
