"""The openxm command: help for every command, one-line errors, createadmin, check, secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from openxm.cli import build_parser, main

OPENXM = str(Path(sys.executable).with_name("openxm"))


def _subcommands(parser, prefix=()):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _subcommands(sub, (*prefix, name))


COMMANDS = sorted(set(_subcommands(build_parser())))


def test_the_documented_commands_exist():
    top = {c[0] for c in COMMANDS}
    assert {"demo", "serve", "migrate", "createadmin", "apikey", "worker", "check"} <= top
    assert ("apikey", "create") in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: openxm " + " ".join(command))


def test_every_command_is_in_the_cli_reference():
    docs = Path(__file__).resolve().parents[2] / "docs"
    reference = "\n".join(p.read_text() for p in docs.glob("*.md"))
    missing = [" ".join(c) for c in COMMANDS if f"openxm {' '.join(c)}" not in reference]
    assert missing == []


@pytest.mark.parametrize(
    "argv",
    [
        ["nosuchcommand"],
        ["apikey", "create", "--org", "x", "--role", "emperor"],
        ["serve", "--port", "eighty"],
    ],
)
def test_wrong_arguments_give_one_line(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "error:" in err and "Traceback" not in err


def test_service_errors_give_one_line(db, capsys):
    assert main(["apikey", "create", "--org", "no-such-org", "--role", "viewer"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "openxm apikey: error: organization 'no-such-org' not found"


def test_createadmin_reads_password_and_validates_it(db, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["createadmin", "--email", "a@example.com", "--org", "acme", "--password-stdin"]) == 1
    assert "password:" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase\n"))
    assert main(["createadmin", "--email", "a@example.com", "--org", "acme", "--password-stdin"]) == 0
    from openxm.accounts import services

    org = services.get_organization("acme")
    user = services.memberships_of(services.bootstrap_user("a@example.com", None))[0]
    assert user.role == "owner" and user.organization == org


def test_check_reports_embedded_setup(db, capsys):
    code = main(["check"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "[ok  ] database:" in out and "[ok  ] migrations: up to date" in out
    assert "inline (no CELERY_BROKER_URL)" in out


def _run(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENXM_", "DATABASE_URL", "CELERY_"))}
    env.update({"OPENXM_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "openxm.settings", **env_extra})
    return subprocess.run([OPENXM, *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("key", [None, "changeme", "short"])
def test_serve_refuses_missing_or_placeholder_secret_key(tmp_path, key):
    extra = {"OPENXM_SECRET_KEY": key} if key else {}
    result = _run(["serve", "--port", "0"], extra, tmp_path)
    assert result.returncode == 1
    assert "OPENXM_SECRET_KEY is missing or a placeholder" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_fails_on_placeholder_key_and_passes_in_debug(tmp_path):
    assert _run(["migrate"], {"OPENXM_DEBUG": "true"}, tmp_path).returncode == 0
    failing = _run(["check"], {"OPENXM_SECRET_KEY": "changeme"}, tmp_path)
    assert failing.returncode == 1 and "[FAIL] secret key" in failing.stdout
    debug = _run(["check"], {"OPENXM_DEBUG": "true"}, tmp_path)
    assert debug.returncode == 0 and "journal_mode=wal" in debug.stdout


def test_python_m_openxm_cli_reports_an_expected_failure_in_one_line(tmp_path):
    """Run as a module, the command's CommandError is still the one the entry point catches."""
    env = {**os.environ, "OPENXM_HOME": str(tmp_path), "OPENXM_LANGUAGE": "en"}
    result = subprocess.run(
        [sys.executable, "-m", "openxm.cli", "surveys", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == "openxm surveys: error: give --org SLUG --user EMAIL, or --api-key KEY"
