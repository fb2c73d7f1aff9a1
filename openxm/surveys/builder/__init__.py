"""The survey builder: editing a draft's pages, questions and logic in the browser."""
