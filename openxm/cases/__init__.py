"""Cases: the inner loop. A case, its event log, notes, contact log, SLA clocks and recovery."""
