from django.core.management.base import BaseCommand

from asa.accounts.security import DEMO_SECRET
from asa.centers.demo import demo_password, load_demo


class Command(BaseCommand):
    help = "Load the demo data (the seed's 11 Bangkok centers, volunteers, demo users). Idempotent."

    def handle(self, *args, **options):
        load_demo(stdout=self.stdout)
        self.stdout.write(
            f"\nDemo logins (password: {demo_password()}):\n"
            "  admin                    ministry admin (ส่วนกลาง)\n"
            "  officer.bangkok          Bangkok province officer\n"
            "  chair.bangkhen           chair of the Bang Khen center (50 volunteers)\n"
            "  volunteer.bangkhen       a Bang Khen volunteer\n"
            "  chair.thawiwatthana      chair of the Thawi Watthana center (19 volunteers)\n"
            "  volunteer.thawiwatthana  a Thawi Watthana volunteer\n"
            "  agency.shelter           a One Home partner (shelter for the destitute)\n"
            "  dpo                      data protection officer\n"
            "\nadmin, officer.bangkok and dpo also type a 6-digit code (two-factor sign-in).\n"
            f"Demo authenticator secret: {DEMO_SECRET} - add it to an authenticator app,\n"
            "or print the current code with: .venv/bin/asa twofactor demo-code\n"
            "(Public and for the demo only: real staff enrol their own phone at first sign-in.)\n"
        )
