"""Employee experience: confidential results of employee surveys (eNPS, engagement, the
internal-customer matrix), released only as suppressed group figures, and their thresholds."""
