"""Small pure helpers shared by every layer (no Django import)."""
