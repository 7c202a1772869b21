"""Load the English councils with children's services responsibilities, and the LGA."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "councils.csv"
REGIONS = {
    "East Midlands": "east_midlands",
    "East of England": "east_of_england",
    "London": "london",
    "North East": "north_east",
    "North West": "north_west",
    "South East": "south_east",
    "South West": "south_west",
    "West Midlands": "west_midlands",
    "Yorkshire and the Humber": "yorkshire_and_the_humber",
}


def load(apps, schema_editor):
    Organisation = apps.get_model("directory", "Organisation")
    from peerdiag.common.models import new_code

    Organisation.objects.get_or_create(
        name="Local Government Association", kind="lga", defaults={"code": new_code()}
    )
    with DATA.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            region = REGIONS[row["region"].strip()]
            Organisation.objects.update_or_create(
                name=row["name"].strip(),
                kind="council",
                defaults={"region": region},
                create_defaults={"region": region, "code": new_code()},
            )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
