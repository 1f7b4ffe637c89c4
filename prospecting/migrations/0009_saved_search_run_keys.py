from django.db import migrations, models


class Migration(migrations.Migration):
    # On its own branch this follows 0008_list_page_indexes (two leaves would not migrate); the lead
    # renumbers both after 0006_leadiq_push at merge.
    dependencies = [
        ("prospecting", "0008_list_page_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="savedsearch",
            name="previous_result_keys",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
