# INTAKE-FORM work stream: Thông tư's code reads as Thông tư ("TTg" → "TTư"), and the folded text the
# register list's "number or title" filter matches on (Document.match_text).
from django.db import migrations, models

OLD_CODE, NEW_CODE = "TTg", "TTư"

DOCUMENT_TYPES = [
    ("NQ", "Nghị quyết"), ("QĐ", "Quyết định"), ("QĐi", "Quy định"), ("CT", "Chỉ thị"), ("KL", "Kết luận"),
    ("QC", "Quy chế"), ("TT", "Thông tri"), ("HD", "Hướng dẫn"), ("BC", "Báo cáo"), ("KH", "Kế hoạch"),
    ("CTr", "Chương trình"), ("TB", "Thông báo"), ("TTr", "Tờ trình"), ("CV", "Công văn"), ("BB", "Biên bản"),
    ("ĐA", "Đề án"), ("NĐ", "Nghị định"), ("TTư", "Thông tư"), ("L", "Luật"), ("K", "Khác"),
]


def _rewrite(apps, old, new):
    from registry.models.documents import document_match_text

    from django.utils import timezone

    Document = apps.get_model("registry", "Document")
    # A newer updated_at marks the moved rows stale for the search index: `registry search reconcile` fixes them.
    Document.objects.filter(doc_type=old).update(doc_type=new, updated_at=timezone.now())
    # Every row gets its match text (the model's save() keeps it current from now on).
    for doc in Document.objects.only("pk", "number_raw", "doc_type", "title", "summary").iterator(chunk_size=500):
        text = document_match_text(doc.number_raw, doc.doc_type, doc.title, doc.summary)
        Document.objects.filter(pk=doc.pk).update(match_text=text)


def forwards(apps, schema_editor):
    _rewrite(apps, OLD_CODE, NEW_CODE)


def backwards(apps, schema_editor):
    from django.utils import timezone

    Document = apps.get_model("registry", "Document")
    Document.objects.filter(doc_type=NEW_CODE).update(doc_type=OLD_CODE, updated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_intake_pdf")]

    operations = [
        migrations.AddField(
            model_name="document",
            name="match_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AlterField(
            model_name="document",
            name="doc_type",
            field=models.CharField(choices=DOCUMENT_TYPES, max_length=8, verbose_name="tên loại"),
        ),
        migrations.AlterField(
            model_name="document",
            name="number_value",
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
