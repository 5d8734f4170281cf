import pytest

# What the "desk" role needs to work the desk; accounts/roles.py grants it.
DESK_PERMISSIONS = [
    "view_inquiry",
    "change_inquiry",
    "view_inquirynote",
    "add_inquirynote",
    "view_translationreport",
    "change_translationreport",
]


@pytest.fixture
def roles(roles):
    """The staff roles, with the desk holding the request desk's permissions."""
    from django.contrib.auth.models import Group, Permission

    perms = Permission.objects.filter(content_type__app_label="inquiries", codename__in=DESK_PERMISSIONS)
    assert perms.count() == len(DESK_PERMISSIONS)
    Group.objects.get(name="desk").permissions.add(*perms)
    return roles


@pytest.fixture(autouse=True)
def _shared_cache(shared_cache):
    """Every test here counts its rate limits in the shared database cache."""
