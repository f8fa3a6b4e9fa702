
import scorecard.models
from django.db import migrations, models


def keep_every_kind_in_use(apps, schema_editor):
    """The organization's kinds are the four it had, and any other a unit already holds."""
    settings_model = apps.get_model("scorecard", "OrganizationSettings")
    in_use = apps.get_model("scorecard", "OrgUnit").objects.values_list("kind", flat=True)
    row = settings_model.objects.filter(pk=1).first()
    kinds = list(row.unit_kinds) if row else scorecard.models.default_unit_kinds()
    extra = sorted(set(in_use) - set(kinds))
    if row is None and not extra:
        return
    row = row or settings_model(pk=1)
    row.unit_kinds = kinds + extra
    row.save()


class Migration(migrations.Migration):

    dependencies = [
        ('scorecard', '0003_period_grain'),
    ]

    operations = [
        migrations.AddField(
            model_name='organizationsettings',
            name='unit_kinds',
            field=models.JSONField(default=scorecard.models.default_unit_kinds, help_text='The kinds of unit, as keys like focus-area; pages show them as Focus area.'),
        ),
        migrations.AddField(
            model_name='perspective',
            name='archived_at',
            field=models.DateTimeField(blank=True, help_text='Archived: kept for the objectives it holds, no new ones.', null=True),
        ),
        migrations.AlterField(
            model_name='orgunit',
            name='kind',
            field=models.CharField(help_text="One of the organization's unit kinds (settings).", max_length=20),
        ),
        migrations.RunPython(keep_every_kind_in_use, migrations.RunPython.noop),
    ]
