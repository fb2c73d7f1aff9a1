"""``openxm analyze rfm`` and ``openxm analyze clv`` on a transactions file, without Django.

The CLV run reproduces the published CDNOW estimates (BG/NBD: Fader, Hardie & Lee 2005;
Gamma-Gamma: Fader & Hardie 2013) from the raw 1/10 sample, calibrated to 1997-09-30."""

import json
from pathlib import Path

import pytest

from openxm.commands.analyze import main

CDNOW = Path(__file__).resolve().parents[1] / "analytics" / "data" / "cdnow_sample.txt"


def run(capsys, *argv):
    code = main(["analyze", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.csv"
    lines = ["客户,日期,金额"]  # Chinese headers, GB18030: the shared reader detects both
    for line in CDNOW.read_text().splitlines():
        _master, customer, day, _cds, dollars = line.split()
        lines.append(f"{customer},{day},{dollars}")
    path.write_bytes("\n".join(lines).encode("gb18030"))
    return path


def test_clv_json_reproduces_the_published_cdnow_parameters(capsys, cdnow_csv):
    code, out, err = run(
        capsys,
        "clv",
        cdnow_csv,
        "--customer",
        "客户",
        "--date",
        "日期",
        "--value",
        "金额",
        "--calibration-end",
        "1997-09-30",
        "--horizon-weeks",
        "39",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["method"] == "bgnbd+gamma-gamma" and data["n"] == 2357 and data["repeaters"] == 946
    got = {k: round(data[k], 3) for k in ("r", "alpha", "a", "b")}
    assert got == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert (round(data["p"], 2), round(data["q"], 2), round(data["gamma"], 2)) == (6.25, 3.74, 15.44)
    first = next(c for c in data["customers"] if c["customer"] == "0001")
    assert (first["x"], first["t_x"], first["T"]) == (2, 30.4286, 38.8571)
    assert first["expected_purchases"] == pytest.approx(1.226, abs=2e-3)  # Hardie's spreadsheet, t = 39
    assert 0 < first["p_alive"] < 1 and first["clv"] > 0


def test_rfm_json_and_table(capsys, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,when,amount\na,2024-01-01,10\na,2024-01-01,5\na,2024-03-01,20\nb,20240110,100\n")
    code, out, err = run(
        capsys, "rfm", path, "--customer", "id", "--date", "when", "--value", "amount", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    rows = {c["customer"]: c for c in data["customers"]}
    assert data["as_of"] == "2024-03-01"
    assert (rows["a"]["recency_days"], rows["a"]["frequency"], rows["a"]["monetary"]) == (0, 2, 35.0)
    assert (rows["a"]["r"], rows["b"]["r"], rows["a"]["f"], rows["b"]["m"]) == (3, 1, 3, 3)
    code, out, _err = run(capsys, "rfm", path, "--customer", "id", "--date", "when", "--value", "amount")
    assert code == 0 and "tier" in out


def test_thin_data_is_labelled_simple(capsys, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,when,amount\na,2024-01-01,10\na,2024-01-15,30\nb,2024-01-08,50\n")
    code, out, err = run(capsys, "clv", path, "--customer", "id", "--date", "when", "--value", "amount")
    assert code == 0, err
    assert "simple formula" in out


@pytest.mark.parametrize(
    ("extra", "content", "message"),
    [
        ([], "id,when,amount\na,someday,10\n", "'someday' is not a date"),
        ([], "id,when,amount\na,2024-01-01,ten\n", "column 'amount'"),
        (["--horizon-weeks", "0"], "id,when,amount\na,2024-01-01,1\n", "--horizon-weeks"),
        (["--calibration-end", "soon"], "id,when,amount\na,2024-01-01,1\n", "--calibration-end"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, extra, content, message):
    path = tmp_path / "t.csv"
    path.write_text(content)
    code, _out, err = run(
        capsys, "clv", path, "--customer", "id", "--date", "when", "--value", "amount", *extra
    )
    assert code == 2 and message in err and err.count("\n") == 1
