"""Build the shipped sentiment models in openxm/text/models/ from ../shared/datasets.

    .venv/bin/python scripts/build_text_models.py [--datasets DIR] [--output DIR]

Chinese (two-class): waimai_10k (food delivery) + online_shopping_9_cats (9 shopping
categories), all rows. English (three-class): UCI amazon_cells + yelp (two-class), Amazon Alexa
reviews (rating 1–2 negative, 3 neutral, 4–5 positive) and SemEval-2014 restaurant sentences
(sentence label = the polarity all its aspect categories agree on; sentences whose aspects
disagree or are "conflict" are left out). The recipe is ``openxm.text.training.train_sentiment``
with its default ``SentimentRecipe``, the same function the benchmark uses per held-out domain;
the shipped models see all the data and no self-training (there is no target domain).
The loaders below are imported by benchmarks/text.py too. Deterministic: same data, same files.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openxm.text.training import train_sentiment  # noqa: E402

DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"
Row = tuple[str, str, str]  # (text, label, domain)


def _label2(value: str) -> str:
    return "positive" if value.strip() == "1" else "negative"


def load_zh(datasets: Path = DEFAULT_DATASETS) -> list[Row]:
    """Chinese rows; domain is "waimai" or "shopping:<category>"."""
    rows: list[Row] = []
    with (datasets / "zh" / "waimai_10k.csv").open(encoding="utf-8") as f:
        rows += [
            (r["review"], _label2(r["label"]), "waimai") for r in csv.DictReader(f) if r["review"].strip()
        ]
    with (datasets / "zh" / "online_shopping_9_cats.csv").open(encoding="utf-8") as f:
        rows += [
            (r["review"], _label2(r["label"]), "shopping:" + r["cat"])
            for r in csv.DictReader(f)
            if (r["review"] or "").strip()
        ]
    return rows


def load_en(datasets: Path = DEFAULT_DATASETS) -> list[Row]:
    """English three-class rows; domain is amazon_cells, yelp, alexa or semeval_restaurants."""
    rows: list[Row] = []
    for name in ("amazon_cells", "yelp"):
        path = datasets / "en" / f"{name}_labelled.txt"
        for line in path.read_text(encoding="utf-8").splitlines():
            text, _, label = line.rpartition("\t")
            if text.strip() and label.strip() in ("0", "1"):
                rows.append((text.strip(), _label2(label), name))
    with (datasets / "en" / "amazon_alexa.tsv").open(encoding="utf-8-sig") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            text = (r["verified_reviews"] or "").strip()
            if not text:
                continue
            rating = int(r["rating"])
            label = "negative" if rating <= 2 else "neutral" if rating == 3 else "positive"
            rows.append((text, label, "alexa"))
    tree = ET.parse(datasets / "en" / "semeval2014_restaurants_train.xml")  # noqa: S314 - local file
    for sentence in tree.getroot().iter("sentence"):
        text = (sentence.findtext("text") or "").strip()
        polarities = {c.get("polarity") for c in sentence.iter("aspectCategory")}
        if text and len(polarities) == 1 and polarities <= {"positive", "negative", "neutral"}:
            rows.append((text, polarities.pop(), "semeval_restaurants"))
    return rows


def train(
    rows: list[Row], language: str, unlabelled: list[str] | tuple = (), metadata: dict | None = None,
    recipe=None,
):
    """The shared recipe: train_sentiment on (text, label) rows.

    English rows pass their domains, used only by a recipe that balances per domain
    (``openxm.text.training.DOMAIN_BALANCED``; the default recipe ignores them).
    """
    return train_sentiment(
        [r[0] for r in rows], [r[1] for r in rows], language, unlabelled=unlabelled, metadata=metadata,
        recipe=recipe, domains=[r[2] for r in rows] if language == "en" else None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--output", type=Path, default=ROOT / "openxm" / "text" / "models")
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    for language, loader in (("zh", load_zh), ("en", load_en)):
        started = time.perf_counter()
        rows = loader(args.datasets)
        domains = sorted({r[2].split(":")[0] for r in rows})
        counts = {label: sum(r[1] == label for r in rows) for label in ("negative", "neutral", "positive")}
        model = train(rows, language, metadata={"trained_on": domains, "n": len(rows), "labels": counts})
        path = args.output / f"sentiment_{language}.json.gz"
        model.save(path)
        print(
            f"{language}: {len(rows)} comments from {', '.join(domains)} {counts} -> {path.name} "
            f"({path.stat().st_size / 1e6:.2f} MB, {len(model.index)} n-grams, "
            f"{time.perf_counter() - started:.0f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
