"""Project-wide rules: settings documented, migrations current, layers respected, the API
contract reviewed, translations complete."""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "openxm"


def test_every_environment_setting_is_documented():
    source = (PACKAGE / "settings.py").read_text()
    names = set(re.findall(r'env(?:_bool|_list)?\("([A-Z_]+)"', source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source))
    for path in PACKAGE.rglob("*.py"):
        names |= set(re.findall(r'os\.environ(?:\.get\(|\[)"([A-Z_]+)"', path.read_text()))
    docs = (ROOT / "docs" / "settings.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)`", docs, re.M))
    assert names, "found no settings: the pattern is broken"
    assert names - documented == set(), "undocumented settings"
    assert documented - names == set(), "documented settings that nothing reads"


def test_roles_doc_matches_the_role_table():
    from openxm.accounts.roles import permission_table_markdown

    assert permission_table_markdown() in (ROOT / "docs" / "roles.md").read_text()


@pytest.mark.django_db
def test_migrations_are_current():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_import_contracts():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


APPS = {
    "accounts",
    "customers",
    "journeys",
    "surveys",
    "distribution",
    "responses",
    "comments",
    "analysis",
    "insights",
    "loop",
}
THIN = {"api", "web", "commands"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def _models_module_app(name: str) -> str | None:
    """The app whose models module ``name`` is (or is inside), else None."""
    parts = name.split(".")
    is_models = len(parts) >= 3 and parts[0] == "openxm" and parts[1] in APPS and parts[2] == "models"
    return parts[1] if is_models else None


def test_thin_layers_do_not_reach_into_models_of_other_apps():
    """Views, API routes and CLI commands call services; they may not query another app's models.

    A few shell modules read accounts' choices and the API-key lookup (constants and the tenant
    root, not other apps' rows): they are listed here by name.
    """
    allowed = {
        "web/forms.py",
        "api/auth.py",
        "commands/actors.py",
        "web/templatetags/openxm_tags.py",
        "web/context_processors.py",
    }
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for layer in THIN
        for path in (PACKAGE / layer).rglob("*.py")
        for name in _imports(path)
        if (app := _models_module_app(name))
        and not (app == "accounts" and str(path.relative_to(PACKAGE)) in allowed)
    ]
    assert offenders == []


def test_apps_import_only_leftwards():
    """accounts → customers → journeys → surveys → distribution → responses → insights → loop:
    reference data (contacts,
    touchpoints) sits left of the surveys that point at it; aggregates and actions to the right."""
    order = [
        "accounts",
        "customers",
        "journeys",
        "surveys",
        "distribution",
        "responses",
        "comments",
        "analysis",
        "insights",
        "loop",
    ]
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for app in order
        if (PACKAGE / app).exists()
        for path in (PACKAGE / app).rglob("*.py")
        for name in _imports(path)
        if (parts := name.split("."))
        and len(parts) >= 2
        and parts[0] == "openxm"
        and parts[1] in order
        and order.index(parts[1]) > order.index(app)
    ]
    assert offenders == []


def test_unscoped_managers_are_used_only_where_spanning_tenants_is_intended():
    allowed = {
        "accounts/services.py",
        "accounts/audit.py",
        "accounts/signals.py",
        "accounts/tenancy.py",
        "accounts/models.py",
    }
    users = {
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if ".unscoped" in p.read_text() and "migrations" not in p.parts
    }
    assert users - allowed == set()


def test_openapi_document_matches_the_committed_contract(client):
    current = client.get("/api/v1/openapi.json").json()
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text())
    assert current == committed, "the API changed: review it, then run `openxm openapi > docs/openapi.json`"


def test_api_docs_page_is_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and b"openapi.json" in response.content


CATALOG = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_chinese_catalog_is_complete_and_compiled(tmp_path):
    stats = subprocess.run(
        ["msgfmt", "--statistics", "-o", str(tmp_path / "django.mo"), str(CATALOG / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, stats
    assert (tmp_path / "django.mo").read_bytes() == (CATALOG / "django.mo").read_bytes(), (
        "django.mo is stale: run `make messages`"
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_ui_string_is_in_the_catalog(tmp_path):
    """makemessages on a copy of the package finds no string missing from the shipped catalog."""
    from tests import polib_free_po as po

    copy = tmp_path / "openxm"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "vendor", "models"))
    subprocess.run(
        [
            str(Path(sys.executable).with_name("django-admin")),
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
            "--settings=tests.settings",
            f"--pythonpath={ROOT}",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = po.msgids(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    shipped = po.msgids(CATALOG / "django.po")
    assert fresh - shipped == set(), "new UI strings: run `make messages` and translate them"
