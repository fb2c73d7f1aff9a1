"""Action plans: the outer loop (issue 14). See docs/action-plans.md."""
