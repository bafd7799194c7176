from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITABLE = [
    ("topics", "topic"),
    ("topics", "topicversion"),
    ("topics", "section"),
    ("topics", "relatedtopic"),
    ("topics", "keyfigure"),
    ("topics", "seminalwork"),
    ("topics", "person"),
    ("citations", "work"),
]
EDITOR_DELETES = [
    ("topics", "topicversion"),
    ("topics", "section"),
    ("topics", "relatedtopic"),
    ("topics", "keyfigure"),
    ("topics", "seminalwork"),
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perm(app, codename):
        return Permission.objects.get(content_type__app_label=app, codename=codename)

    editor_perms = [
        perm(app, f"{action}_{model}")
        for app, model in EDITABLE
        for action in ("add", "change", "view")
    ]
    editor_perms += [perm(app, f"delete_{model}") for app, model in EDITOR_DELETES]
    editor_perms += [perm("topics", "view_auditentry"), perm("taggit", "view_tag")]
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*editor_perms)
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(*editor_perms, perm("topics", "approve_topicversion"))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Editors", "Moderators"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0001_initial"),
        ("citations", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
