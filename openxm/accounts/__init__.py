"""Accounts: organizations (tenants), users, memberships with roles, API keys, audit log."""
