from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from asa.accounts import security
from asa.accounts.access import scope_of
from asa.accounts.actions import (
    create_api_token,
    revoke_api_token,
    send_password_reset,
    set_thai_digits,
)
from asa.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    SetPasswordForm,
    TokenForm,
    TwoFactorCodeForm,
    TwoFactorEnrolForm,
)
from asa.lib.middleware import THAI_DIGITS_SESSION_KEY
from asa.lib.request_context import ip_from_request


def _locked_message() -> str:
    # The same words whether or not the name exists: a lockout reveals nothing about accounts.
    return _(
        "เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป ระบบจึงระงับการเข้าสู่ระบบไว้ชั่วคราว กรุณารอ %(minutes)d นาทีแล้วลองใหม่"
    ) % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}


class LoginView(auth_views.LoginView):
    """Password first; users who owe a second factor go on to the code (or enrolment) page."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if security.login_locked(username=username, ip_address=ip_from_request(request)):
            # Refused before the password is checked, so a locked name answers the same to a
            # right and a wrong guess.
            form = self.authentication_form(request, initial={"username": username})
            context = self.get_context_data(form=form, locked_message=_locked_message())
            return self.render_to_response(context)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            username = self.request.POST.get("username", "")
            ip_address = ip_from_request(self.request)
            security.record_login_failure(username=username, ip_address=ip_address)
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        auth_login(self.request, user)
        session = self.request.session
        session[THAI_DIGITS_SESSION_KEY] = user.prefers_thai_digits
        if security.two_factor_required(user) or security.confirmed_device(user) is not None:
            session[security.PENDING_SESSION_KEY] = True
            session[security.NEXT_SESSION_KEY] = self.get_success_url()
            return redirect("accounts:two_factor")
        security.record_login_success(user=user, ip_address=ip_from_request(self.request))
        return HttpResponseRedirect(self.get_success_url())


def admin_login(request, extra_context=None):
    """The admin site signs in through the same page (lockout, second factor) as the rest."""
    if request.user.is_authenticated:
        raise PermissionDenied  # signed in, but not someone the admin site lets in
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


def _owes_second_factor(request) -> bool:
    session = request.session
    if session.get(security.VERIFIED_SESSION_KEY):
        return False
    return bool(session.get(security.PENDING_SESSION_KEY)) or security.two_factor_required(
        request.user
    )


def _next_url(request) -> str:
    target = request.session.get(security.NEXT_SESSION_KEY) or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = ""
    return target or resolve_url(settings.LOGIN_REDIRECT_URL)


def _complete_sign_in(request, user) -> None:
    session = request.session
    session.cycle_key()  # a new session key once the second factor is in
    session[security.VERIFIED_SESSION_KEY] = True
    session.pop(security.PENDING_SESSION_KEY, None)
    security.record_login_success(user=user, ip_address=ip_from_request(request))


def _refuse_locked(request):
    logout(request)
    messages.error(request, _locked_message())
    return redirect("accounts:login")


@never_cache
@login_required
def two_factor(request):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user = request.user
    if not _owes_second_factor(request):
        return redirect(_next_url(request))
    if security.confirmed_device(user) is None:
        return redirect("accounts:two_factor_enrol")
    ip_address = ip_from_request(request)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST":
        if security.login_locked(username=user.get_username(), ip_address=ip_address):
            return _refuse_locked(request)
        if form.is_valid():
            result = security.verify_second_factor(user=user, code=form.cleaned_data["code"])
            if result.accepted:
                target = _next_url(request)
                _complete_sign_in(request, user)
                request.session.pop(security.NEXT_SESSION_KEY, None)
                if result.method == "recovery":
                    left = {"count": result.recovery_codes_left}
                    messages.warning(request, _("ใช้รหัสกู้คืนแล้ว เหลืออีก %(count)d ชุด") % left)
                return redirect(target)
            security.record_login_failure(username=user.get_username(), ip_address=ip_address)
            if security.login_locked(username=user.get_username(), ip_address=ip_address):
                return _refuse_locked(request)
            form.add_error("code", _("รหัสยืนยันไม่ถูกต้อง หมดอายุ หรือใช้ไปแล้ว"))
    return render(request, "accounts/two_factor.html", {"form": form})


@never_cache
@login_required
def two_factor_enrol(request):
    """Set up the authenticator app: scan the QR code, confirm with a first code."""
    user = request.user
    if security.confirmed_device(user) is not None:
        return redirect("accounts:two_factor")
    ip_address = ip_from_request(request)
    form = TwoFactorEnrolForm(request.POST or None)
    if request.method == "POST":
        if security.login_locked(username=user.get_username(), ip_address=ip_address):
            return _refuse_locked(request)
        if form.is_valid():
            codes = security.confirm_enrolment(user=user, code=form.cleaned_data["code"])
            if codes is not None:
                target = _next_url(request)
                _complete_sign_in(request, user)
                request.session.pop(security.NEXT_SESSION_KEY, None)
                # Shown once, on this answer: only their hashes are kept.
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next_url": target},
                )
            security.record_login_failure(username=user.get_username(), ip_address=ip_address)
            if security.login_locked(username=user.get_username(), ip_address=ip_address):
                return _refuse_locked(request)
            form.add_error("code", _("รหัสยืนยันไม่ถูกต้อง ตรวจเวลาในโทรศัพท์แล้วลองใหม่"))
    secret = security.start_enrolment(user=user)[1]
    uri = security.provisioning_uri(user=user, secret=secret)
    context = {
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr_code": security.qr_code_svg(uri),
        "required": security.two_factor_required(user),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
def profile(request):
    from asa.centers.models import Volunteer

    volunteer = (
        Volunteer.objects.select_related("center", "subdistrict__district__province")
        .filter(user=request.user)
        .first()
    )
    assignments = request.user.role_assignments.select_related(
        "province", "district", "center", "agency"
    )
    device = security.confirmed_device(request.user)
    return render(
        request,
        "accounts/profile.html",
        {
            "volunteer": volunteer,
            "assignments": assignments,
            "scope": scope_of(request.user),
            "two_factor_device": device,
            "recovery_codes_left": (
                request.user.recovery_codes.filter(used_at__isnull=True).count() if device else 0
            ),
        },
    )


@never_cache
@login_required
@require_POST
def recovery_codes(request):
    """New recovery codes (the old ones stop working), shown once."""
    if security.confirmed_device(request.user) is None:
        return redirect("accounts:two_factor_enrol")
    codes = security.regenerate_recovery_codes(user=request.user)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next_url": reverse("accounts:profile")},
    )


@login_required
def tokens(request):
    new_secret = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _, new_secret = create_api_token(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
            form = TokenForm()
    else:
        form = TokenForm()
    # Only the user's own tokens: the list is the user's, never another's.
    user_tokens = request.user.api_tokens.all()[:100]
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": user_tokens, "new_secret": new_secret},
    )


@login_required
@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(request.user.api_tokens.all(), pk=pk)
    revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("ยกเลิกโทเคนแล้ว"))
    return redirect("accounts:tokens")


@require_POST
def set_digits(request):
    enabled = request.POST.get("thai_digits") == "1"
    request.session[THAI_DIGITS_SESSION_KEY] = enabled
    if request.user.is_authenticated:
        set_thai_digits(user=request.user, enabled=enabled)
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    return redirect(target)


# --- Passwords: Django's own views, Thai templates, saved through the audited action ----------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; also the first-sign-in change an admin-made account owes."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("เปลี่ยนรหัสผ่านแล้ว"))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email. The same answer whether or not the address is known."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        for user in form.get_users(form.cleaned_data["email"]):
            send_password_reset(
                actor=None,
                user=user,
                domain=get_current_site(self.request).domain,
                use_https=self.request.is_secure(),
            )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def work_waiting(request, pk):
    """A center's work waiting: the chair's landing page (officers of its area may look too)."""
    from asa.accounts.access import get_for
    from asa.accounts.landing import work_waiting as waiting
    from asa.centers.models import Center

    center = get_for(request.user, Center.objects.all(), pk, write=True)
    context = {"center": center, **waiting(request.user, center)}
    return render(request, "accounts/work_waiting.html", context)
