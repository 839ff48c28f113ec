"""The Django application of the platform."""

from __future__ import annotations

from django.apps import AppConfig


class PlateformeConfig(AppConfig):
    name = "mixite.plateforme"
    label = "plateforme"
    verbose_name = "Plateforme mixite"
    default_auto_field = "django.db.models.BigAutoField"
