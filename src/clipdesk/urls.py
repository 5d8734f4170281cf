from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from clipdesk.accounts.views import StaffLoginView

admin.site.site_header = f"{settings.CLIPDESK_SITE_NAME} staff"
admin.site.site_title = settings.CLIPDESK_SITE_NAME

# The admin signs staff in through the same form as every staff page: lockout and two-factor apply.
admin.site.login = StaffLoginView.as_view()

urlpatterns = [
    path("staff/admin/", admin.site.urls),
    path("", include("clipdesk.accounts.urls")),
    path("", include("clipdesk.caching.urls")),
    path("", include("clipdesk.media.urls")),
    path("", include("clipdesk.transcripts.urls")),
    path("", include("clipdesk.search.urls")),
    path("", include("clipdesk.subscriptions.urls")),
    path("", include("clipdesk.inquiries.urls")),
    path("", include("clipdesk.donations.urls")),
    path("", include("clipdesk.api.urls")),
    path("", include("clipdesk.operations.urls")),
    path("", include("clipdesk.ingest.urls")),
    path("", include("clipdesk.uploads.urls")),
    path("", include("clipdesk.recording.urls")),
    path("", include("clipdesk.alerts.urls")),
    path("", include("clipdesk.archive.urls")),
]

handler400 = "clipdesk.operations.views.bad_request"  # names the query parameter it could not read
handler500 = "clipdesk.operations.views.server_error"  # 503 when the database is down
