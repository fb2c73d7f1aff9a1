"""Customers: contacts (customers and employees) with attributes, language and consent."""
