"""URLs of the portfolio pages (see views/portfolio.py): for LGA staff and administrators."""

from django.urls import URLPattern, path

from .views import portfolio

urlpatterns: list[URLPattern] = [
    path("portfolio/", portfolio.portfolio, name="portfolio"),
    path("portfolio/export.csv", portfolio.portfolio_export, name="portfolio_export"),
    path("portfolio/exports/", portfolio.portfolio_export_start, name="portfolio_export_start"),
    path(
        "portfolio/exports/<str:code>/", portfolio.portfolio_export_job, name="portfolio_export_job"
    ),
    path(
        "portfolio/exports/<str:code>/file/",
        portfolio.portfolio_export_file,
        name="portfolio_export_file",
    ),
    path("portfolio/learning/", portfolio.learning_library, name="learning_library"),
    path("portfolio/charts/", portfolio.portfolio_charts, name="portfolio_charts"),
]
