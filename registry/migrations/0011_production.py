# Reserved for the PROD work stream: data keys (encryption at rest), background task runs, fixity runs.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0010_lifecycle")]

    operations = [
        migrations.CreateModel(
            name='FixityRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField()),
                ('finished_at', models.DateTimeField()),
                ('sample', models.PositiveIntegerField(blank=True, null=True)),
                ('checked', models.PositiveIntegerField(default=0)),
                ('ok', models.PositiveIntegerField(default=0)),
                ('problems', models.JSONField(blank=True, default=list)),
            ],
            options={
                'verbose_name': 'lần kiểm tra toàn vẹn tệp',
                'verbose_name_plural': 'lần kiểm tra toàn vẹn tệp',
                'ordering': ['-finished_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='TaskRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(db_index=True, max_length=100, verbose_name='tác vụ')),
                ('args', models.JSONField(blank=True, default=dict)),
                ('state', models.CharField(choices=[('queued', 'Đang chờ'), ('running', 'Đang chạy'), ('retrying', 'Chờ chạy lại'), ('done', 'Xong'), ('failed', 'Thất bại')], db_index=True, default='queued', max_length=16, verbose_name='trạng thái')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='số lần chạy')),
                ('max_attempts', models.PositiveIntegerField(default=4)),
                ('progress_done', models.PositiveIntegerField(default=0)),
                ('progress_total', models.PositiveIntegerField(default=0)),
                ('error', models.TextField(blank=True, verbose_name='lỗi')),
                ('result', models.JSONField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'tác vụ nền',
                'verbose_name_plural': 'tác vụ nền',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='DataKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ref', models.CharField(max_length=100, unique=True)),
                ('wrapped', models.BinaryField()),
                ('kek_id', models.CharField(db_index=True, max_length=32)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('rewrapped_at', models.DateTimeField(blank=True, null=True)),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.document')),
            ],
            options={
                'verbose_name': 'khóa dữ liệu',
                'verbose_name_plural': 'khóa dữ liệu',
            },
        ),
    ]
