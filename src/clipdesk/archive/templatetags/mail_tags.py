"""Template tags about where this site's email goes."""

from django import template
from django.conf import settings

register = template.Library()

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


@register.inclusion_tag("_dev_mail_notice.html")
def dev_mail_notice() -> dict:
    """On a "check your email" page, say that no email was sent when the site only prints it.

    In development (and so in `make demo`) mail goes to the console backend: the confirmation is in the
    server's log, not in anyone's inbox, and a visitor waiting for it would wait for ever.
    """
    return {"printed": settings.EMAIL_BACKEND == CONSOLE_BACKEND}
