"""Pure CX statistics and analysis methods (no Django)."""
