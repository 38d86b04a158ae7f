"""Vietnamese for the parts of Wagtail's admin that the registry shows (Wagtail's own vi catalogue covers
about 130 of its ~2,000 strings, and gets some wrong). Run this file to regenerate LC_MESSAGES/django.po and
.mo after adding a string: ``.venv/bin/python registry/locale/vi/wagtail_overrides.py``.

The registry's own strings are written in Vietnamese in the code; this catalogue only translates Wagtail's.
Wagtail is never named to the user: the product is the office's registry.
"""

OVERRIDES = {
    # Sign-in, sign-out, passwords
    "Sign in": "Đăng nhập",
    "Sign in to Wagtail": "Đăng nhập sổ đăng ký tài liệu mật",
    "Signing in…": "Đang đăng nhập…",
    "Log in": "Đăng nhập",
    "Login": "Đăng nhập",
    "Log out": "Đăng xuất",
    "Password": "Mật khẩu",
    "Enter password": "Nhập mật khẩu",
    "Enter your %(username_field_name)s": "Nhập tên đăng nhập",
    "Your %(username_field)s and password didn't match. Please try again.":
        "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng thử lại.",
    "Your username and password didn't match. Please try again.":
        "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng thử lại.",
    "Forgotten password?": "Quên mật khẩu? Liên hệ quản trị viên.",
    "Remember me": "Ghi nhớ đăng nhập",
    "You have been successfully logged out.": "Bạn đã đăng xuất.",
    "Password required": "Cần nhập mật khẩu",
    "Continue": "Tiếp tục",
    "Reset password": "Đặt lại mật khẩu",
    "Password reset": "Đặt lại mật khẩu",
    "Reset your password": "Đặt lại mật khẩu",
    "Set your new password": "Đặt mật khẩu mới",
    "Change password": "Đổi mật khẩu",
    "Password change successful": "Đã đổi mật khẩu",
    "Your password has been changed successfully!": "Đã đổi mật khẩu.",
    "Old password": "Mật khẩu cũ",
    "New password": "Mật khẩu mới",
    "New password confirmation": "Nhập lại mật khẩu mới",
    "Password confirmation": "Nhập lại mật khẩu",
    # The frame of every page
    "Skip to main content": "Chuyển đến nội dung chính",
    "Dashboard": "Trang chủ",
    "Home": "Trang chủ",
    "Sidebar": "Thanh bên",
    "Toggle sidebar": "Thu/mở thanh bên",
    "Main menu": "Trình đơn chính",
    "Account": "Tài khoản",
    "account": "tài khoản",
    "Site summary": "Tóm tắt",
    "Search": "Tìm kiếm",
    "Search…": "Tìm kiếm…",
    "Search term": "Từ khóa",
    "Breadcrumb": "Đường dẫn",
    "Toggle breadcrumbs": "Thu/mở đường dẫn",
    "Close": "Đóng",
    "Close dialog": "Đóng hộp thoại",
    "Loading": "Đang tải",
    "Refreshing…": "Đang làm mới…",
    "Refresh": "Làm mới",
    "Saving…": "Đang lưu…",
    "Creating…": "Đang tạo…",
    "A network error occurred": "Lỗi kết nối mạng",
    "Keyboard shortcuts": "Phím tắt",
    "All keyboard shortcuts": "Tất cả phím tắt",
    "Section": "Mục",
    "Keyboard shortcut": "Phím tắt",
    "Go to the first error": "Đến lỗi đầu tiên",
    "There are validation errors, click save to highlight them.": "Có lỗi trong biểu mẫu; bấm Lưu để xem các chỗ cần sửa.",
    # Account page
    "Profile": "Hồ sơ cá nhân",
    "Name and Email": "Họ tên và thư điện tử",
    "First Name": "Tên",
    "Last Name": "Họ và tên đệm",
    "Email": "Thư điện tử",
    "Profile picture": "Ảnh đại diện",
    "Upload a profile picture": "Tải ảnh đại diện",
    "Upload a profile picture:": "Tải ảnh đại diện:",
    "Default avatar": "Ảnh mặc định",
    "Edit account avatar": "Sửa ảnh đại diện",
    "Theme preferences": "Giao diện",
    "Notifications": "Thông báo",
    "Language": "Ngôn ngữ",
    "Preferred language": "Ngôn ngữ",
    "Use server language: %(language_name)s": "Theo máy chủ: %(language_name)s",
    "Current time zone": "Múi giờ",
    "Use server time zone": "Theo máy chủ",
    "Your account settings have been changed successfully!": "Đã lưu thiết lập tài khoản.",
    "Admin interface": "Giao diện quản trị",
    "Theme": "Giao diện",
    "System default": "Theo hệ điều hành",
    "Light": "Sáng",
    "Dark": "Tối",
    "Contrast": "Độ tương phản",
    "More contrast": "Tương phản cao",
    "Density": "Mật độ hiển thị",
    "Default": "Mặc định",
    "Snug": "Gọn",
    "Keyboard shortcuts are currently enabled; manage your %(account_link)s to disable them.":
        "Phím tắt đang bật; có thể tắt trong %(account_link)s.",
    "Keyboard shortcuts are currently disabled; manage your %(account_link)s to enable them.":
        "Phím tắt đang tắt; có thể bật trong %(account_link)s.",
    "Enable keyboard shortcuts": "Bật phím tắt",
    # Lists, tables, filters, pagination
    "Pagination": "Phân trang",
    "Previous": "Trang trước",
    "Next": "Trang sau",
    "Page %(page_number)s of %(total_pages)s.": "Trang %(page_number)s/%(total_pages)s.",
    "Page %(page_number)s of %(total_pages)s": "Trang %(page_number)s/%(total_pages)s",
    "Item %(index)s of %(total)s": "Mục %(index)s/%(total)s",
    "Filter": "Lọc",
    "Filters": "Bộ lọc",
    "Apply filters": "Áp dụng bộ lọc",
    "Show filters": "Hiện bộ lọc",
    "Filter by": "Lọc theo",
    "Clear all": "Bỏ tất cả",
    "All": "Tất cả",
    "Any": "Bất kỳ",
    "any": "bất kỳ",
    "Yes": "Có",
    "No": "Không",
    "None": "Không có",
    "(blank)": "(trống)",
    "Date from": "Từ ngày",
    "Date to": "Đến ngày",
    "Sort": "Sắp xếp",
    "Sort by '%(label)s' in ascending order.": "Sắp xếp theo «%(label)s» tăng dần.",
    "Sort by '%(label)s' in descending order.": "Sắp xếp theo «%(label)s» giảm dần.",
    "Name": "Tên",
    "Title": "Tiêu đề",
    "Type": "Loại",
    "Status": "Trạng thái",
    "Date": "Ngày",
    "Updated": "Cập nhật",
    "Date updated": "Ngày cập nhật",
    "Action": "Thao tác",
    "Actions": "Thao tác",
    "More actions": "Thao tác khác",
    "More options for '%(title)s'": "Thao tác khác cho «%(title)s»",
    "User": "Người dùng",
    "Users": "Người dùng",
    "Roles": "Vai trò",
    "Active": "Đang hoạt động",
    "Inactive": "Ngừng hoạt động",
    "Select": "Chọn",
    "Select all": "Chọn tất cả",
    "There are no results.": "Không có kết quả.",
    "No results": "Không có kết quả",
    "No %(model_name)s match your query.": "Không có %(model_name)s nào khớp.",
    "There are no %(model_name)s to display.": "Chưa có %(model_name)s nào.",
    "Sorry, no users match your query": "Không có người dùng nào khớp.",
    "Back": "Quay lại",
    "History": "Lịch sử",
    "Inspect": "Xem chi tiết",
    "Usage": "Nơi sử dụng",
    # Create, edit, delete
    "Add": "Thêm",
    "Edit": "Sửa",
    "Delete": "Xóa",
    "Save": "Lưu",
    "Create": "Tạo",
    "Update": "Cập nhật",
    "New": "Mới",
    "Editing": "Đang sửa",
    "Cancel": "Hủy bỏ",
    "Choose": "Chọn",
    "Add %(model_name)s": "Thêm %(model_name)s",
    "New: %(model_name)s": "Thêm mới: %(model_name)s",
    "Edit this item": "Sửa mục này",
    "Delete %(title)s": "Xóa %(title)s",
    "Yes, delete": "Đồng ý xóa",
    "Yes, delete it": "Đồng ý xóa",
    "No, don't delete": "Không xóa",
    "No, don't delete it": "Không xóa",
    "Are you sure you want to delete this %(model_name)s?": "Xóa %(model_name)s này?",
    "%(model_name)s '%(object)s' created.": "Đã tạo %(model_name)s «%(object)s».",
    "%(model_name)s '%(object)s' updated.": "Đã cập nhật %(model_name)s «%(object)s».",
    "%(model_name)s '%(object)s' deleted.": "Đã xóa %(model_name)s «%(object)s».",
    "The %(model_name)s could not be created due to errors.": "Chưa tạo được %(model_name)s: biểu mẫu có lỗi.",
    "The %(model_name)s could not be saved due to errors.": "Chưa lưu được %(model_name)s: biểu mẫu có lỗi.",
    "Parent": "Thuộc",
    "This field is required.": "Trường này là bắt buộc.",
    # Error pages
    "Error 404: Page not found": "Lỗi 404: không tìm thấy trang",
    "Error 404": "Lỗi 404",
    "The requested page could not be found.": "Không tìm thấy trang được yêu cầu.",
    "Go to Wagtail admin": "Về trang chủ sổ đăng ký",
    "Sorry, you do not have permission to access this area.": "Bạn không có quyền truy cập khu vực này.",
    "You do not have permission to access the admin.": "Bạn không có quyền truy cập trang quản trị.",
    "Wagtail admin": "Sổ đăng ký tài liệu mật",
    # API tokens (account screens)
    "API token": "Mã truy cập API",
    "Copied to clipboard": "Đã sao chép",
    "Revoked": "Đã thu hồi",
}

PLURALS = {
    ("There is %(counter)s match", "There are %(counter)s matches"): "Có %(counter)s kết quả",
}


def write():
    from pathlib import Path
    import subprocess

    import polib

    here = Path(__file__).resolve().parent / "LC_MESSAGES"
    po = polib.POFile()
    po.metadata = {
        "Project-Id-Version": "congress-registry",
        "Language": "vi",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    for msgid, msgstr in OVERRIDES.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    for (singular, plural), msgstr in PLURALS.items():
        po.append(polib.POEntry(msgid=singular, msgid_plural=plural, msgstr_plural={0: msgstr}))
    po.save(str(here / "django.po"))
    subprocess.run(["msgfmt", "--check-format", "-o", str(here / "django.mo"), str(here / "django.po")], check=True)


if __name__ == "__main__":
    write()
