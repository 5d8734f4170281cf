"""CSRF for forms on cached public pages, which carry no token: /csrf/ hands one out, and the pages
those forms post to show the form again with a token when the post came without one."""

from functools import wraps

from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def csrf_token(request):
    """`{"token": ...}` for caching/csrf-fill.js, which puts it in a form just before it is sent."""
    return JsonResponse({"token": get_token(request)})


def token_or_form(reshow):
    """For a POST from a form on a cached page: check the CSRF token here rather than in the middleware,
    and when it is missing or wrong (a reader without JavaScript, or a token gone stale) answer
    `reshow(request, *args, **kwargs)`, a page that shows the form again with a token, never a bare 403.
    """

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and _csrf_refused(request):
                return reshow(request, *args, **kwargs)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _csrf_refused(request) -> bool:
    return CsrfViewMiddleware(_no_response).process_view(request, None, (), {}) is not None


def _no_response(request):  # CsrfViewMiddleware wants a get_response; process_view never calls it
    raise AssertionError("not called")
