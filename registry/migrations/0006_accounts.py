# SEC-C (issue #8, accounts): lockout moves to django-axes, TOTP to django-otp devices, API tokens are hashed.
#
# - Each User.totp_secret (base32) becomes a confirmed TOTPDevice with the same key, so nobody re-enrols.
# - Plain API tokens of rest_framework.authtoken are voided: their secrets sat readable in the database, so
#   they are treated as disclosed. People issue new ones (stored as SHA-256 only, with an expiry).
# - The lockout counters on User go: django-axes counts failures in its own table.
import base64
import binascii

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def totp_secrets_to_devices(apps, schema_editor):
    User = apps.get_model("registry", "User")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for user in User.objects.exclude(totp_secret="").only("pk", "totp_secret"):
        secret = user.totp_secret.strip().replace(" ", "").upper()
        try:
            key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
        except (binascii.Error, ValueError):
            continue  # unreadable secret: the person enrols again
        if not TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
            TOTPDevice.objects.create(user_id=user.pk, name="TOTP", key=key, confirmed=True, tolerance=1)


def void_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_security_guard"),
        ("otp_totp", "0003_add_timestamps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(totp_secrets_to_devices, migrations.RunPython.noop),
        migrations.RunPython(void_plain_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="user", name="failed_logins"),
        migrations.RemoveField(model_name="user", name="locked_until"),
        migrations.RemoveField(model_name="user", name="totp_secret"),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("prefix", models.CharField(editable=False, max_length=16, verbose_name="đầu mã")),
                ("created_at", models.DateTimeField(editable=False, verbose_name="ngày cấp")),
                ("expires_at", models.DateTimeField(editable=False, verbose_name="hết hạn")),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="thu hồi lúc")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="registry_api_tokens", to=settings.AUTH_USER_MODEL,
                                           verbose_name="người dùng")),
            ],
            options={"verbose_name": "token API", "verbose_name_plural": "token API"},
        ),
    ]
