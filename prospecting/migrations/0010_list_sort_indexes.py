from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prospecting", "0009_saved_search_run_keys"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["team", "company_name", "full_name", "id"], name="person_company_sort"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["team", "title", "full_name", "id"], name="person_title_sort"),
        ),
    ]
