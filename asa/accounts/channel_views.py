"""Each user's notification channels, LINE account linking, and the LINE webhook."""

import json
import logging
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from asa.accounts import channel_actions
from asa.accounts.channel_forms import ChannelForm
from asa.accounts.channels import DeliveryError, is_demo, line_signature_is_valid, reply_line
from asa.accounts.models import Channel, ChannelPreference

logger = logging.getLogger(__name__)

OUTSIDE_CHANNELS = [Channel.EMAIL, Channel.SMS, Channel.LINE]
CODE_PATTERN = re.compile(r"ASA-[0-9A-Z]{6}", re.IGNORECASE)


def _put_errors(form, error: ValidationError) -> None:
    for field, texts in error.message_dict.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


def _page(request, channel_forms, *, status=200, code=None, code_row=None):
    from asa.accounts.security import qr_code_svg

    line = ChannelPreference.objects.filter(user=request.user, channel=Channel.LINE).first()
    add_friend_url = settings.LINE_ADD_FRIEND_URL
    return render(
        request,
        "accounts/channels.html",
        {
            "channel_forms": channel_forms,
            "demo": {name: is_demo(name) for name in ("email", "sms", "line")},
            "line_linked": line is not None and bool(line.address),
            "line_code": code,
            "line_code_expires_at": code_row.expires_at if code_row else None,
            "line_add_friend_url": add_friend_url,
            "line_add_friend_qr": qr_code_svg(add_friend_url) if code and add_friend_url else "",
        },
        status=status,
    )


@login_required
def channels(request):
    saved = {row.channel: row for row in ChannelPreference.objects.filter(user=request.user)}
    if request.method != "POST":
        channel_forms = [
            ChannelForm(
                channel=channel,
                initial={
                    "enabled": saved[channel].is_enabled if channel in saved else False,
                    "address": saved[channel].address if channel in saved else "",
                },
            )
            for channel in OUTSIDE_CHANNELS
        ]
        return _page(request, channel_forms)
    channel_forms = [ChannelForm(request.POST, channel=channel) for channel in OUTSIDE_CHANNELS]
    failed = False
    for form in channel_forms:
        if not form.is_valid():
            failed = True
            continue
        enabled = form.cleaned_data["enabled"]
        before = saved.get(form.channel)
        if form.channel == Channel.LINE:
            address = before.address if before else ""
        else:
            address = form.cleaned_data["address"].strip()
        if before is None and not enabled and not address:
            continue  # never chosen, still not chosen
        if before is not None and (before.is_enabled, before.address) == (enabled, address):
            continue
        try:
            channel_actions.set_channel_preference(
                user=request.user, channel=form.channel, address=address, enabled=enabled
            )
        except ValidationError as error:
            _put_errors(form, error)
            failed = True
    if failed:
        return _page(request, channel_forms, status=400)
    messages.success(request, _("บันทึกช่องทางการแจ้งเตือนแล้ว"))
    return redirect("channels:settings")


@never_cache
@login_required
@require_POST
def line_link(request):
    """A new one-time code to send to the official account (shown once, on this answer)."""
    code, row = channel_actions.start_line_link(user=request.user)
    saved = {row.channel: row for row in ChannelPreference.objects.filter(user=request.user)}
    channel_forms = [
        ChannelForm(
            channel=channel,
            initial={
                "enabled": saved[channel].is_enabled if channel in saved else False,
                "address": saved[channel].address if channel in saved else "",
            },
        )
        for channel in OUTSIDE_CHANNELS
    ]
    return _page(request, channel_forms, code=code, code_row=row)


@login_required
@require_POST
def line_unlink(request):
    if channel_actions.unlink_line_account(user=request.user):
        messages.success(request, _("ยกเลิกการเชื่อมบัญชี LINE แล้ว"))
    return redirect("channels:settings")


@csrf_exempt  # LINE's servers post here; the signature, not a cookie, proves who sent it
@require_POST
def line_webhook(request):
    """LINE Messaging API webhook: a user who sends their one-time code gets linked.

    The X-Line-Signature header must be base64(HMAC-SHA256(channel secret, raw body)); any
    other request is refused with 401 and changes nothing.
    """
    if not settings.LINE_CHANNEL_SECRET:
        return HttpResponse(status=404)
    body = request.body
    if not line_signature_is_valid(body, request.headers.get("X-Line-Signature", "")):
        logger.warning("LINE webhook refused: bad signature from %s", request.META["REMOTE_ADDR"])
        return HttpResponse(status=401)
    try:
        payload = json.loads(body.decode("utf-8"))
        events = payload.get("events") or []
    except (UnicodeDecodeError, ValueError, AttributeError):
        return HttpResponse(status=400)
    replies = []
    for event in events[:100] if isinstance(events, list) else []:
        reply = _line_event(event)
        if reply:
            replies.append(reply)

    def send_replies():
        for token, text in replies:
            try:
                reply_line(token, text)
            except DeliveryError as error:  # the link stands; only the chat answer is missing
                logger.warning("LINE reply failed: %s", error.reason)

    transaction.on_commit(send_replies)
    return HttpResponse(status=200)


def _line_event(event) -> tuple[str, str] | None:
    """Link on a text message carrying a code; answer (reply token, text) or nothing."""
    if not isinstance(event, dict) or event.get("type") != "message":
        return None
    message, source = event.get("message") or {}, event.get("source") or {}
    if not isinstance(message, dict) or not isinstance(source, dict):
        return None
    if message.get("type") != "text" or source.get("type") != "user":
        return None
    reply_token = event.get("replyToken") or ""
    found = CODE_PATTERN.search(str(message.get("text") or ""))
    if found is None:
        text = "ส่งรหัสเชื่อมบัญชี (ASA-XXXXXX) จากหน้า \u201cช่องทางการแจ้งเตือน\u201d ในระบบอาสา"
    else:
        user = channel_actions.link_line_account(
            code=found.group(0), line_user_id=str(source.get("userId") or "")
        )
        if user is None:
            text = "รหัสไม่ถูกต้องหรือหมดอายุแล้ว ขอรหัสใหม่ได้ที่หน้า \u201cช่องทางการแจ้งเตือน\u201d"
        else:
            text = f"เชื่อมบัญชี LINE กับผู้ใช้ {user.username} ในระบบอาสาแล้ว จะได้รับการแจ้งเตือนทางนี้"
    return (reply_token, text) if reply_token else None
