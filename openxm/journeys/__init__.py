"""Journeys: journeys, stages, touchpoints, service-blueprint lanes and operational metrics."""
