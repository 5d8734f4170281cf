from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from clipdesk.operations.actions import erase_personal_data


class Command(BaseCommand):
    help = (
        "Erase everything kept about one email address, on that person's request: requests, translation "
        "reports, donations (but the receipt minimum the law requires), the subscription, mail and sign-in "
        "records. Prints what was erased and what was kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", metavar="EMAIL", help="the address whose data is erased")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the staff member who handles the request: named in the history, and must be allowed to erase",
        )

    def handle(self, *args, email, by, **options):
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"No staff member is called {by!r}.")
        try:
            report = erase_personal_data(email, user=user)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(f"Nothing erased: {' '.join(messages)}") from exc
        for kind, count in report.counts.items():
            self.stdout.write(f"{kind}: {count} erased")
        for note in report.kept:
            self.stdout.write(f"kept: {note}")
