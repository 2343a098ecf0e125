from django import forms
from django.contrib.auth import forms as auth_forms
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


# --- Passwords: Django's own forms, saved through the audited action -------------------------


class _SavedThroughAction:
    """Django's password forms write the password themselves; here they call the action, so
    the change is audited like every other."""

    via = ""

    def save(self, commit=True):
        from asa.accounts.actions import change_password

        return change_password(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            via=self.via,
        )

    def _thai_labels(self):
        self.fields["new_password1"].label = _("รหัสผ่านใหม่")
        self.fields["new_password2"].label = _("ยืนยันรหัสผ่านใหม่")
        self.fields["new_password2"].help_text = _("พิมพ์รหัสผ่านใหม่อีกครั้ง")


class PasswordChangeForm(_SavedThroughAction, auth_forms.PasswordChangeForm):
    via = "change"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("รหัสผ่านปัจจุบัน")
        self._thai_labels()


class SetPasswordForm(_SavedThroughAction, auth_forms.SetPasswordForm):
    via = "reset"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._thai_labels()


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("อีเมลที่ใช้กับบัญชี")


# --- User management ---------------------------------------------------------------------------


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("ค้นหา"), required=False, max_length=100)


class RoleForm(forms.Form):
    """A role and the one place it applies to (none for the national roles).

    The choices hold only what the signed-in user may grant (access.may_grant); the view checks
    again before the action runs.
    """

    role = forms.ChoiceField(label=_("บทบาท"))
    province = forms.ModelChoiceField(label=_("จังหวัด"), queryset=None, required=False)
    district = forms.ModelChoiceField(label=_("อำเภอ/เขต"), queryset=None, required=False)
    center = forms.ModelChoiceField(label=_("ศูนย์"), queryset=None, required=False)
    agency = forms.ModelChoiceField(label=_("หน่วยงานภาคี"), queryset=None, required=False)

    def __init__(self, *args, grantor, **kwargs):
        from asa.accounts import user_queries as queries

        super().__init__(*args, **kwargs)
        choices = queries.grantable_choices(grantor)
        self.fields["role"].choices = [("", "---------"), *choices.roles]
        self.fields["province"].queryset = choices.provinces
        self.fields["district"].queryset = choices.districts
        self.fields["center"].queryset = choices.centers
        self.fields["agency"].queryset = choices.agencies

    def clean(self):
        from asa.accounts.models import SCOPE_FIELD_BY_ROLE, Role

        data = super().clean()
        role = data.get("role")
        if not role:
            return data
        needed = SCOPE_FIELD_BY_ROLE[Role(role)]
        for name in ("province", "district", "center", "agency"):
            if name != needed:
                data[name] = None
        if needed and data.get(needed) is None and needed not in self.errors:
            self.add_error(
                needed, _("บทบาทนี้ต้องเลือก%(field)s") % {"field": self.fields[needed].label}
            )
        data["scope"] = data.get(needed) if needed else None
        return data


class UserCreateForm(RoleForm):
    username = forms.CharField(
        label=_("ชื่อผู้ใช้"),
        max_length=150,
        help_text=_("ตัวอักษรอังกฤษ ตัวเลข และ @ . + - _ เท่านั้น"),
    )
    first_name = forms.CharField(label=_("ชื่อ"), max_length=150)
    last_name = forms.CharField(label=_("นามสกุล"), max_length=150)
    email = forms.EmailField(label=_("อีเมล"), required=False)
    password = forms.CharField(
        label=_("รหัสผ่านชั่วคราว"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("ผู้ใช้ต้องเปลี่ยนรหัสผ่านเองเมื่อเข้าสู่ระบบครั้งแรก"),
    )

    field_order = ["username", "first_name", "last_name", "email", "password", "role"]

    def clean_username(self):
        from asa.accounts.models import User

        username = self.cleaned_data["username"].strip()
        try:
            User.username_validator(username)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษรอังกฤษ ตัวเลข และ @ . + - _")
            ) from None
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("ชื่อผู้ใช้นี้มีผู้ใช้แล้ว"))
        return username

    def clean_password(self):
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("เหตุผล"), max_length=500, required=False)
