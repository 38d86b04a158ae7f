"""The sign-in form in Vietnamese: Wagtail's form leaves the password label to Django's untranslatable
field-name default ("Password"), and its username placeholder glues the field name into a sentence."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class RegistryLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["username"].widget.attrs["placeholder"] = _("Nhập tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.fields["password"].widget.attrs["placeholder"] = _("Nhập mật khẩu")
        self.fields["remember"].label = _("Ghi nhớ đăng nhập")
