"""`asa audit verify|seal`: the audit trail's hash chain from the command line.

`verify` seals what is still unsealed, then walks the whole chain in sequence order (keyset
batches, constant memory) recomputing every hash. It prints `ok N events` and the head of the
chain (keep that line somewhere else — a mail, a ticket — so a rewrite of the whole tail would
show too), or names the first broken link and exits with status 1. `--head HASH` compares with
such a kept head (the daily published one, asa/accounts/audit.py): if the chain no longer holds
it, the events after it were deleted and the command exits with status 1.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from asa.accounts.audit import VERIFY_BATCH, seal_pending, verify_chain


class Command(BaseCommand):
    help = "Verify (or seal) the tamper-evident hash chain of the audit trail."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        verify = commands.add_parser("verify", help="check every event's hash and link")
        verify.add_argument(
            "--no-seal",
            action="store_true",
            help="do not seal unsealed events first (they are then reported)",
        )
        verify.add_argument("--batch", type=int, default=VERIFY_BATCH, help="rows per query")
        verify.add_argument(
            "--head",
            default="",
            metavar="HASH",
            help="a head hash kept elsewhere (published earlier): the chain must still hold it",
        )
        commands.add_parser("seal", help="chain the events not yet sealed")

    def handle(self, *args, command, **options):
        if command == "seal":
            sealed = seal_pending()
            self.stdout.write(f"sealed {sealed} events")
            return
        started = time.monotonic()
        if not options["no_seal"]:
            seal_pending()
        verdict = verify_chain(batch=options["batch"], head=options["head"])
        seconds = time.monotonic() - started
        if verdict.broken is not None:
            self.stderr.write(
                f"BROKEN after {verdict.checked} good events — {verdict.broken.kind} at "
                f"{verdict.broken}"
            )
            raise CommandError("the audit chain is broken", returncode=1)
        if verdict.unsealed:
            self.stderr.write(f"{verdict.unsealed} events are not sealed yet (`asa audit seal`)")
            raise CommandError("unsealed audit events", returncode=1)
        if verdict.anchor_missing:
            self.stderr.write(
                f"the head {options['head']} is not in the chain of {verdict.checked} events: "
                "the events after it were deleted (or the chain was rewritten)"
            )
            raise CommandError("the audit chain does not hold the given head", returncode=1)
        self.stdout.write(f"ok {verdict.checked} events ({seconds:.1f} s)")
        if verdict.anchor_sequence:
            self.stdout.write(
                f"the given head is event {verdict.anchor_sequence}; "
                f"{verdict.head_sequence - verdict.anchor_sequence} events were added after it"
            )
        if verdict.head_sequence:
            self.stdout.write(f"head: sequence {verdict.head_sequence} hash {verdict.head_hash}")
