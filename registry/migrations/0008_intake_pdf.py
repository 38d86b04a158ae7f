# Reserved for the INTAKE-PDF work stream (one migration file per stream keeps parallel work linear).
# Add this stream's schema operations here; regenerate nothing else.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_audit")]

    operations = []
