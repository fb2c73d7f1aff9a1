"""Profiles: the customer and employee 360° view, value tiers (RFM, CLV), churn risk, segments."""
