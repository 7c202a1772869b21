"""URLs of the messages thread (see views/messages.py)."""

from django.urls import path

from .views import messages

M = "diagnostics/<str:ref>/messages/"

urlpatterns = [
    path(M, messages.thread, name="messages"),
    path(M + "<str:code>/change/", messages.message_edit, name="message_edit"),
    path(M + "<str:code>/hide/", messages.message_hide, name="message_hide"),
]
