"""Lets this pure-code suite run without pytest-django (``pytest -p no:django``).

pyproject.toml sets the pytest-django option DJANGO_SETTINGS_MODULE and --strict-config, so
without the plugin pytest stops at "Unknown config option". Declaring the option here keeps
the strict check for every other key; with the plugin loaded the declaration is a no-op.
"""


def pytest_addoption(parser):
    parser.addini("DJANGO_SETTINGS_MODULE", "settings module for pytest-django (declared for -p no:django)")
