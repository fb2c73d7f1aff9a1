"""``openxm analyze`` through its standalone ``main(argv)``: no Django needed."""

import argparse
import json
from pathlib import Path

import pytest

from openxm.commands.analyze import main, register

SURVEYS = Path(__file__).resolve().parents[2].parent / "shared/datasets/surveys"
KIOSK = SURVEYS / "kiosk_servqual_kano_ko/kiosk.utf8.csv"
ABC2 = SURVEYS / "abc_csat/ABC2.csv"


def run(capsys, *argv):
    code = main(["analyze", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def kano_file(tmp_path):
    # Chinese labels in GBK, as Chinese Excel saves "CSV"; one blank pair.
    rows = [
        ("我喜欢", "我不喜欢", "5"),
        ("我喜欢", "能忍受", "4"),
        ("理应如此", "我不喜欢", "5"),
        ("理应如此", "我不喜欢", ""),
        ("无所谓", "无所谓", "2"),
        ("", "", "3"),
    ]
    text = "快速结账-正向,快速结账-反向,重要性\n" + "".join(",".join(r) + "\n" for r in rows)
    return write(tmp_path / "kano.csv", text, "gbk")


def test_kano_json_has_the_documented_fields(capsys, kano_file):
    code, out, err = run(
        capsys, "kano", kano_file, "--feature", "checkout=#1,#2", "--importance", "checkout=重要性", "--json"
    )
    assert (code, err) == (0, "")
    [row] = json.loads(out)
    expected_keys = {
        "feature",
        "n",
        "A",
        "O",
        "M",
        "I",
        "R",
        "Q",
        "category",
        "category_moai",
        "better",
        "worse",
    }
    assert expected_keys | {"importance_mean"} <= set(row)
    assert (row["feature"], row["n"], row["A"], row["O"], row["M"], row["I"]) == ("checkout", 5, 1, 1, 2, 1)
    assert row["category"] == "M"
    assert row["better"] == pytest.approx(2 / 5) and row["worse"] == pytest.approx(-3 / 5)
    assert row["importance_mean"] == pytest.approx(19 / 5)


def test_kano_table_output_and_pouliot(capsys, kano_file):
    code, out, _ = run(capsys, "kano", kano_file, "--feature", "checkout=#1,#2")
    assert code == 0
    header, _, line = out.splitlines()[:3]
    assert header.split()[:8] == ["feature", "n", "A", "O", "M", "I", "R", "Q"]
    assert line.split()[:6] == ["checkout", "5", "1", "1", "2", "1"]
    assert "1 blank answer pairs skipped" in out
    # neutral/neutral stays I under Pouliot too; a must-be/must-be pair would not
    _, out, _ = run(capsys, "kano", kano_file, "--feature", "checkout=#1,#2", "--table", "pouliot", "--json")
    assert json.loads(out)[0]["I"] == 1


def test_kano_answer_map_in_yaml(capsys, tmp_path):
    data = write(tmp_path / "k.csv", "f,d\nSuper,Bof\nSuper,Nul\n")
    answers = write(tmp_path / "map.yaml", "Super: like\nBof: 3\nNul: dislike\n")
    code, out, _ = run(capsys, "kano", data, "--feature", "x=f,d", "--answers", answers, "--json")
    assert code == 0
    row = json.loads(out)[0]
    assert (row["A"], row["O"]) == (1, 1)
    code, _, err = run(capsys, "kano", data, "--feature", "x=f,d")
    assert code == 2
    assert err.startswith("openxm analyze: error: ") and "line 2" in err and "'Super'" in err
    assert err.count("\n") == 1


@pytest.mark.skipif(not KIOSK.exists(), reason="shared kiosk dataset not found")
def test_kano_on_the_korean_kiosk_survey(capsys):
    code, out, _ = run(
        capsys, "kano", KIOSK, "--feature", "accuracy=#52,#53", "--feature", "zoom=#157,#158", "--json"
    )
    assert code == 0
    accuracy, zoom = json.loads(out)
    assert {k: accuracy[k] for k in "AOMIRQ"} == {"A": 43, "O": 52, "M": 90, "I": 21, "R": 0, "Q": 1}
    assert accuracy["category"] == "M" and accuracy["missing"] == 4
    assert zoom["category"] == "A"


def test_servqual_hand_checked(capsys, tmp_path):
    data = write(tmp_path / "sq.csv", "e1,p1,e2,p2\n7,5,7,4\n6,6,7,5\n5,4,7,6\n7,6,7,5\n")
    argv = ["servqual", data, "--item", "T1=e1,p1,tangibles", "--item", "R1=e2,p2,Reliability"]
    code, out, _ = run(capsys, *argv, "--weight", "tangibles=40", "--weight", "reliability=60", "--json")
    assert code == 0
    result = json.loads(out)
    assert [i["gap"] for i in result["items"]] == [-1.0, -2.0]
    assert [d["name"] for d in result["dimensions"]] == ["tangibles", "reliability"]
    assert result["unweighted"] == pytest.approx(-1.5)
    assert result["weighted"] == pytest.approx(-1.6)
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "unweighted SERVQUAL -1.50" in out
    code, _, err = run(capsys, "servqual", data, "--item", "T1=e1,p1,tangible")
    assert code == 2 and "'tangible'" in err


@pytest.mark.skipif(not KIOSK.exists(), reason="shared kiosk dataset not found")
def test_servqual_on_the_kiosk_survey(capsys):
    code, out, _ = run(
        capsys,
        "servqual",
        KIOSK,
        "--item",
        "accurate=#4,#5,reliability",
        "--item",
        "processes input=#6,#7,reliability",
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["respondents"] == 211
    assert result["items"][0]["n"] == 207
    assert result["dimensions"][0]["gap"] == pytest.approx((-0.55 + -0.39) / 2, abs=0.01)


def test_drivers_on_a_small_file_and_bootstrap_flags(capsys, tmp_path):
    lines = ["y,a,b"] + [
        f"{y},{a},{b}"
        for y, a, b in [
            (1, 1, 2),
            (2, 2, 1),
            (3, 3, 3),
            (4, 3, 5),
            (5, 5, 4),
            (4, 4, 4),
            (2, 1, 3),
            ("NA", 2, 2),
        ]
    ]
    data = write(tmp_path / "d.csv", "\n".join(lines) + "\n")
    code, out, _ = run(capsys, "drivers", data, "--outcome", "y", "--driver", "a", "--driver", "b", "--json")
    assert code == 0
    result = json.loads(out)
    assert (result["n"], result["dropped"]) == (7, 1)
    assert sum(w["weight"] for w in result["weights"]) == pytest.approx(result["r_squared"])
    code, out, _ = run(
        capsys,
        "drivers",
        data,
        "--outcome",
        "y",
        "--driver",
        "a",
        "--driver",
        "b",
        "--method",
        "shapley",
        "--bootstrap",
        "50",
    )
    assert code == 0 and "shapley: R² =" in out and "50 bootstrap resamples, seed 0" in out


@pytest.mark.skipif(not ABC2.exists(), reason="shared ABC dataset not found")
def test_drivers_on_abc2(capsys):
    drivers = ["Equipment", "SalesSup", "TechnicalSup", "Suppliers", "AdministrativeSup", "TermsCondPrices"]
    argv = ["drivers", ABC2, "--outcome", "Satisfaction", "--json"]
    for name in drivers:
        argv += ["--driver", name]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    result = json.loads(out)
    assert result["n"] == 216 and result["r_squared"] == pytest.approx(0.5049, abs=1e-4)
    assert max(result["weights"], key=lambda w: w["weight"])["driver"] == "TechnicalSup"


def test_ipa_stated_and_derived(capsys, tmp_path):
    data = write(tmp_path / "ipa.csv", "sp,si,pp,pi,overall\n2,7,6,3,4\n3,7,7,2,5\n4,7,5,4,3\n")
    code, out, _ = run(capsys, "ipa", data, "--attribute", "speed=sp,si", "--attribute", "price=pp,pi")
    assert code == 0
    assert "Concentrate here" in out.splitlines()[2] and "Possible overkill" in out.splitlines()[3]
    code, out, _ = run(
        capsys,
        "ipa",
        data,
        "--attribute",
        "speed=sp",
        "--attribute",
        "price=pp",
        "--outcome",
        "overall",
        "--crosshair",
        "0,4",
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["importance_kind"] == "derived"
    assert result["attributes"][1]["importance"] == pytest.approx(1.0)  # price tracks overall exactly
    code, _, err = run(capsys, "ipa", data, "--attribute", "speed=sp,si", "--attribute", "price=pp")
    assert code == 2 and "every --attribute or for none" in err


@pytest.fixture
def scores_file(tmp_path):
    rows = [
        ("10", "5", "7", "web", "1"),
        ("9", "4", "6", "web", "1"),
        ("6", "2", "2", "store", "2"),
        ("0", "1", "1", "store", "2"),
        ("8", "5", "", "store", ""),
        ("", "3", "4", "web", "1"),
    ]
    return write(
        tmp_path / "scores.csv", "nps,csat,ces,channel,w\n" + "".join(",".join(r) + "\n" for r in rows)
    )


def test_nps_json_fields(capsys, scores_file):
    code, out, _ = run(capsys, "nps", scores_file, "--column", "nps", "--json")
    assert code == 0
    result = json.loads(out)
    assert {"n", "score", "ci_low", "ci_high", "mean", "counts"} <= set(result)
    assert (result["n"], result["score"], result["missing"]) == (5, 0.0, 1)
    assert result["counts"]["10"] == 1 and len(result["counts"]) == 11


def test_csat_by_group_and_suppression(capsys, scores_file):
    code, out, _ = run(capsys, "csat", scores_file, "--column", "csat", "--by", "channel", "--json")
    assert code == 0
    groups = {g["group"]: g for g in json.loads(out)}
    assert groups["web"]["score"] == pytest.approx(200 / 3)
    assert groups["store"]["score"] == pytest.approx(100 / 3)
    code, out, _ = run(capsys, "csat", scores_file, "--column", "csat", "--by", "channel", "--min-n", "4")
    assert code == 0
    lines = out.splitlines()
    assert lines[2].split()[:3] == ["All", "6", "50.0"]
    assert lines[3].split()[2] == "–"  # store: 3 answers, suppressed
    assert "2 group(s) below min n suppressed" in out


def test_ces_with_weights(capsys, scores_file):
    code, out, _ = run(capsys, "ces", scores_file, "--column", "ces", "--weight", "w", "--json")
    assert code == 0
    result = json.loads(out)
    # blank weight drops the row; weights 1,1,2,2,1 on 7,6,2,1,4 → 23/7
    assert result["n"] == 5
    assert result["score"] == pytest.approx(23 / 7)
    assert result["effective_n"] == pytest.approx(49 / 11)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["nps", "{dir}/missing.csv", "--column", "x"], "missing.csv: no such file"),
        (["nps", "{file}", "--column", "nope"], "no column 'nope'"),
        (["nps", "{file}", "--column", "#9"], "column #9 does not exist; there are 5 columns"),
        (
            ["csat", "{file}", "--column", "nps"],
            "line 2: column 'nps': CSAT answer '10' is outside the 1–5 scale",
        ),
        (["kano", "{file}", "--feature", "x=nps"], "--feature 'x=nps': expected NAME=FUNCTIONAL_COLUMN"),
        (["drivers", "{file}", "--outcome", "nps", "--driver", "channel"], "'channel'"),
        (["ipa", "{file}", "--attribute", "a=nps", "--outcome", "csat", "--crosshair", "x"], "--crosshair"),
        (["kano", "{file}", "--feature", "x=nps,csat", "--feature", "x=ces,csat"], "'x' is given twice"),
    ],
)
def test_errors_are_one_line_with_exit_2(capsys, scores_file, argv, fragment):
    argv = [a.format(dir=scores_file.parent, file=scores_file) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("openxm analyze: error: ")
    assert fragment in err
    assert err.count("\n") == 1


def test_usage_errors_and_help(capsys, scores_file):
    code, _, err = run(capsys, "nps", scores_file)
    assert code == 2 and "--column" in err and err.count("\n") == 1
    code, _, err = run(capsys, "kano", scores_file, "--feature", "x=a,b", "--table", "kano")
    assert code == 2 and "invalid choice" in err
    assert main(["analyze", "--help"]) == 0
    out = capsys.readouterr().out
    for method in ("kano", "servqual", "drivers", "ipa", "nps", "csat", "ces"):
        assert method in out


def test_register_plugs_into_a_top_level_parser():
    parser = argparse.ArgumentParser(prog="openxm")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["analyze", "nps", "f.csv", "--column", "q1"])
    assert args.command == "analyze" and args.func.__name__ == "run_metric" and args.metric == "nps"
    args = parser.parse_args(["analyze", "kano", "f.csv", "--feature", "a=b,c"])
    assert args.func.__name__ == "run_kano"
