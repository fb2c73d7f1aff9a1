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

from . import django_command, i18n
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "comments", help=_("Text analytics: re-analyse comments, topic figures, custom classifiers")
    )
    sub = p.add_subparsers(dest="comments_command", metavar="ACTION", required=True)

    re_ = sub.add_parser(
        "reanalyze",
        help=_("Re-analyse stored comments with the taxonomy and classifiers in force"),
        description=_(
            "Replaces the topics, sentiment and flags of every comment (or one survey's); "
            "responses are not touched."
        ),
    )
    re_.add_argument("--survey", metavar="KEY", help=_("only this survey's comments (id or key)"))
    add_actor_arguments(re_)
    django_command(re_, run_reanalyze)

    top = sub.add_parser("topics", help=_("Print topic volume, sentiment, NPS impact and trend"))
    top.add_argument("--survey", metavar="KEY", help=_("only this survey's comments (id or key)"))
    top.add_argument("--touchpoint", metavar="KEY", help=_("only comments about this touchpoint"))
    top.add_argument("--unit", metavar="CODE", help=_("only comments of this unit and the units below it"))
    top.add_argument(
        "--period",
        default="90d",
        choices=("30d", "90d", "180d", "365d", "all"),
        help=_("time window (default: %(default)s)"),
    )
    top.add_argument(
        "--kind",
        default="topic",
        choices=("topic", "intent", "flag"),
        help=_("what to count (default: %(default)s)"),
    )
    top.add_argument(
        "--lang",
        default=None,
        choices=("en", "zh"),
        help=_("label language (default: the command line's language)"),
    )
    add_actor_arguments(top)
    django_command(top, run_topics)

    train = sub.add_parser(
        "train",
        help=_("Train a topic or intent classifier from a file of labelled comments"),
        description=_(
            "Reads CSV/TSV/XLSX, prints cross-validated precision, recall and F1 per label. "
            "The classifier stays off unless --activate."
        ),
    )
    train.add_argument("--input", required=True, metavar="FILE", help=_("CSV, TSV or XLSX file to read"))
    train.add_argument("--text-col", required=True, metavar="COL", help=_("column holding the comment"))
    train.add_argument("--label-col", required=True, metavar="COL", help=_("column holding the label"))
    train.add_argument("--name", required=True, help=_("the classifier's name"))
    train.add_argument(
        "--kind",
        default="topic",
        choices=("topic", "intent"),
        help=_("what it labels (default: %(default)s)"),
    )
    train.add_argument("--activate", action="store_true", help=_("switch it on after training"))
    add_actor_arguments(train)
    django_command(train, run_train)

    lst = sub.add_parser("classifiers", help=_("List the organization's classifiers"))
    add_actor_arguments(lst)
    django_command(lst, run_list)

    for action, text in (
        ("activate", _("Switch a trained classifier on")),
        ("deactivate", _("Switch a trained classifier off")),
    ):
        a = sub.add_parser(action, help=text)
        a.add_argument("classifier", type=int, metavar="ID", help=_("the classifier's id"))
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
        line = _("%(done)s/%(total)s comments (%(percent)s %%)") % {
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
        }
        print("\r" + line, end="", file=sys.stderr, flush=True)

    job = services.start_reanalysis(
        _actor(args), survey=args.survey, reason="cli", inline=True, progress=show
    )
    print(file=sys.stderr)
    if job.status != "done":
        failed = _("re-analysis %(id)s failed: %(error)s") % {"id": job.pk, "error": job.error}
        print(i18n.error_line("openxm comments", failed), file=sys.stderr)
        return 1
    print(
        _("re-analysed %(n)s comments (job %(id)s, taxonomy version %(version)s, %(seconds)s s)")
        % {"n": job.total, "id": job.pk, "version": job.taxonomy_version, "seconds": job.seconds}
    )
    return 0


def run_topics(args) -> int:
    from openxm.comments import services

    actor = _actor(args)
    scope = services.slice_for(
        actor, survey=args.survey, touchpoint=args.touchpoint, period=args.period, unit=args.unit
    )
    lang = args.lang or ("zh" if i18n.current() == i18n.CHINESE else "en")
    figures = services.figures(actor, scope, kind=args.kind, language=lang)
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
        print(_("(no analysed comments in this scope)"), file=sys.stderr)
    return 0


def run_train(args) -> int:
    from pathlib import Path

    from openxm.cli import CommandError
    from openxm.comments import services

    actor = _actor(args)
    path = Path(args.input)
    if not path.is_file():
        raise CommandError(_("--input: %(file)s: no such file") % {"file": path})
    with path.open("rb") as stream:
        row = services.upload_classifier(actor, args.name, args.kind, stream, path.name)
    row = services.train_classifier(actor, row.pk, args.text_col, args.label_col, inline=True)
    if row.status != "trained":
        raise CommandError(_("training failed: %(error)s") % {"error": row.error})
    report = row.report
    print(
        _(
            "classifier %(id)s '%(name)s' (%(kind)s, %(language)s): %(n)s examples, "
            "%(folds)s-fold cross-validation"
        )
        % {
            "id": row.pk,
            "name": row.name,
            "kind": row.kind,
            "language": row.language,
            "n": row.n_examples,
            "folds": report.get("folds"),
        }
    )
    print(f"{'label':<30} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>6}")
    for s in report.get("labels", []):
        print(
            f"{s['label'][:30]:<30} {s['precision']:>9.2f} {s['recall']:>7.2f} {s['f1']:>6.2f} "
            f"{s['support']:>6}"
        )
    print(
        _("macro F1 %(f1)s, accuracy %(accuracy)s")
        % {"f1": f"{report.get('macro_f1', 0):.3f}", "accuracy": f"{report.get('accuracy', 0):.3f}"}
    )
    if report.get("skipped_labels"):
        print(_("not scored (one example): %(labels)s") % {"labels": ", ".join(report["skipped_labels"])})
    if args.activate:
        services.set_classifier_active(actor, row.pk, True)
        print(_("switched on: new comments get its label (re-analyse to label stored ones)"))
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
    print(
        _("classifier %(id)s '%(name)s' is %(status)s")
        % {"id": row.pk, "name": row.name, "status": row.status}
    )
    return 0


def run_deactivate(args) -> int:
    from openxm.comments import services

    row = services.set_classifier_active(_actor(args), args.classifier, False)
    print(
        _("classifier %(id)s '%(name)s' is %(status)s")
        % {"id": row.pk, "name": row.name, "status": row.status}
    )
    return 0
