import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site with gunicorn. In production, run `clipdesk collectstatic` first."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default=settings.CLIPDESK_BIND, help="address:port (default CLIPDESK_BIND)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.CLIPDESK_WEB_WORKERS,
            help="gunicorn worker processes (default CLIPDESK_WEB_WORKERS: 2 x cores + 1)",
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help="seconds before a stuck worker is restarted"
        )

    def handle(self, *args, bind, workers, timeout, **options):
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "clipdesk.wsgi",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
            "--access-logfile",
            "-",
        ]
        self.stdout.write(f"Serving on http://{bind} with {workers} workers")
        self.stdout.flush()
        os.execv(sys.executable, argv)
