# INTAKE-PDF work stream: what a reader repaired, the sender's PDF restrictions, the OCR state of a document.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_audit")]

    operations = [
        migrations.AddField(
            model_name="document",
            name="repair_warnings",
            field=models.JSONField(blank=True, default=list, editable=False, verbose_name="sửa lỗi khi đọc tệp"),
        ),
        migrations.AddField(
            model_name="document",
            name="pdf_restrictions",
            field=models.CharField(blank=True, editable=False, max_length=500, verbose_name="hạn chế của tệp PDF"),
        ),
        migrations.AddField(
            model_name="document",
            name="ocr_status",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=16, verbose_name="nhận dạng chữ (OCR)",
                choices=[("", "không cần"), ("pending", "chưa nhận dạng chữ (OCR)"), ("done", "đã nhận dạng chữ (OCR)"),
                         ("failed", "nhận dạng chữ (OCR) không thành công")],
            ),
        ),
    ]
