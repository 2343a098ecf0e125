"""`asa twofactor demo-code | status USERNAME | reset USERNAME`: two-factor from the shell."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from asa.accounts import security


class Command(BaseCommand):
    help = "Two-factor sign-in: the demo's current code, a user's state, or reset a lost device."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser(
            "demo-code", help="the current code of the demo's public secret (demo only)"
        )
        status = commands.add_parser("status", help="whether the user has an authenticator")
        status.add_argument("username")
        reset = commands.add_parser(
            "reset", help="remove the user's authenticator and recovery codes (a lost phone)"
        )
        reset.add_argument("username")
        reset.add_argument("--reason", default="", help="why, for the audit log")

    def handle(self, *args, command, **options):
        if command == "demo-code":
            self.stdout.write(
                "Demo authenticator (public, demo only) - code for admin, officer.bangkok, dpo:"
            )
            self.stdout.write(security.code_for(security.DEMO_SECRET))
            return
        user = _user(options["username"])
        device = security.confirmed_device(user)
        if command == "status":
            required = "required" if security.two_factor_required(user) else "not required"
            state = f"enrolled {device.confirmed_at:%Y-%m-%d}" if device else "not enrolled"
            left = user.recovery_codes.filter(used_at__isnull=True).count()
            self.stdout.write(
                f"{user.username}: two-factor {required}; {state}; {left} recovery codes left"
            )
        elif command == "reset":
            if not options["reason"]:
                raise CommandError("Give a --reason (it goes into the audit log).")
            removed = security.reset_two_factor(actor=None, user=user, reason=options["reason"])
            self.stdout.write(
                f"Removed {user.username}'s authenticator; they set up a new one at next sign-in."
                if removed
                else f"{user.username} had no authenticator."
            )


def _user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
