"""The command line speaks Simplified Chinese or English, as OPENXM_LANGUAGE or the locale asks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openxm.cli import main
from openxm.commands import i18n

ROOT = Path(__file__).resolve().parents[2]
OPENXM = str(Path(sys.executable).with_name("openxm"))
LOCALE_VARIABLES = ("OPENXM_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_TW.UTF-8"}, "zh-hans"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LC_MESSAGES": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh-hans"),
        ({"LC_ALL": "en_US.UTF-8", "LANGUAGE": "zh_CN"}, "zh-hans"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "fr:zh_CN:en"}, "zh-hans"),
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": "en_GB:zh_CN"}, "en"),
        ({"LANG": "C.UTF-8", "LANGUAGE": "zh_CN"}, "en"),  # the C locale ignores LANGUAGE
        ({"LANG": "zh_CN.UTF-8", "LANGUAGE": ""}, "zh-hans"),
        ({"LANG": "zh_CN.UTF-8", "OPENXM_LANGUAGE": "en"}, "en"),
        ({"LANG": "C", "OPENXM_LANGUAGE": "zh-hans"}, "zh-hans"),
        ({"LANGUAGE": "en", "OPENXM_LANGUAGE": "zh-Hans"}, "zh-hans"),
        ({"OPENXM_LANGUAGE": "  "}, "en"),
    ],
)
def test_language_choice(env, expected):
    assert i18n.language(env) == expected


@pytest.fixture
def locale(monkeypatch):
    """Set the process's language variables (the others removed) for commands run in-process."""

    def set_locale(**values):
        for name in LOCALE_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_locale


def _help(capsys, *command):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_help_in_chinese(locale, capsys):
    locale(LANG="zh_CN.UTF-8")
    out = _help(capsys, "apikey", "create")
    assert out.startswith("用法：openxm apikey create")
    assert "以服务器运维者身份创建 API 密钥" in out  # the description
    assert "--org SLUG            组织标识" in out  # an argument's help
    assert "显示此帮助信息并退出" in out  # argparse's own -h line
    assert "organization slug" not in out


def test_help_in_english(locale, capsys):
    locale(LANG="C")
    out = _help(capsys, "apikey", "create")
    assert out.startswith("usage: openxm apikey create")
    assert "--org SLUG            organization slug" in out
    assert "组织" not in out


def test_openxm_language_overrides_the_locale(locale, capsys):
    locale(LANG="zh_CN.UTF-8", OPENXM_LANGUAGE="en")
    assert "organization slug" in _help(capsys, "apikey", "create")
    locale(LC_ALL="en_US.UTF-8", OPENXM_LANGUAGE="zh-hans")
    assert "组织标识" in _help(capsys, "apikey", "create")


def test_top_level_help_lists_commands_in_chinese(locale, capsys):
    locale(LANG="zh_CN.UTF-8")
    out = _help(capsys)
    assert "开源体验管理平台" in out and "创建、列出和吊销 API 密钥" in out


def test_wrong_argument_names_the_option_in_chinese(locale, capsys):
    locale(LANG="zh_CN.UTF-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "eighty"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "openxm serve：错误：参数 --port：无效的 int 值：'eighty'（参见 'openxm serve --help'）\n"
    )
    with pytest.raises(SystemExit):
        main(["apikey", "create", "--org", "acme"])
    assert capsys.readouterr().err == (
        "openxm apikey create：错误：缺少必需的参数：--role（参见 'openxm apikey create --help'）\n"
    )


def test_wrong_argument_in_english(locale, capsys):
    locale(LANG="C", LANGUAGE="zh_CN")
    with pytest.raises(SystemExit):
        main(["serve", "--port", "eighty"])
    assert capsys.readouterr().err == (
        "openxm serve: error: argument --port: invalid int value: 'eighty' (see 'openxm serve --help')\n"
    )


def test_service_errors_in_chinese_and_django_language_restored(db, locale, capsys, monkeypatch):
    import io

    from django.utils import translation

    before = translation.get_language()
    locale(LANG="zh_CN.UTF-8")
    assert main(["apikey", "create", "--org", "no-such-org", "--role", "viewer"]) == 1
    assert capsys.readouterr().err == "openxm apikey：错误：未找到组织 'no-such-org'\n"
    assert translation.get_language() == before
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase\n"))
    assert main(["createadmin", "--email", "not-an-address", "--org", "acme", "--password-stdin"]) == 1
    assert capsys.readouterr().err == "openxm createadmin：错误：email: 不是有效的电子邮件地址\n"
    locale(LANG="en_US.UTF-8")
    assert main(["apikey", "create", "--org", "no-such-org", "--role", "viewer"]) == 1
    assert capsys.readouterr().err == "openxm apikey: error: organization 'no-such-org' not found\n"


def test_permission_and_command_errors_in_chinese(make_org, make_member, locale, capsys):
    org = make_org("acme")
    make_member(org, "viewer", "viewer@example.com")
    locale(LANG="zh_CN.UTF-8")
    assert main(["units", "export", "--org", "acme", "--user", "viewer@example.com"]) == 1
    assert capsys.readouterr().err == "openxm units：错误：您的角色不允许执行此操作（data.export）。\n"
    assert main(["units", "list", "--org", "acme", "--user", "stranger@example.com"]) == 1
    assert capsys.readouterr().err == "openxm units：错误：--user：stranger@example.com 不是“acme”的成员\n"


def test_printed_messages_in_chinese(make_org, locale, capsys, tmp_path):
    make_org("acme")
    locale(OPENXM_LANGUAGE="zh-hans")
    out = tmp_path / "units.csv"
    assert main(["units", "export", "--org", "acme", "--api-key", _owner_key("acme"), "-o", str(out)]) == 0
    assert capsys.readouterr().err.startswith("已将 ")
    assert out.read_text(encoding="utf-8-sig").startswith("code,")  # the file itself is not translated


def _owner_key(slug):
    from openxm.accounts import services

    org = services.get_organization(slug)
    return services.create_api_key(services.operator_actor(org), "test", "owner").plaintext


def _run_without_django(code: str, env_extra: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES and not k.startswith("DJANGO_")}
    env.update({"PYTHONPATH": str(ROOT), "OPENXM_HOME": str(tmp_path), **env_extra})
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )


DJANGO_FREE = """
import json, sys
from openxm.cli import main

codes = []
for argv in %s:
    try:
        codes.append(main(argv))
    except SystemExit as stop:
        codes.append(stop.code)
print(json.dumps({"codes": codes, "django": sorted(m for m in sys.modules if m.split(".")[0] == "django")}))
"""


def test_analyze_and_text_stay_free_of_django_in_chinese(tmp_path):
    (tmp_path / "scores.csv").write_text("nps,comment\n10,很好\n3,太慢\n", encoding="utf-8")
    argv = [
        ["analyze", "nps", "scores.csv", "--column", "nps"],
        ["analyze", "nps", "scores.csv", "--column", "nps", "--min-n", "many"],
        ["analyze", "kano", "scores.csv", "--feature", "x=nps"],
        ["text", "classify", "--input", "scores.csv", "--text-col", "nope", "--output", "out.csv"],
        ["text", "classify", "--input", "scores.csv", "--text-col", "comment", "--output", "out.csv"],
        ["text", "train", "--help"],
    ]
    result = _run_without_django(DJANGO_FREE % json.dumps(argv), {"LANG": "zh_CN.UTF-8"}, tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report == {"codes": [0, 2, 2, 2, 0, 0], "django": []}
    out, err = result.stdout, result.stderr
    assert "NPS = 推荐者（9–10）% − 贬损者（0–6）%" in out
    assert "openxm analyze nps：错误：参数 --min-n：无效的 int 值：'many'" in err
    assert "openxm analyze：错误：--feature 'x=nps'：应为 NAME=FUNCTIONAL_COLUMN,DYSFUNCTIONAL_COLUMN" in err
    assert "openxm text：错误：scores.csv：没有列 'nope'" in err
    assert "已将 2 行写入 out.csv" in err
    assert "保存模型的目录" in out  # train's --help
    header = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("nps,comment,language,sentiment")  # CSV columns stay as they are


def test_the_openxm_program_follows_lang(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    for lang, expected in (("zh_CN.UTF-8", "参数 --port：无效的 int 值"), ("C.UTF-8", "invalid int value")):
        result = subprocess.run(
            [OPENXM, "serve", "--port", "eighty"],
            capture_output=True,
            text=True,
            env={**env, "LANG": lang, "PYTHONPATH": str(ROOT)},
            timeout=60,
        )
        assert result.returncode == 2 and expected in result.stderr, result.stderr


def test_every_argparse_message_marked_here_is_one_argparse_uses():
    """The msgids listed for argparse are argparse's own (a Python upgrade may change them)."""
    import argparse
    import inspect

    source = inspect.getsource(argparse)
    marked = i18n._argparse_messages()
    missing = [m for m in marked if repr(m) not in source and f'"{m}"' not in source]
    assert missing == []


def test_file_problems_in_chinese(locale, capsys, tmp_path):
    """The shared reader's problems come out in the command's language, naming file and line."""
    locale(LANG="zh_CN.UTF-8")
    shifted = tmp_path / "shifted.csv"
    shifted.write_text("nps,comment\n9,好\n7,还行,多出来\n", encoding="utf-8")
    assert main(["analyze", "nps", str(tmp_path / "missing.csv"), "--column", "nps"]) == 2
    assert capsys.readouterr().err == f"openxm analyze：错误：{tmp_path / 'missing.csv'}：文件不存在\n"
    assert main(["analyze", "nps", str(shifted), "--column", "nps"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"openxm analyze：错误：{shifted}：第 3 行：该行有 3 个字段，但表头只有 2 个"), err
