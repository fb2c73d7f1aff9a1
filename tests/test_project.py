"""Project-wide rules: settings documented, migrations current, layers respected (the
import-linter contracts in pyproject.toml), the API contract reviewed, translations complete."""

import json
import re
import shutil
import subprocess
import sys
import tomllib
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


def test_the_pure_contract_forbids_every_other_module_of_openxm():
    """The pure packages may use each other, so their contract names what they may not import one
    by one: a new app or entry point (a package or module directly under openxm/) must join it.
    The order of the apps is the `layers` contract (exhaustive: it names them all)."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    pure = next(c for c in contracts if "openxm.analytics" in c.get("source_modules", []))
    assert pure["allow_indirect_imports"] is False
    forbidden = set(pure["forbidden_modules"])
    children = {f"openxm.{p.stem}" for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    children |= {f"openxm.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}
    assert {"openxm.accounts", "openxm.text", "openxm.cli"} <= children, "the pattern is broken"
    unnamed = {c for c in children - set(pure["source_modules"]) if not {c, f"{c}.*"} & forbidden}
    assert unnamed == set(), "add these to the pure contract's forbidden_modules in pyproject.toml"


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
