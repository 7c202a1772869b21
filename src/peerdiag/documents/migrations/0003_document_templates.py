"""Standard key document lists per diagnostic type, kept as data LGA administrators can edit.

The lists below are the starting point only: the admin site changes them afterwards.
"""

from typing import Any

from django.db import migrations, models

ALL = "all"

# (type, order, title, category)
STARTING_LISTS: list[tuple[str, int, str, str]] = [
    # Every type of diagnostic
    (ALL, 20, "Most recent inspection or monitoring letter", "inspection"),
    (ALL, 30, "Current improvement plan", "plans"),
    (ALL, 40, "Latest performance data and scorecard", "performance"),
    (ALL, 50, "Quality assurance and audit framework, with recent findings", "quality"),
    (ALL, 60, "Structure charts for the service", "structure"),
    (ALL, 70, "Workforce data: vacancies, turnover, agency staff and caseloads", "workforce"),
    (ALL, 80, "Partnership arrangements and governance", "partnerships"),
    (
        ALL,
        90,
        "Latest annual report of the local safeguarding children partnership",
        "partnerships",
    ),
    # Safeguarding
    (
        "safeguarding",
        10,
        "Self-evaluation of social work practice (the latest one shared with Ofsted)",
        "self_assessment",
    ),
    ("safeguarding", 45, "Ofsted ILACS annex A data from the latest return", "inspection"),
    # SEND
    ("send", 10, "SEND self-evaluation", "self_assessment"),
    ("send", 35, "SEND improvement or strategic action plan", "plans"),
    (
        "send",
        45,
        "EHCP data: requests, plans issued within 20 weeks and annual reviews held",
        "performance",
    ),
    # Early years
    ("early_years", 10, "Self-assessment or position statement", "self_assessment"),
    (
        "early_years",
        45,
        "Early years outcome data, such as the share of children reaching a good level of "
        "development",
        "performance",
    ),
    # Children's services and other diagnostics
    ("childrens_services", 10, "Self-assessment or position statement", "self_assessment"),
    ("other", 10, "Self-assessment or position statement", "self_assessment"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    Item = apps.get_model("documents", "DocumentTemplateItem")
    for type_, order, title, category in STARTING_LISTS:
        Item.objects.get_or_create(
            type=type_, title=title, defaults={"order": order, "category": category}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_versions"),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentTemplateItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("all", "Every type of diagnostic"),
                            ("safeguarding", "Safeguarding"),
                            ("send", "SEND"),
                            ("early_years", "Early years"),
                            ("childrens_services", "Children's services"),
                            ("other", "Other"),
                        ],
                        help_text="Every type of diagnostic, or one type only",
                        max_length=20,
                        verbose_name="for",
                    ),
                ),
                (
                    "title",
                    models.CharField(help_text="What the council is asked to send", max_length=200),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("self_assessment", "Self-assessment"),
                            ("inspection", "Inspection and regulation"),
                            ("plans", "Plans and strategies"),
                            ("performance", "Performance data"),
                            ("quality", "Quality assurance"),
                            ("structure", "Structure and governance"),
                            ("workforce", "Workforce"),
                            ("partnerships", "Partnerships"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                    ),
                ),
                (
                    "order",
                    models.PositiveSmallIntegerField(
                        default=0, help_text="Lower numbers come first in the list of requests"
                    ),
                ),
            ],
            options={
                "verbose_name": "standard key document",
                "verbose_name_plural": "standard key documents",
                "ordering": ["order", "title"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("type", "title"), name="document_template_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
