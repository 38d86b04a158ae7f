from django.db import migrations

from registry.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    """The access log and its checkpoints are append-only at the database level (SQLite and PostgreSQL)."""

    dependencies = [("registry", "0002_registry_core")]

    operations = [migrations.RunPython(install, uninstall)]
