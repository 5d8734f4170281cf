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
            # gunicorn believes X-Forwarded-Proto (and so calls the request HTTPS) from these addresses;
            # its default, 127.0.0.1, would let anyone on the machine claim HTTPS. Only the configured
            # proxies, as TrustedProxyMiddleware does for Django; none when none are configured.
            f"--forwarded-allow-ips={','.join(settings.CLIPDESK_TRUSTED_PROXIES)}",
            # The control socket defaults to one path in the home directory that every gunicorn of
            # that user shares; clipdesk does not use it.
            "--no-control-socket",
        ]
        self.stdout.write(f"Serving on http://{bind} with {workers} workers")
        self.stdout.flush()
        os.execv(sys.executable, argv)
