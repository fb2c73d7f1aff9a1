"""Privacy: data-subject requests over the apps' personal-data hooks, retention, key rotation."""
