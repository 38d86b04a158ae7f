# The UX work stream: where the marks go on each page of a rendition, found once and stored with it;
# and the access log's action choices as the streams of this round left them (choices only, no schema change).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0011_production")]

    operations = [
        migrations.AddField(
            model_name="document",
            name="stamp_layout",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='accesslogentry',
            name='action',
            field=models.CharField(choices=[('view', 'Xem hồ sơ'), ('download', 'Tải bản sao có dấu'), ('preview', 'Xem trước'), ('print', 'In'), ('export', 'Xuất dữ liệu'), ('copy', 'Sao, chụp'), ('hand_over', 'Chuyển giao'), ('loan', 'Cho mượn'), ('return', 'Trả lại'), ('register', 'Đăng ký'), ('edit', 'Sửa'), ('void', 'Hủy số'), ('level_change', 'Điều chỉnh độ mật'), ('declassify', 'Giải mật'), ('destroy', 'Tiêu hủy'), ('search', 'Tìm kiếm'), ('list', 'Xem danh sách'), ('book_print', 'In sổ đăng ký'), ('grant', 'Cấp quyền tiếp cận'), ('user_admin', 'Quản lý người dùng'), ('login', 'Đăng nhập'), ('login_failed', 'Đăng nhập thất bại'), ('audit_view', 'Xem nhật ký'), ('audit_export', 'Xuất nhật ký'), ('audit_verify', 'Kiểm tra toàn vẹn nhật ký'), ('audit_checkpoint', 'Ký điểm kiểm tra'), ('trace', 'Truy vết bản sao'), ('fixity', 'Kiểm tra toàn vẹn tệp lưu trữ'), ('backup', 'Sao lưu'), ('restore', 'Khôi phục từ bản sao lưu'), ('key_rotate', 'Đổi khóa mã hóa'), ('task_failed', 'Tác vụ nền thất bại')], editable=False, max_length=32),
        ),
    ]
