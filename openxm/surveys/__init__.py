"""Surveys: definitions, distribution, collection and responses."""
