"""Distribution and collection: channels, invitations, respondent pages, triggers, contact rules."""
