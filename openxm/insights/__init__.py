"""Insights: metric rollups, the metrics engine's persistence, dashboards, reports and exports."""
