"""Learning curves of the adapted sentiment model (``benchmarks/text.py --only adapt``).

For each shared domain held out in turn (Chinese: waimai, shopping; English: alexa,
amazon_cells, semeval_restaurants, yelp), a "shipped" model is trained by the shipped recipe on
the *other* domains of its language (so it has never seen the held-out one, as a real
organisation's comments), and for each number of labels n in ``SIZES`` and each seed:

* n comments of the domain are drawn at random (an organisation's corrections are not
  stratified); labels with fewer than 2 comments in the draw are dropped from it;
* ``adapt_sentiment`` (with that shipped model as its prior) is trained on them — its time is
  measured in wall and CPU seconds;
* the plain in-domain baseline — word 1–2 + char_wb 2–5 TF-IDF (scikit-learn defaults) + logistic
  regression (C = 10, balanced) — is trained on the same n;
* all three are scored on the same test comments, drawn once per domain and never labelled:
  half the domain, at most ``TEST_N`` comments; macro-F1 over the labels the domain has; a
  Chinese score > 0 is positive, as in the other Chinese figures.

Sizes larger than the other half are skipped (the UCI sets have 1,000 comments: up to 500).
Printed per domain and n: mean and standard deviation over seeds of each model's macro-F1,
the adapted model's own cross-validated estimate, which candidate it chose, and the median
time to adapt.
"""

from __future__ import annotations

import random
import statistics
import time

SIZES = (50, 100, 200, 500, 1000)
SEEDS = (0, 1, 2)
TEST_N = 2000
MIN_TEST = 300


def plain_lr(train_texts, train_labels, test_texts) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    model = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2)), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))
        ),
        LogisticRegression(C=10, class_weight="balanced", max_iter=3000),
    )
    return list(model.fit(train_texts, train_labels).predict(test_texts))


def _summary(values: list[float]) -> dict:
    return {
        "mean": round(statistics.fmean(values), 4),
        "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "runs": len(values),
    }


def domains(build, datasets, languages=("zh", "en")):
    """(language, domain, rows of the domain, rows of the other domains of the language)."""
    if "zh" in languages:
        zh = build.load_zh(datasets)
        zh_domain = {r: r[2].split(":")[0] for r in zh}
        for name in ("waimai", "shopping"):
            yield "zh", name, [r for r in zh if zh_domain[r] == name], [r for r in zh if zh_domain[r] != name]
    if "en" in languages:
        en = build.load_en(datasets)
        for name in sorted({r[2] for r in en}):
            yield "en", name, [r for r in en if r[2] == name], [r for r in en if r[2] != name]


def run(
    build, datasets, say, macro_f1, sizes=SIZES, seeds=SEEDS, languages=("zh", "en"), only=()
) -> dict:
    from collections import Counter

    from threadpoolctl import threadpool_limits

    from openxm.text.adapt import adapt_sentiment

    figures: dict = {"sizes": list(sizes), "seeds": list(seeds), "test_n": TEST_N, "domains": {}}
    for language, name, rows, others in domains(build, datasets, languages):
        if only and name not in only:
            continue
        started = time.perf_counter()
        base = build.train(others, language)
        say(f"adapt {name}: shipped recipe trained on {len(others)} other comments "
            f"({time.perf_counter() - started:.0f} s)")
        order = list(range(len(rows)))
        random.Random(f"test-{name}").shuffle(order)
        n_test = min(TEST_N, max(MIN_TEST, len(rows) // 2))
        test = [rows[i] for i in order[:n_test]]
        pool = [rows[i] for i in order[n_test:]]
        texts, gold = [r[0] for r in test], [r[1] for r in test]
        present = sorted(set(gold))
        if language == "zh":
            shipped_labels = ["positive" if s > 0 else "negative" for s in base.predict_scores(texts)]
        else:
            shipped_labels = [base.analyze(t).label for t in texts]
        shipped = macro_f1(gold, shipped_labels, present)
        entry: dict = {"language": language, "n_domain": len(rows), "n_test": len(test),
                       "labels_scored": present, "shipped": shipped, "curve": {}}
        for n in sizes:
            if n > len(pool):
                say(f"adapt {name}: n={n} skipped (only {len(pool)} comments outside the test set)")
                continue
            adapted_f1, plain_f1, estimates, chosen, wall, cpu = [], [], [], [], [], []
            for seed in seeds:
                sample = random.Random(seed * 1_000_003 + n).sample(pool, n)
                counts = Counter(r[1] for r in sample)
                sample = [r for r in sample if counts[r[1]] >= 2]
                s_texts, s_labels = [r[0] for r in sample], [r[1] for r in sample]
                w0, c0 = time.perf_counter(), time.process_time()
                model = adapt_sentiment(s_texts, s_labels, language, base=base, seed=seed)
                wall.append(time.perf_counter() - w0)
                cpu.append(time.process_time() - c0)
                with threadpool_limits(limits=1):
                    predicted = [label for label, _ in model.predict(texts)]
                    plain = plain_lr(s_texts, s_labels, texts)
                adapted_f1.append(macro_f1(gold, predicted, present))
                plain_f1.append(macro_f1(gold, plain, present))
                estimates.append(model.report.estimate.macro_f1)
                chosen.append(model.chosen)
            point = {
                "adapted": _summary(adapted_f1),
                "plain": _summary(plain_f1),
                "cv_estimate": _summary(estimates),
                "chosen": dict(Counter(chosen)),
                "adapt_seconds_wall_median": round(statistics.median(wall), 2),
                "adapt_seconds_cpu_median": round(statistics.median(cpu), 2),
            }
            entry["curve"][n] = point
            say(f"adapt {name} n={n}: adapted {point['adapted']['mean']:.4f} ± {point['adapted']['sd']:.4f}, "
                f"plain {point['plain']['mean']:.4f} ± {point['plain']['sd']:.4f}, shipped {shipped:.4f}; "
                f"CV estimate {point['cv_estimate']['mean']:.4f}; chosen {point['chosen']}; "
                f"{point['adapt_seconds_cpu_median']:.1f} CPU-s to adapt")
        figures["domains"][name] = entry
    return figures
