"""What the benchmark scripts share: signing in as a person would, and servers without the
per-user rate limits (one benchmark client sends more requests a minute than any person)."""

NO_RATE_LIMITS = {"ASA_RATE_LIMIT_SEARCH": "1000000", "ASA_RATE_LIMIT_API": "1000000"}


def sign_in(client, user) -> None:
    """A session as after the sign-in form and the second factor (staff must have one)."""
    from asa.accounts.security import VERIFIED_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[VERIFIED_SESSION_KEY] = True
    session.save()
