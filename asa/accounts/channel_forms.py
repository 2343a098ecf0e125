"""Input for the notification channel page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from asa.accounts.models import Channel


class ChannelForm(forms.Form):
    """One outside channel: on or off, and where to send (LINE: on or off once linked)."""

    enabled = forms.BooleanField(label=_("เปิดใช้"), required=False)
    address = forms.CharField(label=_("ที่อยู่สำหรับส่ง"), max_length=200, required=False)

    LABELS = {
        Channel.EMAIL: (_("อีเมล"), _("อีเมล เช่น name@example.org")),
        Channel.SMS: (_("SMS"), _("หมายเลขโทรศัพท์มือถือ")),
        Channel.LINE: (_("LINE"), _("LINE user ID")),
    }

    def __init__(self, *args, channel, **kwargs):
        super().__init__(*args, prefix=channel, **kwargs)
        self.channel = channel
        self.title, hint = self.LABELS[channel]
        self.fields["address"].label = hint
        if channel == Channel.EMAIL:
            self.fields["address"].widget.input_type = "email"
        elif channel == Channel.SMS:
            self.fields["address"].widget.input_type = "tel"
        elif channel == Channel.LINE:
            del self.fields["address"]  # linked by the LINE webhook; nobody types a LINE id
