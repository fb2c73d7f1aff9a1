"""Analysis studies: KANO, SERVQUAL, importance–performance and key drivers on survey data."""
