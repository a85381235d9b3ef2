"""``create_api_token <user> [--expires-days N] [--name TEXT]``: an API token for a finance system.

The key is printed once; only its hash is stored. The owner sees and can revoke the token on the
account page (``/account/tokens/``); superusers in the admin.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.accounts import create_api_token


class Command(BaseCommand):
    help = "Make an API token for a user (printed once; stored only as a hash)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--expires-days",
            type=int,
            default=settings.API_TOKEN_DEFAULT_DAYS,
            help=f"days until the token stops working (default {settings.API_TOKEN_DEFAULT_DAYS})",
        )
        parser.add_argument("--name", default="", help="what the token is for, e.g. the finance system")

    def handle(self, *args, username, expires_days, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            token, key = create_api_token(
                user=user, name=name or "create_api_token", expires_days=expires_days
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(key)
        self.stderr.write(
            f"Token for {username}, valid until {token.expiry:%Y-%m-%d}. The key above is shown only once."
        )
