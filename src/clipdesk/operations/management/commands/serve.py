import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

# What each worker class serves: the asgi worker runs Django's ASGI handler behind clipdesk's body
# limits (clipdesk/asgi.py); the others the WSGI application.
APPLICATIONS = {"asgi": "clipdesk.asgi:application", "gthread": "clipdesk.wsgi", "sync": "clipdesk.wsgi"}


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
            "--worker-class",
            choices=sorted(APPLICATIONS),
            default=settings.CLIPDESK_WEB_WORKER_CLASS,
            help="gunicorn worker class (default CLIPDESK_WEB_WORKER_CLASS: asgi, which slow clients "
            "cannot starve)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.CLIPDESK_WEB_THREADS,
            help="threads per worker with --worker-class gthread (default CLIPDESK_WEB_THREADS)",
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help="seconds before a stuck worker is restarted"
        )

    def handle(self, *args, bind, workers, worker_class, threads, timeout, **options):
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            APPLICATIONS[worker_class],
            "--worker-class",
            worker_class,
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
        if worker_class == "gthread":
            argv += ["--threads", str(threads)]
        if worker_class == "asgi":
            # Django has no lifespan protocol. Each request runs in a thread of its own, so a kept
            # database connection would outlive its thread: one per request (Django's advice for ASGI).
            argv += ["--asgi-lifespan", "off"]
            os.environ["CLIPDESK_DB_CONN_MAX_AGE"] = "0"
        self.stdout.write(f"Serving on http://{bind} with {workers} {worker_class} workers")
        self.stdout.flush()
        os.execv(sys.executable, argv)
