"""The profiles app's part of data-subject requests (``openxm.personal_data``).

Included: each of the subject's contacts' value row (RFM, CLV, churn risk and its reasons),
deleted on erasure. Excluded (exempt): value runs (model parameters), segments (rules) and churn
models (their evaluation), which describe the organization, not a person.
"""

from __future__ import annotations

from openxm.personal_data import exempt, register, rows_by_contact

from .models import ContactValue


def register_hook() -> None:
    register(rows_by_contact("profiles", "profiles.ContactValue", ContactValue.objects.for_org))
    exempt("profiles.ValueRun", "one refresh of the value models: parameters and fit")
    exempt("profiles.Segment", "a saved rule over attributes, behaviour, value and experience")
    exempt("profiles.ChurnModel", "a churn model's evaluation on the organization's history")
