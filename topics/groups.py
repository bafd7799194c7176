"""The Editors and Moderators groups and their permissions.

A data migration creates them; a post_migrate receiver keeps them in place
after a database flush (which empties every table but re-creates
permissions).
"""

EDITABLE = [
    ("topics", "topic"),
    ("topics", "topicversion"),
    ("topics", "section"),
    ("topics", "figure"),
    ("topics", "versionauthor"),
    ("topics", "relatedtopic"),
    ("topics", "keyfigure"),
    ("topics", "seminalwork"),
    ("topics", "person"),
    ("topics", "relatedterm"),
    ("topics", "coveragegap"),
    ("citations", "work"),
]
EDITOR_DELETES = [
    ("topics", "topicversion"),
    ("topics", "section"),
    ("topics", "figure"),
    ("topics", "versionauthor"),
    ("topics", "relatedtopic"),
    ("topics", "keyfigure"),
    ("topics", "seminalwork"),
    ("topics", "relatedterm"),
]


def ensure_groups(apps):
    """Create or complete both groups with the models of `apps`."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(pairs):
        wanted = {(app, codename) for app, codename in pairs}
        found = Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        ).select_related("content_type")
        return [p for p in found if (p.content_type.app_label, p.codename) in wanted]

    editor_pairs = [
        (app, f"{action}_{model}")
        for app, model in EDITABLE
        for action in ("add", "change", "view")
    ]
    editor_pairs += [(app, f"delete_{model}") for app, model in EDITOR_DELETES]
    editor_pairs += [("topics", "view_auditentry"), ("taggit", "view_tag")]
    editor_perms = perms(editor_pairs)
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*editor_perms)
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(
        *editor_perms,
        *perms(
            [
                ("topics", "approve_topicversion"),
                ("taggit", "add_tag"),
                ("taggit", "change_tag"),
                ("taggit", "delete_tag"),
                ("topics", "delete_coveragegap"),
            ]
        ),
    )


def ensure_groups_after_migrate(sender, **kwargs):
    from django.apps import apps

    ensure_groups(kwargs.get("apps") or apps)
