import pytest
from django.contrib.auth.models import Group, Permission

from clipdesk.accounts.roles import ROLES

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)
    for name, wanted in ROLES.items():
        have = {
            f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=name).permissions.all()
        }
        if wanted == "*":
            assert len(have) == Permission.objects.count()
        else:
            assert have == set(wanted)


def test_roles_are_ordered_by_power():
    perms = {name: set(wanted) for name, wanted in ROLES.items() if wanted != "*"}
    assert perms["translator"] < perms["editor"] < perms["publisher"]
    assert "archive.publish_clip" not in perms["editor"]
    assert not any(p.startswith(("transcripts.change", "archive.change")) for p in perms["desk"])
