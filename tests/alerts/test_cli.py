"""openxm alerts: apply (errors on stderr, nothing applied, dry run), export, backtest, test."""

from openxm.cli import main


def test_apply_errors_dry_run_export_backtest_and_test(org_a, nps_survey, tmp_path, capsys, receiver):
    hook = receiver()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "rules:\n  - key: detractors\n    name: D\n    when: {score: nps, op: lte}\n"
        "    actions:\n      - webhook: cx-tem\n"
    )
    assert main(["alerts", "apply", str(bad), "--org", org_a.slug]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: rule detractors: rules[0].when: operator 'lte' needs a value",
        "error: rule detractors: rules[0].actions[0].webhook: no webhook with key cx-tem",
        "nothing was applied",
    ]
    good = tmp_path / "good.yaml"
    good.write_text(
        f"webhooks:\n  - {{key: cx, url: '{hook.url}', secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}}\n"
        "rules:\n  - {key: d, name: D, when: {score: nps, op: lte, value: 6}, actions: [{webhook: cx}]}\n"
    )
    assert main(["alerts", "apply", str(good), "--org", org_a.slug, "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "create\twebhook\tcx\ncreate\trule\td\n"
    assert "dry run" in captured.err
    assert main(["alerts", "export", "--org", org_a.slug]) == 0
    assert capsys.readouterr().out == "webhooks: []\nrules: []\n"  # the dry run applied nothing
    assert main(["alerts", "apply", str(good), "--org", org_a.slug]) == 0
    capsys.readouterr()
    assert main(["alerts", "export", "--org", org_a.slug, "--format", "json"]) == 0
    assert '"key": "d"' in capsys.readouterr().out
    assert main(["alerts", "backtest", "d", "--org", org_a.slug]) == 0
    assert "would have fired 0 times in the last 30 days" in capsys.readouterr().out
    assert main(["alerts", "test", "cx", "--org", org_a.slug]) == 0
    assert capsys.readouterr().out.startswith("200\t")
    assert len(hook.requests) == 1


def test_errors_in_chinese(org_a, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENXM_LANGUAGE", "zh-hans")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - {key: r, name: R, when: {score: nps, op: lte}, actions: [{webhook: x}]}\n")
    assert main(["alerts", "apply", str(bad), "--org", org_a.slug]) == 1
    err = capsys.readouterr().err
    assert "规则 r" in err and "需要 value" in err and "未应用任何内容" in err


def _shown(email: str, digest: str, quiet: str, zone: str = "") -> str:
    return f"alert_email\t{email}\ndigest\t{digest}\nquiet_hours\t{quiet}\ntime_zone\t{zone}\n"


def test_a_members_notification_settings(org_a, make_member, capsys):
    make_member(org_a, "viewer", "vera@example.com")
    who = ["--org", org_a.slug, "--email", "vera@example.com"]
    assert main(["alerts", "settings", *who]) == 0
    assert capsys.readouterr().out == _shown("on", "none", "none")
    assert main(["alerts", "settings", *who, "--quiet-hours", "22:00-08:00", "--digest", "daily"]) == 0
    assert capsys.readouterr().out == _shown("on", "daily", "22:00-08:00")
    # each option changes only its own setting; --user is the same as --email
    member = ["--org", org_a.slug, "--user", "vera@example.com"]
    assert main(["alerts", "settings", *member, "--alert-email", "off", "--time-zone", "Asia/Shanghai"]) == 0
    assert capsys.readouterr().out == _shown("off", "daily", "22:00-08:00", "Asia/Shanghai")
    assert main(["alerts", "settings", *who, "--quiet-hours", "22:00"]) == 1
    assert "--quiet-hours" in capsys.readouterr().err
    assert main(["alerts", "settings", *who, "--time-zone", "Mars/Olympus"]) == 1
    assert "time_zone" in capsys.readouterr().err
    assert main(["alerts", "settings", *who, "--quiet-hours", "none"]) == 0
    assert "quiet_hours\tnone\n" in capsys.readouterr().out


def test_settings_errors_in_chinese(org_a, make_member, capsys, monkeypatch):
    monkeypatch.setenv("OPENXM_LANGUAGE", "zh-hans")
    make_member(org_a, "viewer", "vera@example.com")
    who = ["--org", org_a.slug, "--email", "vera@example.com"]
    assert main(["alerts", "settings", *who, "--quiet-hours", "2200"]) == 1
    assert "--quiet-hours" in (err := capsys.readouterr().err) and "例如" in err
