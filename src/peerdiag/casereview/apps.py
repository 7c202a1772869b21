from django.apps import AppConfig


class CaseReviewConfig(AppConfig):
    name = "peerdiag.casereview"
    label = "casereview"
    verbose_name = "Case record review"
