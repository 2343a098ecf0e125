from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"),
        "inactive": _("บัญชีนี้ถูกระงับการใช้งาน"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("ชื่อผู้ใช้")
        self.fields["password"].label = _("รหัสผ่าน")


class TokenForm(forms.Form):
    name = forms.CharField(label=_("ชื่อโทเคน (ใช้ทำอะไร)"), max_length=100)


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("รหัสยืนยัน"),
        max_length=20,
        help_text=_("รหัส 6 หลักจากแอปยืนยันตัวตน หรือรหัสกู้คืนหนึ่งชุด"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class TwoFactorEnrolForm(forms.Form):
    code = forms.CharField(
        label=_("รหัสยืนยัน"),
        max_length=10,
        help_text=_("รหัส 6 หลักที่แอปแสดงหลังสแกน QR โค้ด"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
