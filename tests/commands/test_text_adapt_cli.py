"""``openxm text adapt`` then ``openxm text classify --sentiment-model`` (the issue-19 contract)."""

import csv
import json
import random

import pytest

from openxm.commands import text as text_cli

ITEMS = ["ice cream", "sorbet", "gelato", "milkshake", "sundae", "cone"]


def write_csv(path, header, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def labelled(n, seed):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        item = rng.choice(ITEMS)
        if i % 2 == 0:
            text = rng.choice([f"the {item} was cold and frozen", f"{item} came frozen solid"])
            rows.append([text, "Positive"])  # labels are read case- and space-insensitively
        else:
            rows.append([rng.choice([f"the {item} was warm", f"{item} arrived melted"]), "negative "])
    return rows


def test_adapt_then_classify_round_trip(tmp_path, capsys):
    train = tmp_path / "labels.csv"
    write_csv(train, ["评论", "标签"], labelled(60, seed=1) + [["", "positive"], ["no label", ""]], "gb18030")
    model_dir = tmp_path / "adapted"
    code = text_cli.main([
        "adapt", "--input", str(train), "--text-col", "评论", "--label-col", "标签", "--language", "en",
        "--output", str(model_dir),
    ])
    assert code == 0
    printed = capsys.readouterr().out
    assert "5-fold cross-validation on 60 labelled comments (negative 30, positive 30)" in printed
    assert all(name in printed for name in ("shipped", "recalibrated", "plain", "adapted"))
    assert "(chosen)" in printed
    meta = json.loads((model_dir / "adapted.json").read_text(encoding="utf-8"))
    report = meta["report"]
    assert report["n_labels"] == 60 and meta["chosen"] == report["chosen"] != "shipped"
    assert {c["name"] for c in report["candidates"]} == {"shipped", "recalibrated", "plain", "adapted"}
    assert all(c["low"] <= c["macro_f1"] <= c["high"] for c in report["candidates"])

    todo = tmp_path / "todo.csv"
    fresh = labelled(20, seed=2)
    write_csv(todo, ["comment"], [[t] for t, _ in fresh] + [["冰淇淋化了，太差了"]])
    plain_out, adapted_out = tmp_path / "plain.csv", tmp_path / "adapted.csv"
    base = ["classify", "--input", str(todo), "--text-col", "comment"]
    assert text_cli.main([*base, "--output", str(plain_out)]) == 0
    assert text_cli.main([*base, "--output", str(adapted_out), "--sentiment-model", str(model_dir)]) == 0
    shipped_rows, adapted_rows = read_csv(plain_out), read_csv(adapted_out)
    assert list(adapted_rows[0]) == list(shipped_rows[0])  # the same columns as without the model
    gold = [label.strip().lower() for _, label in fresh]
    right = sum(r["sentiment"] == g for r, g in zip(adapted_rows, gold, strict=False))
    shipped_right = sum(r["sentiment"] == g for r, g in zip(shipped_rows, gold, strict=False))
    assert right >= 18 and right > shipped_right
    for row in adapted_rows:
        assert -1 <= float(row["sentiment_score"]) <= 1
    assert adapted_rows[-1] == shipped_rows[-1]  # a Chinese comment keeps the shipped Chinese model


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        ([["good", "great"], ["bad", "awful"]], [], "column 'label' must hold positive, negative or neutral"),
        ([["good", "positive"], ["bad", "negative"]], [], "two comments each"),
        ([["good", "positive"]], ["--folds", "1"], "--folds must be at least 2"),
    ],
)
def test_adapt_errors_are_one_line(tmp_path, capsys, rows, extra, message):
    path = tmp_path / "l.csv"
    write_csv(path, ["text", "label"], rows)
    code = text_cli.main([
        "adapt", "--input", str(path), "--text-col", "text", "--label-col", "label", "--language", "zh",
        "--output", str(tmp_path / "m"), *extra,
    ])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("openxm text: error: ") and message in err
    assert not (tmp_path / "m").exists()


def test_classify_refuses_a_directory_that_is_not_an_adapted_model(tmp_path, capsys):
    path = tmp_path / "c.csv"
    write_csv(path, ["comment"], [["好"]])
    code = text_cli.main([
        "classify", "--input", str(path), "--text-col", "comment", "--output", str(tmp_path / "o.csv"),
        "--sentiment-model", str(tmp_path),
    ])
    assert code == 2 and "no adapted.json" in capsys.readouterr().err
