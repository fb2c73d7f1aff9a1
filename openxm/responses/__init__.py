"""Responses in and out: importing outside feedback, the response browser, exports for analysts."""
