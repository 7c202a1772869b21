"""Pages of the peer team capability: the bench, the team builder, briefing, confidentiality."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
