from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from asa.accounts.access import scope_of
from asa.accounts.actions import create_api_token, revoke_api_token, set_thai_digits
from asa.accounts.forms import LoginForm, TokenForm
from asa.lib.middleware import THAI_DIGITS_SESSION_KEY


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[THAI_DIGITS_SESSION_KEY] = form.get_user().prefers_thai_digits
        return response


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
    return render(
        request,
        "accounts/profile.html",
        {"volunteer": volunteer, "assignments": assignments, "scope": scope_of(request.user)},
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
