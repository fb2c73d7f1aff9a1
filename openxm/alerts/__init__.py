"""Alerts: rules on responses (inbox, e-mail, signed webhooks), back-tests, rules as code."""
