"""The plans app's part of data-subject requests (``openxm.personal_data``): nothing to find.

Action plans, their tasks and their change log name staff members (owner, assignee, who changed
what), never a customer or an employee respondent, and their targets are touchpoints, topics,
units and root-cause codes; so all three models are exempt.
"""

from __future__ import annotations

from openxm.personal_data import exempt


def register_hook() -> None:
    exempt("plans.ActionPlan", "an improvement plan: targets, metric, owner (a staff member)")
    exempt("plans.PlanTask", "a plan's task and its assignee (a staff member)")
    exempt("plans.PlanEvent", "a plan's change log (which staff member changed what)")
