"""Page-number pagination for every API list: `?page=` and `?page_size=`, with links to the neighbours."""

from typing import Any

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # bounds the offset, which databases store in a fixed-size integer


class PageNumberPagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="1 for the first page.")
        page_size: int = Field(
            DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, at most {MAX_PAGE_SIZE}."
        )

    class Output(Schema):
        count: int = Field(description="Items on all pages together.")
        page: int
        page_size: int
        next: str | None = Field(description="The next page's URL, or null on the last page.")
        previous: str | None = Field(description="The previous page's URL, or null on the first page.")
        items: list[Any]

    def paginate_queryset(self, queryset, pagination: Input, request, **params) -> dict:
        count = queryset.count()
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "next": page_url(request, pagination.page + 1) if offset + pagination.page_size < count else None,
            "previous": page_url(request, pagination.page - 1) if pagination.page > 1 else None,
            "items": queryset[offset : offset + pagination.page_size],
        }


def page_url(request, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return f"{settings.CLIPDESK_BASE_URL}{request.path}?{query.urlencode()}"
