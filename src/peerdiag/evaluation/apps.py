from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "peerdiag.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation"
