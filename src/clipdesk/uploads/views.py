"""The tus endpoint for staff signed in to the site (the ingest page's uploader). The CSRF check
applies as to any form: tus-js-client sends the token in X-CSRFToken. Tools with an API token use the
same protocol at /api/uploads/ (clipdesk.api)."""

from django.urls import reverse

from .tus import TusEndpoint


def staff_user(request):
    user = request.user
    return user if user.is_authenticated and user.is_staff else None


# Like every staff URL, refused with 403 to anyone not signed in as staff (never a redirect to the
# sign-in page, which an uploader could not follow).
endpoint = TusEndpoint(
    authenticate=staff_user,
    location=lambda upload: reverse("uploads:upload", args=[upload.pk]),
    refuse_unknown=403,
)


def collection(request):
    return endpoint.collection(request)


def upload(request, upload_id):
    return endpoint.upload(request, upload_id)
