"""URLs of a diagnostic's outbox (see views/outbox.py)."""

from django.urls import path

from .views import outbox

P = "diagnostics/<str:ref>/outbox/"

urlpatterns = [
    path(P, outbox.outbox, name="outbox"),
    path(P + "<str:code>/", outbox.outbox_message, name="outbox_message"),
    path(P + "<str:code>/resend/", outbox.outbox_resend, name="outbox_resend"),
]
