"""Seed the classic four perspectives of the Balanced Scorecard, bottom of the map first."""

from django.db import migrations

CLASSIC_PERSPECTIVES = [
    (1, "Learning & Growth", "#7c3aed", "People, skills, culture and systems the strategy needs."),
    (2, "Internal Process", "#0369a1", "The processes we must excel at."),
    (3, "Customer", "#b45309", "How customers see us."),
    (4, "Financial", "#047857", "How we succeed financially."),
]


def seed(apps, schema_editor):
    Perspective = apps.get_model("scorecard", "Perspective")
    for order, name, color, description in CLASSIC_PERSPECTIVES:
        Perspective.objects.get_or_create(
            order=order, defaults={"name": name, "color": color, "description": description}
        )


def unseed(apps, schema_editor):
    Perspective = apps.get_model("scorecard", "Perspective")
    Perspective.objects.filter(name__in=[row[1] for row in CLASSIC_PERSPECTIVES]).delete()


class Migration(migrations.Migration):
    dependencies = [("scorecard", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
