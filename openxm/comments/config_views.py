"""Configuration pages of text analytics (``text.configure``): taxonomy editor with rule preview,
custom classifiers (upload, columns, training report, switch on/off) and theme discovery."""

import re

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.web.views import member_required

from . import adaptation as adaptation_service
from . import services, topic_adaptation
from .forms import ColumnsForm, ImportForm, ThemeRunForm, TopicForm, UploadForm, topics_from_post
from .models import Classifier
from .taxonomies import InvalidTaxonomy, normalise, parse_upload, to_yaml, topic_labels
from .views import _filters, _query

BLANK_ROWS = 3


def _rows(document: dict, blank: int = BLANK_ROWS) -> list[dict]:
    """Editor rows: one per topic (with its depth) and ``blank`` empty ones for new topics."""
    rows = []
    for n, t in enumerate(document["topics"]):
        lines = min(8, max(2, len(t["rule"]) // 64 + 1))
        rows.append({"n": n, **t, "depth": t["id"].count("."), "issues": [], "lines": lines})
    for _k in range(blank):
        n = len(rows)
        rows.append(
            {
                "n": n,
                "id": "",
                "label": {"en": "", "zh": ""},
                "rule": "",
                "description": "",
                "depth": 0,
                "issues": [],
                "new": True,
                "lines": 2,
            }
        )
    return rows


def _editor(request, document: dict, *, issues=None, status=200, blank=BLANK_ROWS):
    actor = request.actor
    rows = _rows(document, blank=blank)
    general = []
    for issue in issues or []:
        if issue.index is not None and issue.index < len(rows):
            rows[issue.index]["issues"].append(f"{issue.field}: {issue.message}")
        else:
            general.append(str(issue))
    return render(
        request,
        "comments/taxonomy.html",
        {
            "active": services.taxonomy(actor),
            "name": document.get("name", ""),
            "rows": rows,
            "count": len(rows),
            "issues": issues or [],
            "general_issues": general,
            "versions": services.taxonomy_versions(actor),
            "import_form": ImportForm(),
            "jobs": services.list_jobs(actor, limit=1),
        },
        status=status,
    )


@member_required(Perm.TEXT_CONFIGURE)
def taxonomy(request):
    actor = request.actor
    if request.method != "POST":
        return _editor(request, services.taxonomy(actor).document)
    document = topics_from_post(request.POST)
    if "preview" in request.POST:
        return _preview(request)
    try:
        services.save_taxonomy(actor, document, note=request.POST.get("note", ""))
    except InvalidTaxonomy as exc:
        messages.error(request, _("The taxonomy was not saved: fix the problems below."))
        return _editor(request, normalise(document), issues=exc.issues, status=422, blank=0)
    messages.success(
        request, _("Taxonomy saved. Stored comments keep their topics until you re-analyse them.")
    )
    return redirect("comments:taxonomy")


def _preview(request):
    """Matches of one editor row's rule on recent comments (an HTMX partial, or the page without JS)."""
    row = request.POST.get("preview", "")
    rule = (request.POST.get(f"t-{row}-rule") or "").strip()
    topic_id = (request.POST.get(f"t-{row}-id") or "").strip()
    context = {"row": row, "topic_id": topic_id}
    if not rule:
        context["problem"] = _("Write a rule first.")
    else:
        try:
            context["preview"] = services.preview_rule(request.actor, rule, topic_id=topic_id or "preview")
        except InvalidInput as exc:
            context["problem"] = _("Topic %(id)s, rule: %(problem)s") % {
                "id": topic_id or "?",
                "problem": exc.message,
            }
    return render(request, "comments/_rule_preview.html", context)


@member_required(Perm.TEXT_CONFIGURE)
def taxonomy_export(request):
    active = services.taxonomy(request.actor)
    response = HttpResponse(to_yaml(active.document), content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="taxonomy-v{active.version}.yaml"'
    return response


@member_required(Perm.TEXT_CONFIGURE)
@require_POST
def taxonomy_import(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a YAML or JSON file."))
        return redirect("comments:taxonomy")
    upload = form.cleaned_data["file"]
    try:
        document = parse_upload(upload.read(2_000_000).decode("utf-8-sig"))
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text."))
        return redirect("comments:taxonomy")
    except InvalidTaxonomy as exc:
        messages.error(request, "; ".join(str(i) for i in exc.issues))
        return redirect("comments:taxonomy")
    try:
        services.save_taxonomy(
            request.actor, document, note=_("Imported from %(name)s") % {"name": upload.name[:100]}
        )
    except InvalidTaxonomy as exc:
        messages.error(request, _("The file was not imported: fix the problems below."))
        return _editor(request, normalise(document), issues=exc.issues, status=422, blank=0)
    messages.success(
        request, _("Taxonomy imported. Stored comments keep their topics until you re-analyse them.")
    )
    return redirect("comments:taxonomy")


@member_required(Perm.TEXT_CONFIGURE)
@require_POST
def taxonomy_reset(request):
    services.reset_taxonomy(request.actor)
    messages.success(request, _("The default taxonomy is back in force (as a new version)."))
    return redirect("comments:taxonomy")


# --- Classifiers ------------------------------------------------------------------------------


@member_required(Perm.TEXT_CONFIGURE)
def classifiers(request):
    actor = request.actor
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            row = services.upload_classifier(
                actor, form.cleaned_data["name"], form.cleaned_data["kind"], upload, upload.name
            )
            return redirect("comments:classifier", row.pk)
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(
        request, "comments/classifiers.html", {"classifiers": services.list_classifiers(actor), "form": form}
    )


@member_required(Perm.TEXT_CONFIGURE)
def classifier(request, pk: int):
    actor = request.actor
    row = services.get_classifier(actor, pk)
    form = None
    if row.status in (Classifier.Status.UPLOADED, Classifier.Status.FAILED):
        form = ColumnsForm(
            request.POST or None,
            columns=row.columns,
            initial={"text_column": row.text_column, "label_column": row.label_column},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.train_classifier(
                    actor, row.pk, form.cleaned_data["text_column"], form.cleaned_data["label_column"]
                )
                return redirect("comments:classifier", row.pk)
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "comments/classifier.html", {"row": row, "form": form})


@member_required(Perm.TEXT_CONFIGURE)
def classifier_status(request, pk: int):
    row = services.get_classifier(request.actor, pk)
    response = render(request, "comments/_classifier_status.html", {"row": row})
    if row.status != Classifier.Status.TRAINING:
        response["HX-Refresh"] = "true"
    return response


@member_required(Perm.TEXT_CONFIGURE)
@require_POST
def classifier_switch(request, pk: int, action: str):
    try:
        row = services.set_classifier_active(request.actor, pk, action == "activate")
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect("comments:classifier", pk)
    if row.status == Classifier.Status.ACTIVE:
        messages.success(
            request, _("Switched on: new comments get its labels; re-analyse to label stored ones.")
        )
    else:
        messages.success(request, _("Switched off: new comments no longer get its labels."))
    return redirect("comments:classifier", pk)


@member_required(Perm.TEXT_CONFIGURE)
@require_POST
def classifier_delete(request, pk: int):
    services.delete_classifier(request.actor, pk)
    messages.success(request, _("Classifier deleted."))
    return redirect("comments:classifiers")


# --- Theme discovery --------------------------------------------------------------------------


@member_required(Perm.TEXT_CONFIGURE)
def themes(request):
    actor = request.actor
    filter_form, values, scope, problem = _filters(request)
    parents = [t["id"] for t in services.taxonomy(actor).document["topics"]]
    if request.method == "POST":
        prefix = request.POST.get("prefix", "")
        form = TopicForm(
            request.POST, parents=parents, prefix=prefix if re.fullmatch(r"theme\d+", prefix) else None
        )
        if form.is_valid():
            try:
                services.add_topic(actor, form.topic())
                messages.success(
                    request,
                    _("Topic %(id)s added to the taxonomy. Re-analyse to apply it to stored comments.")
                    % {"id": form.topic()["id"]},
                )
                return redirect("comments:taxonomy")
            except InvalidTaxonomy as exc:
                for issue in exc.issues:
                    form.add_error(None, str(issue))
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        messages.error(request, "; ".join(" ".join(e) for e in form.errors.values()))
        return redirect(f"{request.path}?{_query(values)}")
    run_form = ThemeRunForm(request.GET if "k" in request.GET else None, initial={"k": 8})
    context = {
        "filter_form": filter_form,
        "filters": values,
        "problem": problem,
        "run_form": run_form,
        "scope_query": _query(values),
        "themes": None,
    }
    if run_form.is_bound and run_form.is_valid():
        used, found = services.discover_themes(actor, scope, k=run_form.cleaned_data["k"])
        context["used"] = used
        context["themes"] = [
            (
                theme,
                TopicForm(
                    parents=parents,
                    prefix=f"theme{theme.id}",
                    initial={
                        "id": theme.suggested_id,
                        "rule": theme.suggested_rule,
                        f"label_{theme.language}": theme.top_terms[0] if theme.top_terms else "",
                    },
                ),
            )
            for theme in found
        ]
    return render(request, "comments/themes.html", context)


@member_required(Perm.TEXT_CONFIGURE)
def adaptation(request):
    """The organisation's sentiment and topics adapted from corrections: figures, learning curve,
    training (``target`` sentiment or topics)."""
    actor = request.actor
    if request.method == "POST":
        try:
            if request.POST.get("target") == "topics":
                row = topic_adaptation.start_topic_adaptation(actor, request.POST.get("language", ""))
                messages.success(
                    request, _("Training started on %(n)s reviewed comments.") % {"n": row.n_labels}
                )
            else:
                row = adaptation_service.start_adaptation(actor, request.POST.get("language", ""))
                messages.success(
                    request, _("Training started on %(n)s corrected comments.") % {"n": row.n_labels}
                )
        except InvalidInput as exc:
            messages.error(request, exc.message)
        return redirect("comments:adaptation")
    labels = topic_labels(services.taxonomy(actor).document, translation.get_language() or "en")
    topic_languages = topic_adaptation.topic_overview(actor)
    for lang in topic_languages:
        topics = lang["latest"].report.get("topics", []) if lang["latest"] else []
        lang["rows"] = [dict(t, label=labels.get(t["topic"], t["topic"])) for t in topics]
    context = {"languages": adaptation_service.overview(actor), "topic_languages": topic_languages}
    return render(request, "comments/adaptation.html", context)
