"""Staff roles are Django groups with the permissions below: every app's permission matrix, kept
with sign-in in `accounts`.

`ROLES` is the matrix as it is now. Data migrations never read it: each carries a frozen copy of the
matrix it applies (a literal dict) and passes it to `sync_roles`, so a later change here never changes
what an old migration did. A change to `ROLES` therefore comes with a new data migration carrying the
new matrix (tests/archive/test_roles.py fails until it does). "*" gives a role every permission that exists.
"""


def _crud(app: str, model: str, *verbs: str) -> list[str]:
    return [f"{app}.{verb}_{model}" for verb in verbs]


_READ_ARCHIVE = [
    *_crud("archive", "clip", "view"),
    *_crud("archive", "channel", "view"),
    *_crud("archive", "topic", "view"),
    *_crud("archive", "person", "view"),
    *_crud("archive", "personalias", "view"),
    *_crud("archive", "clipreference", "view"),
    *_crud("transcripts", "speaker", "view"),
    *_crud("transcripts", "segment", "view"),
    *_crud("media", "mediaasset", "view"),
]
_TRANSLATE = [
    *_crud("transcripts", "segment", "add", "change", "delete"),
    *_crud("transcripts", "speaker", "add", "change"),
]
_EDIT = [
    *_crud("archive", "clip", "add", "change"),
    "archive.submit_clip",
    *_crud("archive", "person", "add", "change"),
    *_crud("archive", "personalias", "add", "change", "delete"),
    *_crud("archive", "topic", "add", "change"),
    *_crud("archive", "channel", "add", "change"),
    *_crud("archive", "clipreference", "add", "change", "delete"),
]
# Watching the air: the recordings' timeline, the live transcripts (searched, and on the timeline), one's
# own watchlists and their alerts, and retrying a span the live transcription gave up on. Seeing every
# monitor's watchlists (alerts.oversee_watchlist) is the admin's. Making a clip from the timeline needs
# the ingest permissions (media.add_mediaasset with archive.add_clip).
_WATCH = [
    *_crud("recording", "segment", "view"),
    *_crud("alerts", "liveline", "view"),
    *_crud("alerts", "watchlist", "view", "add", "change", "delete"),
    *_crud("alerts", "alert", "view"),
    *_crud("alerts", "nottranscribed", "view", "change"),
]

ROLES: dict[str, list[str] | str] = {
    "monitor": [
        *_READ_ARCHIVE,
        *_crud("archive", "clip", "add", "change"),
        *_crud("archive", "channel", "add"),
        *_crud("media", "mediaasset", "add", "change"),
        *_WATCH,
    ],
    "translator": [*_READ_ARCHIVE, *_TRANSLATE],
    "editor": [*_READ_ARCHIVE, *_TRANSLATE, *_EDIT, *_WATCH],
    "publisher": [
        *_READ_ARCHIVE,
        *_TRANSLATE,
        *_EDIT,
        *_WATCH,
        "archive.publish_clip",
        "archive.withdraw_clip",
        "archive.publish_correction",
        *_crud("archive", "person", "delete"),
    ],
    "desk": [
        *_READ_ARCHIVE,
        *_crud("inquiries", "inquiry", "view", "change"),
        *_crud("inquiries", "inquirynote", "view", "add"),
        *_crud("inquiries", "translationreport", "view", "change"),
        "operations.erase_personal_data",
        *_crud("operations", "erasure", "view"),
    ],
    "admin": "*",
}


def sync_roles(apps, roles: dict[str, list[str] | str]) -> None:
    """From a migration: create each role's group and set exactly the permissions `roles` gives it.

    Migrations pass their own frozen matrix. Safe to run again."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrations; a data migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_roles(apps, roles)


def assign_roles(apps, roles: dict[str, list[str] | str] = ROLES) -> None:
    """Set each role group's permissions, creating the groups. The permissions must exist."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # An app migrated later than this call adds its role permissions with a migration of its own.
    present = {model._meta.app_label for model in apps.get_models()}
    for role, wanted in roles.items():
        group, _ = Group.objects.get_or_create(name=role)
        if wanted == "*":
            group.permissions.set(Permission.objects.all())
            continue
        perms = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            if app_label not in present:
                continue
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is None:
                raise LookupError(f"Role {role!r} names a permission that does not exist: {dotted}")
            perms.append(perm)
        group.permissions.set(perms)


def grant_everything_to_admin(**kwargs) -> None:
    """post_migrate receiver: the admin role keeps every permission, including those of apps migrated later."""
    from django.contrib.auth.models import Group, Permission
    from django.db import DatabaseError

    try:
        group = Group.objects.filter(name="admin").first()
        if group is not None:
            group.permissions.set(Permission.objects.all())
    except DatabaseError:  # tables not there (migrating backwards): nothing to keep in step
        pass
