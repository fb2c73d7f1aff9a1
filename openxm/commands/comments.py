"""openxm comments: re-analyse stored comments, print topic figures, train and switch custom classifiers.

    openxm comments reanalyze --org SLUG [--survey KEY]
    openxm comments topics --org SLUG [--survey KEY] [--period 90d] [--touchpoint KEY] [--kind topic]
    openxm comments train --org SLUG --input FILE --text-col COL --label-col COL --name NAME
                          [--kind topic|intent] [--activate]
    openxm comments classifiers --org SLUG
    openxm comments activate ID --org SLUG  (and deactivate)

``--org SLUG`` alone acts as the server's operator (owner rights, audited as via=cli); with
``--user EMAIL`` or ``--api-key`` it acts as that member or key. Work runs in this process, with
its progress on stderr.
"""

import sys

from . import django_command
from .actors import actor_from_args, add_actor_arguments


def register(subparsers):
    p = subparsers.add_parser(
        "comments", help="Text analytics: re-analyse comments, topic figures, custom classifiers"
    )
    sub = p.add_subparsers(dest="comments_command", metavar="ACTION", required=True)

    re_ = sub.add_parser(
        "reanalyze",
        help="Re-analyse stored comments with the taxonomy and classifiers in force",
        description="Replaces the topics, sentiment and flags of every comment (or one survey's); "
        "responses are not touched.",
    )
    re_.add_argument("--survey", metavar="KEY", help="only this survey's comments (id or key)")
    add_actor_arguments(re_)
    django_command(re_, run_reanalyze)

    top = sub.add_parser("topics", help="Print topic volume, sentiment, NPS impact and trend")
    top.add_argument("--survey", metavar="KEY")
    top.add_argument("--touchpoint", metavar="KEY")
    top.add_argument("--period", default="90d", choices=("30d", "90d", "180d", "365d", "all"))
    top.add_argument("--kind", default="topic", choices=("topic", "intent", "flag"))
    top.add_argument("--lang", default="en", choices=("en", "zh"), help="label language")
    add_actor_arguments(top)
    django_command(top, run_topics)

    train = sub.add_parser(
        "train",
        help="Train a topic or intent classifier from a file of labelled comments",
        description="Reads CSV/TSV/XLSX, prints cross-validated precision, recall and F1 per label. "
        "The classifier stays off unless --activate.",
    )
    train.add_argument("--input", required=True, metavar="FILE")
    train.add_argument("--text-col", required=True, metavar="COL")
    train.add_argument("--label-col", required=True, metavar="COL")
    train.add_argument("--name", required=True)
    train.add_argument("--kind", default="topic", choices=("topic", "intent"))
    train.add_argument("--activate", action="store_true", help="switch it on after training")
    add_actor_arguments(train)
    django_command(train, run_train)

    lst = sub.add_parser("classifiers", help="List the organization's classifiers")
    add_actor_arguments(lst)
    django_command(lst, run_list)

    for action in ("activate", "deactivate"):
        a = sub.add_parser(
            action, help=f"Switch a trained classifier {'on' if action == 'activate' else 'off'}"
        )
        a.add_argument("classifier", type=int, metavar="ID")
        add_actor_arguments(a)
        django_command(a, run_activate if action == "activate" else run_deactivate)


def _actor(args):
    if args.org and not args.user and not args.api_key:
        import os

        if not os.environ.get("OPENXM_API_KEY"):
            from openxm.accounts import services

            return services.operator_actor(services.get_organization(args.org))
    return actor_from_args(args)


def run_reanalyze(args) -> int:
    from openxm.comments import services

    def show(job) -> None:
        print(f"\r{job.done}/{job.total} comments ({job.percent} %)", end="", file=sys.stderr, flush=True)

    job = services.start_reanalysis(
        _actor(args), survey=args.survey, reason="cli", inline=True, progress=show
    )
    print(file=sys.stderr)
    if job.status != "done":
        print(f"openxm comments: error: re-analysis {job.pk} failed: {job.error}", file=sys.stderr)
        return 1
    print(
        f"re-analysed {job.total} comments (job {job.pk}, taxonomy version {job.taxonomy_version}, "
        f"{job.seconds} s)"
    )
    return 0


def run_topics(args) -> int:
    from openxm.comments import services

    actor = _actor(args)
    scope = services.scope_for(actor, survey=args.survey, touchpoint=args.touchpoint, period=args.period)
    figures = services.figures(actor, scope, kind=args.kind, language=args.lang)
    print(
        f"{'topic':<28} {'comments':>8} {'share':>7} {'sentiment':>9} {'NPS with':>8} "
        f"{'impact':>7} {'trend':>6}"
    )
    for f in figures:

        def fmt(value, spec):
            return "—" if value is None else format(value, spec)

        name = ("  " * f.depth + f.topic)[:28]
        print(
            f"{name:<28} {f.volume:>8} {f.share:>6.1f}% {fmt(f.mean_sentiment, '+.2f'):>9} "
            f"{fmt(f.nps_with, '+.0f'):>8} {fmt(f.nps_impact, '+.1f'):>7} {fmt(f.trend, '+.1f'):>6}"
            f"{'  surge' if f.surge else ''}"
        )
    if not figures:
        print("(no analysed comments in this scope)", file=sys.stderr)
    return 0


def run_train(args) -> int:
    from pathlib import Path

    from openxm.cli import CommandError
    from openxm.comments import services

    actor = _actor(args)
    path = Path(args.input)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    with path.open("rb") as stream:
        row = services.upload_classifier(actor, args.name, args.kind, stream, path.name)
    row = services.train_classifier(actor, row.pk, args.text_col, args.label_col, inline=True)
    if row.status != "trained":
        raise CommandError(f"training failed: {row.error}")
    report = row.report
    print(
        f"classifier {row.pk} '{row.name}' ({row.kind}, {row.language}): {row.n_examples} examples, "
        f"{report.get('folds')}-fold cross-validation"
    )
    print(f"{'label':<30} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>6}")
    for s in report.get("labels", []):
        print(
            f"{s['label'][:30]:<30} {s['precision']:>9.2f} {s['recall']:>7.2f} {s['f1']:>6.2f} "
            f"{s['support']:>6}"
        )
    print(f"macro F1 {report.get('macro_f1', 0):.3f}, accuracy {report.get('accuracy', 0):.3f}")
    if report.get("skipped_labels"):
        print(f"not scored (one example): {', '.join(report['skipped_labels'])}")
    if args.activate:
        services.set_classifier_active(actor, row.pk, True)
        print("switched on: new comments get its label (re-analyse to label stored ones)")
    return 0


def run_list(args) -> int:
    from openxm.comments import services

    for c in services.list_classifiers(_actor(args)):
        f1 = (c.report or {}).get("macro_f1")
        print(
            f"{c.pk:>4}  {c.name:<30} {c.kind:<7} {c.status:<9} labels={len(c.labels or [])} "
            f"macro_f1={'—' if f1 is None else f'{f1:.2f}'}"
        )
    return 0


def run_activate(args) -> int:
    from openxm.comments import services

    row = services.set_classifier_active(_actor(args), args.classifier, True)
    print(f"classifier {row.pk} '{row.name}' is {row.status}")
    return 0


def run_deactivate(args) -> int:
    from openxm.comments import services

    row = services.set_classifier_active(_actor(args), args.classifier, False)
    print(f"classifier {row.pk} '{row.name}' is {row.status}")
    return 0
