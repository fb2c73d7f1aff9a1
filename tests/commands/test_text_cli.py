"""``openxm text classify`` and ``openxm text train`` (through ``main`` and through ``register``)."""

import argparse
import csv

import pytest

from openxm.commands import text as text_cli


def write_csv(path, header, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def comments(tmp_path):
    path = tmp_path / "comments.csv"
    write_csv(
        path,
        ["id", "comment"],
        [
            ["1", "外卖小哥送餐太慢了，饭都凉了，再也不点了"],
            ["2", "The staff were friendly and the food was delicious"],
            ["3", "客服电话13812345678一直打不通"],
            ["4", ""],
        ],
    )
    return path


def test_classify_adds_columns(comments, tmp_path, capsys):
    out = tmp_path / "out.csv"
    code = text_cli.main(
        ["classify", "--input", str(comments), "--text-col", "comment", "--output", str(out)]
    )
    assert code == 0
    rows = read_csv(out)
    assert list(rows[0]) == [
        "id",
        "comment",
        "language",
        "sentiment",
        "sentiment_score",
        "topics",
        "flags",
        "redacted_text",
        "pii_kinds",
    ]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert (rows[0]["language"], rows[0]["sentiment"]) == ("zh", "negative")
    assert float(rows[0]["sentiment_score"]) < 0
    assert "delivery.speed" in rows[0]["topics"].split(";")
    assert rows[0]["flags"] == "churn:再也不点"
    assert (rows[1]["language"], rows[1]["sentiment"]) == ("en", "positive")
    assert "staff.attitude" in rows[1]["topics"].split(";")
    assert rows[2]["redacted_text"] == "客服电话[PHONE]一直打不通" and rows[2]["pii_kinds"] == "phone"
    assert (rows[3]["language"], rows[3]["sentiment"], rows[3]["topics"]) == ("other", "neutral", "")
    assert "wrote 4 rows" in capsys.readouterr().err


def test_classify_forced_language(comments, tmp_path):
    out = tmp_path / "out.csv"
    args = [
        "classify",
        "--input",
        str(comments),
        "--text-col",
        "comment",
        "--output",
        str(out),
        "--language",
        "en",
    ]
    assert text_cli.main(args) == 0
    assert {r["language"] for r in read_csv(out)} == {"en", "other"}  # blank stays "other"


def test_train_then_classify_with_model(tmp_path, capsys):
    train = tmp_path / "labelled.csv"
    rows = []
    for i in range(6):
        rows += [
            [f"where is my card {i}", "card_arrival"],
            [f"my card has not arrived yet {i}", "card_arrival"],
            [f"I want a refund {i}", "refund"],
            [f"please refund my money {i}", "refund"],
            [f"how do I top up {i}", "top_up"],
            [f"top up my account {i}", "top_up"],
        ]
    write_csv(train, ["text", "intent"], rows)
    model_dir = tmp_path / "model"
    code = text_cli.main(
        [
            "train",
            "--input",
            str(train),
            "--text-col",
            "text",
            "--label-col",
            "intent",
            "--output",
            str(model_dir),
            "--folds",
            "3",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "3-fold cross-validation on 36 comments" in printed
    for label in ("card_arrival", "refund", "top_up"):
        line = next(line for line in printed.splitlines() if line.startswith(label))
        precision, recall, f1, support = line.split()[1:]
        assert float(f1) == pytest.approx(1.0) and support == "12"
    assert (model_dir / "classifier.json").is_file() and (model_dir / "weights.npz").is_file()

    todo = tmp_path / "todo.csv"
    write_csv(todo, ["text"], [["I need a refund please"], ["card still not arrived"]])
    out = tmp_path / "out.csv"
    code = text_cli.main(
        [
            "classify",
            "--input",
            str(todo),
            "--text-col",
            "text",
            "--output",
            str(out),
            "--model",
            str(model_dir),
        ]
    )
    assert code == 0
    assert [r["label"] for r in read_csv(out)] == ["refund", "card_arrival"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["classify", "--input", "{missing}", "--text-col", "comment", "--output", "{out}"], "no such file"),
        (
            ["classify", "--input", "{comments}", "--text-col", "nope", "--output", "{out}"],
            "no column 'nope'",
        ),
        (
            [
                "classify",
                "--input",
                "{comments}",
                "--text-col",
                "comment",
                "--output",
                "{out}",
                "--model",
                "{tmp}",
            ],
            "no classifier.json",
        ),
        (
            [
                "train",
                "--input",
                "{comments}",
                "--text-col",
                "comment",
                "--label-col",
                "id",
                "--output",
                "{tmp}/m",
                "--folds",
                "1",
            ],
            "--folds must be at least 2",
        ),
        (["classify", "--input", "{comments}"], "the following arguments are required"),
        (
            [
                "classify",
                "--input",
                "{comments}",
                "--text-col",
                "comment",
                "--output",
                "{out}",
                "--language",
                "fr",
            ],
            "invalid choice",
        ),
    ],
)
def test_errors_are_one_line_and_exit_2(argv, message, comments, tmp_path, capsys):
    values = {
        "missing": str(tmp_path / "missing.csv"),
        "out": str(tmp_path / "o.csv"),
        "comments": str(comments),
        "tmp": str(tmp_path),
    }
    argv = [a.format(**values) for a in argv]
    try:
        code = text_cli.main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("openxm text: error: ") and message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "o.csv").exists()


def test_output_column_clash_is_refused(tmp_path, capsys):
    path = tmp_path / "c.csv"
    write_csv(path, ["comment", "sentiment"], [["好", "x"]])
    code = text_cli.main(
        ["classify", "--input", str(path), "--text-col", "comment", "--output", str(tmp_path / "o")]
    )
    assert code == 2
    assert "already has column(s) sentiment" in capsys.readouterr().err


def test_register_plugs_into_the_main_parser(comments, tmp_path):
    parser = argparse.ArgumentParser(prog="openxm")
    subparsers = parser.add_subparsers(dest="command")
    text_cli.register(subparsers)
    out = tmp_path / "out.csv"
    args = parser.parse_args(
        ["text", "classify", "--input", str(comments), "--text-col", "comment", "--output", str(out)]
    )
    assert args.func(args) == 0
    assert len(read_csv(out)) == 4
    bare = parser.parse_args(["text"])
    assert bare.func(bare) == 2
