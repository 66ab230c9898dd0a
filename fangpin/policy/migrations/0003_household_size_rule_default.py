"""The national default of `household_size_rule` becomes `snapshot_size`.

Until issue 12 no code read this parameter: per-capita income was always divided by the
co-resident count entered with each snapshot.  Databases seeded before then hold the old seed
value `active_members`; left alone, the parameter's first reader would silently change every
per-capita figure to registered members.  Only the untouched seed row (national, the seed's
note) is changed, so a value someone set on purpose stays.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    parameter = apps.get_model("policy", "PolicyParameter")
    parameter.objects.filter(
        key="household_size_rule",
        area__isnull=True,
        value="active_members",
        note__startswith="全国默认值",
    ).update(value="snapshot_size")


class Migration(migrations.Migration):
    dependencies = [("policy", "0002_holiday_calendar")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
