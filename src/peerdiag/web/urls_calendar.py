"""URLs of the calendar pages (see views/calendar.py): your own feed, and the feed itself."""

from django.urls import URLPattern, path

from .views import calendar

urlpatterns: list[URLPattern] = [
    path("account/calendar/", calendar.my_calendar, name="my_calendar"),
    path("account/calendar/new-address/", calendar.my_calendar_reset, name="my_calendar_reset"),
    # Public: the secret token in the address is the only key.
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
