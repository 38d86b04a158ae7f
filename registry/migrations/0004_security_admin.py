# Reserved for the SEC-A work stream (one migration file per stream keeps parallel work linear).
# Add this stream's schema operations here; regenerate nothing else.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_append_only_log")]

    operations = []
