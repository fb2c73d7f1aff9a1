"""The survey builder: editing a draft's pages, questions and logic in the browser.

Included under ``surveys/<ref>/builder/`` in the ``surveys`` namespace.
"""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.builder, name="builder"),
    path("save/", views.save, name="builder_save"),
    path("publish/", views.publish, name="builder_publish"),
]
