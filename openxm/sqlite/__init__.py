"""The SQLite database backend of the embedded default (see ``base``)."""
