"""Pure text analytics for Chinese and English feedback (no Django)."""
