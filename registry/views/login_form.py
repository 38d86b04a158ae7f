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

    def get_invalid_login_error(self):
        # One message for every refusal (wrong password, unknown name, locked name): it tells nobody which
        # it was, and it tells the person who typed the right password why it is refused for a while.
        from django.conf import settings
        from django.core.exceptions import ValidationError

        return ValidationError(
            _("Tên đăng nhập hoặc mật khẩu không đúng. Sau %(limit)s lần sai liên tiếp, tài khoản bị tạm khóa "
              "%(minutes)s phút."),
            code="invalid_login",
            params={"limit": settings.REGISTRY_LOGIN_MAX_FAILURES, "minutes": settings.REGISTRY_LOGIN_LOCKOUT_MINUTES},
        )
