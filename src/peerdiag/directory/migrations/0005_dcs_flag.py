"""The sponsor check reads a flag on the person, not the word "director" in a job title.

The data step is deliberately conservative: it sets the flag only where the whole job title
(ignoring case, spaces and a trailing full stop) is one of a handful of titles that plainly mean
the Director of Children's Services. Anything else ("Director of Finance", "Assistant Director,
Children's Social Care", "Interim DCS", "Director of Children and Families") is left unset for a
person to decide on the person's record or in the admin.
"""

import re

from django.db import migrations, models

DCS_TITLES = frozenset(
    {
        "director of children's services",
        "director of childrens services",
        "dcs",
        "executive director of children's services",
        "executive director of childrens services",
        "corporate director, children",
        "corporate director, children's services",
        "corporate director of children's services",
    }
)


def _normalise(title: str) -> str:
    title = title.replace("\u2019", "'").strip().rstrip(".").lower()
    return re.sub(r"\s+", " ", title)


def set_flag(apps, schema_editor):
    Person = apps.get_model("directory", "Person")
    ids = [
        pk
        for pk, title in Person.objects.exclude(job_title="").values_list("pk", "job_title")
        if _normalise(title) in DCS_TITLES
    ]
    Person.objects.filter(pk__in=ids).update(is_dcs_or_equivalent=True)


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_versions")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="is_dcs_or_equivalent",
            field=models.BooleanField(
                default=False, verbose_name="Director of Children's Services (or equivalent)"
            ),
        ),
        migrations.RunPython(set_flag, migrations.RunPython.noop),
    ]
