from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clipdesk.api import actions


class Command(BaseCommand):
    help = (
        "Create an API token for USER and print it. It is shown this once: only its hash is kept. "
        "A token lifts the API's rate limit; a staff member's token may also ask for drafts "
        "(?include=drafts). Revoke a token by deleting it in the staff admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("user", metavar="USER", help="the username")

    def handle(self, *args, user, **options):
        User = get_user_model()
        try:
            owner = User.objects.get(**{User.USERNAME_FIELD: user})
        except User.DoesNotExist:
            raise CommandError(f"No user {user!r}.") from None
        if not owner.is_active:
            raise CommandError(f"The user {user!r} is not active; their token would not work.")
        _, token = actions.create_token(owner)
        self.stdout.write(token)
        self.stderr.write(
            f"This is {user}'s new API token; it is not shown again. Send it as 'Authorization: Bearer <token>'."
        )
