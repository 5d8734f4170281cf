from django.conf import settings


def site(request) -> dict:
    return {"site_name": settings.CLIPDESK_SITE_NAME, "base_url": settings.CLIPDESK_BASE_URL}
