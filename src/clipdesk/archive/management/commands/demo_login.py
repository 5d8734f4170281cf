import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create (or reset) the demo staff account with the admin role, and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")

    def handle(self, *args, username, **options):
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name="admin"))
        self.stdout.write(
            f"Staff login ({'created' if created else 'password reset'}): {username} / {password}"
        )
        self.stdout.write("Sign in at /staff/admin/")
