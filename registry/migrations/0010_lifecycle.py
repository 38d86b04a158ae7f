# LIFECYCLE: approval authority as data, copies one by one, meetings, tasks, and what destruction purges.
from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


def copies_from_legacy_records(apps, schema_editor):
    """Copy records of the first round were one row per batch: give each copy its own row, and move each
    document's copy sequence past every number already used, so that no number is issued twice."""
    CopyRecord = apps.get_model("registry", "CopyRecord")
    Copy = apps.get_model("registry", "Copy")
    NumberSequence = apps.get_model("registry", "NumberSequence")
    last = {}
    for rec in CopyRecord.objects.order_by("pk"):
        for number in range(rec.first_copy_number, rec.first_copy_number + rec.quantity):
            if not Copy.objects.filter(document_id=rec.document_id, number=number).exists():
                Copy.objects.create(document_id=rec.document_id, number=number, copy_record_id=rec.pk,
                                    holder_name=(rec.recipients or "")[:255], made_on=rec.made_on,
                                    state_on=rec.made_on)
            last[rec.document_id] = max(last.get(rec.document_id, 0), number)
    for document_id, number in last.items():
        seq, _created = NumberSequence.objects.get_or_create(key=f"copy:{document_id}")
        if seq.next_value <= number:
            seq.next_value = number + 1
            seq.save(update_fields=["next_value"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_intake_form")]

    operations = [        migrations.AddField(
            model_name='destruction',
            name='items',
            field=models.TextField(blank=True, verbose_name='danh mục tài liệu tiêu hủy'),
        ),
        migrations.AddField(
            model_name='destruction',
            name='purged_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='handover',
            name='acknowledged_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='thời điểm ký nhận'),
        ),
        migrations.AddField(
            model_name='levelchange',
            name='automatic',
            field=models.BooleanField(default=False, verbose_name='tự động khi hết thời hạn'),
        ),
        migrations.AddField(
            model_name='levelchange',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, null=True),
        ),
        migrations.AddField(
            model_name='levelchange',
            name='from_expiry',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='levelchange',
            name='summary_cleared',
            field=models.BooleanField(default=False, verbose_name='đã xóa trích yếu'),
        ),
        migrations.AddField(
            model_name='levelchange',
            name='to_expiry',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='loan',
            name='missing_on',
            field=models.DateField(blank=True, null=True, verbose_name='ngày xác định chưa nộp lại'),
        ),
        migrations.AddField(
            model_name='loan',
            name='recall',
            field=models.BooleanField(default=False, verbose_name='phải thu hồi'),
        ),
        migrations.CreateModel(
            name='Approval',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('act', models.CharField(choices=[('copy', 'Sao, chụp'), ('hand_over', 'Chuyển giao'), ('loan', 'Cho mượn'), ('meeting', 'Sử dụng trong cuộc họp'), ('level_change', 'Điều chỉnh độ mật'), ('extension', 'Gia hạn thời hạn bảo vệ'), ('declassification', 'Giải mật'), ('destruction', 'Tiêu hủy'), ('need_to_know_grant', 'Cấp quyền tiếp cận Tuyệt mật')], max_length=32, verbose_name='việc')),
                ('level', models.CharField(choices=[('thuong', 'Thường'), ('mat', 'Mật'), ('toi_mat', 'Tối mật'), ('tuyet_mat', 'Tuyệt mật')], max_length=16, verbose_name='độ mật')),
                ('approved_on', models.DateField(verbose_name='ngày phê duyệt')),
                ('decision_ref', models.CharField(blank=True, max_length=128, verbose_name='số văn bản/quyết định')),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('approver', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='approvals_given', to=settings.AUTH_USER_MODEL, verbose_name='người phê duyệt')),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='approvals', to='registry.document')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'phê duyệt',
                'verbose_name_plural': 'phê duyệt',
                'ordering': ['-recorded_at'],
            },
        ),
        migrations.AddField(
            model_name='copyrecord',
            name='approval',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.approval'),
        ),
        migrations.AddField(
            model_name='destruction',
            name='approval',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.approval'),
        ),
        migrations.AddField(
            model_name='handover',
            name='approval',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.approval'),
        ),
        migrations.AddField(
            model_name='levelchange',
            name='approval',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.approval'),
        ),
        migrations.AddField(
            model_name='loan',
            name='approval',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.approval'),
        ),
        migrations.CreateModel(
            name='ApprovalAuthority',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('valid_from', models.DateField(verbose_name='hiệu lực từ')),
                ('valid_until', models.DateField(blank=True, null=True, verbose_name='hiệu lực đến')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('retired_at', models.DateTimeField(blank=True, null=True, verbose_name='thay thế lúc')),
                ('act', models.CharField(choices=[('copy', 'Sao, chụp'), ('hand_over', 'Chuyển giao'), ('loan', 'Cho mượn'), ('meeting', 'Sử dụng trong cuộc họp'), ('level_change', 'Điều chỉnh độ mật'), ('extension', 'Gia hạn thời hạn bảo vệ'), ('declassification', 'Giải mật'), ('destruction', 'Tiêu hủy'), ('need_to_know_grant', 'Cấp quyền tiếp cận Tuyệt mật')], max_length=32, verbose_name='việc được phê duyệt')),
                ('max_level', models.CharField(choices=[('thuong', 'Thường'), ('mat', 'Mật'), ('toi_mat', 'Tối mật'), ('tuyet_mat', 'Tuyệt mật')], max_length=16, verbose_name='đến độ mật')),
                ('position', models.CharField(max_length=128, verbose_name='chức vụ')),
                ('basis', models.CharField(blank=True, max_length=255, verbose_name='căn cứ (quy chế)')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('previous', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='next_version', to='registry.approvalauthority')),
                ('unit', models.ForeignKey(blank=True, help_text='Để trống: chức vụ này ở mọi đơn vị.', null=True, on_delete=django.db.models.deletion.PROTECT, to='registry.unit', verbose_name='thuộc đơn vị')),
            ],
            options={
                'verbose_name': 'thẩm quyền phê duyệt',
                'verbose_name_plural': 'thẩm quyền phê duyệt',
                'ordering': ['act', 'position', '-valid_from'],
            },
        ),
        migrations.AddField(
            model_name='approval',
            name='authority',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.approvalauthority'),
        ),
        migrations.CreateModel(
            name='ApprovalPaper',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('decision', 'Quyết định'), ('council', 'Quyết định thành lập hội đồng'), ('items', 'Danh mục tài liệu'), ('minutes', 'Biên bản'), ('other', 'Khác')], default='decision', max_length=16)),
                ('file', models.FileField(max_length=255, upload_to='decisions')),
                ('original_filename', models.CharField(blank=True, max_length=255)),
                ('sha256', models.CharField(blank=True, max_length=64)),
                ('size', models.PositiveBigIntegerField(default=0)),
                ('approval', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='papers', to='registry.approval')),
            ],
            options={
                'verbose_name': 'văn bản kèm theo',
                'verbose_name_plural': 'văn bản kèm theo',
            },
        ),
        migrations.CreateModel(
            name='Copy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='bản số')),
                ('kind', models.CharField(choices=[('paper', 'Bản sao, chụp'), ('marked', 'Bản điện tử có dấu')], default='paper', max_length=8, verbose_name='loại')),
                ('copy_id', models.CharField(blank=True, max_length=32, verbose_name='mã bản sao')),
                ('holder_name', models.CharField(blank=True, max_length=255, verbose_name='người/nơi giữ')),
                ('state', models.CharField(choices=[('held', 'Đang giữ'), ('handed_over', 'Đã chuyển giao'), ('returned', 'Đã nộp lại'), ('spoiled', 'Hỏng'), ('destroyed', 'Đã tiêu hủy')], default='held', max_length=16, verbose_name='tình trạng')),
                ('state_on', models.DateField(blank=True, null=True, verbose_name='ngày')),
                ('state_note', models.TextField(blank=True, verbose_name='ghi chú')),
                ('made_on', models.DateField(verbose_name='ngày sao')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('copy_record', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='copies', to='registry.copyrecord')),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='copies', to='registry.document')),
                ('holder', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='copies_held', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'bản',
                'verbose_name_plural': 'các bản',
                'ordering': ['document_id', 'number'],
            },
        ),
        migrations.AddField(
            model_name='handover',
            name='copy',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='hand_overs', to='registry.copy'),
        ),
        migrations.AddField(
            model_name='loan',
            name='copy',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='loans', to='registry.copy'),
        ),
        migrations.CreateModel(
            name='Delegation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('valid_from', models.DateField(verbose_name='hiệu lực từ')),
                ('valid_until', models.DateField(blank=True, null=True, verbose_name='hiệu lực đến')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('retired_at', models.DateTimeField(blank=True, null=True, verbose_name='thay thế lúc')),
                ('acts', models.JSONField(default=list, verbose_name='phạm vi (các việc)')),
                ('max_level', models.CharField(choices=[('thuong', 'Thường'), ('mat', 'Mật'), ('toi_mat', 'Tối mật'), ('tuyet_mat', 'Tuyệt mật')], max_length=16, verbose_name='đến độ mật')),
                ('reference', models.CharField(max_length=128, verbose_name='số văn bản ủy quyền')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('delegate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='delegations_received', to=settings.AUTH_USER_MODEL, verbose_name='người được ủy quyền')),
                ('delegator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='delegations_given', to=settings.AUTH_USER_MODEL, verbose_name='người ủy quyền')),
                ('previous', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='next_version', to='registry.delegation')),
            ],
            options={
                'verbose_name': 'ủy quyền',
                'verbose_name_plural': 'ủy quyền',
                'ordering': ['-valid_from'],
            },
        ),
        migrations.AddField(
            model_name='approval',
            name='delegation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.delegation'),
        ),
        migrations.CreateModel(
            name='Meeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=255, verbose_name='cuộc họp')),
                ('session', models.CharField(blank=True, max_length=255, verbose_name='phiên họp')),
                ('starts_at', models.DateTimeField(verbose_name='bắt đầu')),
                ('ends_at', models.DateTimeField(verbose_name='kết thúc')),
                ('reconciled_at', models.DateTimeField(blank=True, null=True, verbose_name='đối chiếu lúc')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('delegates', models.ManyToManyField(blank=True, related_name='meetings', to=settings.AUTH_USER_MODEL, verbose_name='đại biểu')),
            ],
            options={
                'verbose_name': 'cuộc họp',
                'verbose_name_plural': 'cuộc họp',
                'ordering': ['-starts_at'],
            },
        ),
        migrations.AddField(
            model_name='loan',
            name='meeting',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='materials', to='registry.meeting'),
        ),
        migrations.CreateModel(
            name='PositionHolder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('valid_from', models.DateField(verbose_name='hiệu lực từ')),
                ('valid_until', models.DateField(blank=True, null=True, verbose_name='hiệu lực đến')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('retired_at', models.DateTimeField(blank=True, null=True, verbose_name='thay thế lúc')),
                ('position', models.CharField(max_length=128, verbose_name='chức vụ')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('previous', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='next_version', to='registry.positionholder')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='registry.unit', verbose_name='đơn vị')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='positions', to=settings.AUTH_USER_MODEL, verbose_name='người giữ chức vụ')),
            ],
            options={
                'verbose_name': 'chức vụ',
                'verbose_name_plural': 'chức vụ',
                'ordering': ['position', '-valid_from'],
            },
        ),
        migrations.CreateModel(
            name='Task',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=160, unique=True)),
                ('kind', models.CharField(choices=[('notice', 'Thông báo cho người giữ tài liệu'), ('extension_due', 'Xem xét gia hạn'), ('loan_reminder', 'Nhắc hạn trả'), ('loan_overdue', 'Quá hạn trả'), ('recall', 'Thu hồi tài liệu chưa nộp lại'), ('yearly_report', 'Báo cáo thống kê năm'), ('acknowledge', 'Ký nhận tài liệu được chuyển giao')], max_length=16, verbose_name='loại việc')),
                ('title', models.CharField(max_length=500, verbose_name='việc cần làm')),
                ('due_on', models.DateField(verbose_name='hạn')),
                ('created_on', models.DateField(verbose_name='ngày tạo')),
                ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='hoàn thành lúc')),
                ('details', models.JSONField(blank=True, default=dict)),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tasks', to=settings.AUTH_USER_MODEL)),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tasks', to='registry.document')),
            ],
            options={
                'verbose_name': 'việc cần làm',
                'verbose_name_plural': 'việc cần làm',
                'ordering': ['done_at', 'due_on', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='copy',
            constraint=models.UniqueConstraint(fields=('document', 'number'), name='uniq_copy_number'),
        ),
        migrations.AddIndex(
            model_name='task',
            index=models.Index(fields=['done_at', 'due_on'], name='registry_ta_done_at_5380b8_idx'),
        ),
    
        migrations.RunPython(copies_from_legacy_records, migrations.RunPython.noop),
    ]
