"""``seed_demo``: idempotent demo data for the whole portal.

Each portal app that has demo data offers ``<app>.demo.seed(password=..., log=...)``; they run in the
order of the design's layers (tenants, services, agreements, billing, transition). The command finds
them by name (``settings.PORTAL_APPS``): the command belongs to the portal as a whole, and no app
imports a higher one for it.
"""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Seed the demo organisations, catalogue, agreements and users (idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG and not settings.DEMO_PASSWORD_SET:
            raise CommandError(
                "seed_demo makes demo users, provider staff among them, with the password published in "
                "the README. With DJANGO_DEBUG off it runs only when DEMO_PASSWORD is set."
            )
        password = settings.DEMO_PASSWORD
        for app in settings.PORTAL_APPS:
            if find_spec(f"{app}.demo") is None:
                continue
            with transaction.atomic():
                import_module(f"{app}.demo").seed(password=password, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
