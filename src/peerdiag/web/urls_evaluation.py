"""URLs of the evaluation pages (see views/evaluation.py)."""

from django.urls import URLPattern, path

from .views import evaluation

D = "diagnostics/<str:ref>/"

urlpatterns: list[URLPattern] = [
    # Public: the secret token in the address is the only key (no account needed).
    path("survey/<str:token>/", evaluation.survey, name="survey"),
    path(D + "evaluation/", evaluation.evaluation, name="evaluation"),
    path(D + "evaluation/send/", evaluation.evaluation_send, name="evaluation_send"),
    path(D + "evaluation/outcome/", evaluation.evaluation_outcome, name="evaluation_outcome"),
    path(D + "evaluation/check-ins/", evaluation.check_ins_plan, name="check_ins_plan"),
    path(
        D + "evaluation/check-ins/<str:code>/",
        evaluation.check_in_record,
        name="check_in_record",
    ),
]
