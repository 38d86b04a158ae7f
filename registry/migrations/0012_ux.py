# The UX work stream: where the marks go on each page of a rendition, found once and stored with it.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0011_production")]

    operations = [
        migrations.AddField(
            model_name="document",
            name="stamp_layout",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
    ]
