"""`asa token create|list|revoke USERNAME`: API tokens from the command line.

`create` prints the new secret alone on its last line, so scripts can take it with `tail -n 1`.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from asa.accounts.actions import create_api_token, revoke_api_token


class Command(BaseCommand):
    help = "Create, list or revoke a user's API tokens (Authorization: Bearer <token>)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="make a new token; prints it on the last line")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="a label to tell tokens apart")
        listing = commands.add_parser("list", help="the user's tokens (prefix, name, dates)")
        listing.add_argument("username")
        revoke = commands.add_parser("revoke", help="revoke the user's token with this prefix")
        revoke.add_argument("username")
        revoke.add_argument("prefix")

    def handle(self, *args, command, username, **options):
        user = _user(username)
        if command == "create":
            token, secret = create_api_token(actor=None, user=user, name=options["name"])
            self.stdout.write(f"Token {token.prefix}… ({token.name}) for {user.username}:")
            self.stdout.write(secret)
        elif command == "list":
            for token in user.api_tokens.all()[:1000]:
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.prefix}  {token.name}  created {token.created_at:%Y-%m-%d}"
                    f"  last used {used}  {state}"
                )
        elif command == "revoke":
            prefix = options["prefix"]
            matches = list(user.api_tokens.filter(prefix__startswith=prefix)[:2])
            if not matches:
                raise CommandError(f"No token of {username} starts with {prefix!r}.")
            if len(matches) > 1:
                raise CommandError(f"More than one token of {username} starts with {prefix!r}.")
            revoke_api_token(actor=None, token=matches[0])
            self.stdout.write(f"Revoked {matches[0].prefix} ({matches[0].name}).")


def _user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
