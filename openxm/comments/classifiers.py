"""Custom classifiers: upload labelled comments, choose the columns, train, read the report, switch on.

Files live under ``MEDIA_ROOT/classifiers/<organization id>/<classifier id>/``: ``upload/<name>``
(the file as uploaded) and ``model/`` (``classifier.json`` + ``weights.npz``, see
:mod:`openxm.text.classifier`). Training reads the file with :func:`openxm.readers.read_table`,
keeps rows with a non-blank text and label, and needs at least two labels with two or more
examples each (so every label in the report is cross-validated); rarer labels are trained on
and listed as skipped. A trained classifier does nothing until it is switched on; active
classifiers label new comments (and all comments after a re-analysis).
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.readers import ReadError, read_table

from .models import Classifier

log = logging.getLogger(__name__)

MAX_UPLOAD = 50 * 1024 * 1024
MAX_ROWS = 100_000
SAMPLE_ROWS = 5
TEXT_HINTS = (
    "text",
    "comment",
    "review",
    "feedback",
    "verbatim",
    "query",
    "sentence",
    "评论",
    "内容",
    "文本",
    "反馈",
)
LABEL_HINTS = ("label", "category", "intent", "topic", "class", "cat", "标签", "类别", "分类", "意图", "主题")


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def directory(classifier: Classifier) -> tuple[Path, str]:
    relative = f"classifiers/{classifier.organization_id}/{classifier.pk}"
    return media_root() / relative, relative


def _safe_name(name: str) -> str:
    base = Path(str(name or "")).name
    base = re.sub(r"[^\w.\- ()\u4e00-\u9fff]+", "_", base).strip(" .") or "labelled.csv"
    return base[:120]


def _guess(columns: list[str], hints: tuple[str, ...], exclude: str = "") -> str:
    for hint in hints:
        for column in columns:
            if column != exclude and hint in column.lower():
                return column
    rest = [c for c in columns if c != exclude]
    return rest[0] if rest else ""


def store_upload(classifier: Classifier, stream, file_name: str) -> None:
    """Save the uploaded file and read its columns and first rows onto ``classifier`` (unsaved)."""
    base, relative = directory(classifier)
    name = _safe_name(file_name)
    target = base / "upload" / f"{secrets.token_hex(4)}-{name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with open(target, "wb") as out:
        for chunk in (
            stream.chunks() if hasattr(stream, "chunks") else iter(lambda: stream.read(1 << 20), b"")
        ):
            size += len(chunk)
            if size > MAX_UPLOAD:
                out.close()
                shutil.rmtree(base, ignore_errors=True)
                raise InvalidInput("file", _("is larger than %(n)s MB") % {"n": MAX_UPLOAD // (1024 * 1024)})
            out.write(chunk)
    try:
        table = read_table(target)
        sample = []
        for row in table:
            sample.append([str(row.get(c, ""))[:200] for c in table.columns])
            if len(sample) >= SAMPLE_ROWS:
                break
    except ReadError as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise InvalidInput("file", exc.message_in(_)) from None
    columns = list(table.columns)
    if len(columns) < 2:
        shutil.rmtree(base, ignore_errors=True)
        raise InvalidInput("file", _("needs at least two columns: the comment and its label"))
    classifier.file_name = name
    classifier.file_path = str(target.relative_to(media_root()))
    classifier.columns = columns
    classifier.sample = sample
    classifier.text_column = _guess(columns, TEXT_HINTS)
    classifier.label_column = _guess(columns, LABEL_HINTS, exclude=classifier.text_column)


def read_examples(classifier: Classifier) -> tuple[list[str], list[str]]:
    """(texts, labels) from the uploaded file's chosen columns; raises InvalidInput when unusable."""
    try:
        table = read_table(media_root() / classifier.file_path)
        text_col, label_col = classifier.text_column, classifier.label_column
        texts: list[str] = []
        labels: list[str] = []
        for row in table:
            text = str(row.get(text_col) or "").strip()
            label = str(row.get(label_col) or "").strip()
            if text and label:
                texts.append(text)
                labels.append(label[:100])
                if len(texts) >= MAX_ROWS:
                    break
    except ReadError as exc:
        raise InvalidInput("file", exc.message_in(_)) from None
    check_examples(labels)
    return texts, labels


def check_examples(labels: list[str]) -> None:
    counts = Counter(labels)
    usable = [label for label, n in counts.items() if n >= 2]
    if len(usable) < 2:
        raise InvalidInput(
            "label_column",
            _(
                "needs at least two labels with two or more examples each (found %(n)s labelled rows, "
                "%(k)s labels)"
            )
            % {"n": len(labels), "k": len(counts)},
        )


def report_dict(report) -> dict:
    data = asdict(report)
    data["labels"] = [dict(x) for x in data["labels"]]
    data["skipped_labels"] = list(data["skipped_labels"])
    return data


def run_training(org_id: int, classifier_id: int) -> Classifier:
    """Train a classifier whose status is ``training``; the result (or the error) goes on its row."""
    from openxm.accounts.models import Organization
    from openxm.text.classifier import train_classifier

    org = Organization.objects.get(pk=org_id)
    row = Classifier.objects.for_org(org).get(pk=classifier_id)
    if row.status != Classifier.Status.TRAINING:
        return row
    try:
        texts, labels = read_examples(row)
        model, report = train_classifier(texts, labels)
        base, relative = directory(row)
        target = base / "model"
        if target.exists():
            shutil.rmtree(target)
        model.save(target)
    except InvalidInput as exc:
        return _failed(row, exc.message)
    except Exception as exc:  # a model that cannot be trained is reported on the page, not a 500
        log.exception("training classifier %s failed", row.pk)
        return _failed(row, f"{type(exc).__name__}: {exc}")
    row.labels = list(model.labels)
    row.language = model.language
    row.n_examples = len(texts)
    row.report = report_dict(report) if report is not None else {}
    row.model_path = f"{relative}/model"
    row.status = Classifier.Status.TRAINED
    row.trained_at = timezone.now()
    row.error = ""
    row.save()
    return row


def _failed(row: Classifier, message: str) -> Classifier:
    row.status = Classifier.Status.FAILED
    row.error = message[:2000]
    row.save(update_fields=["status", "error"])
    return row


def remove_files(classifier: Classifier) -> None:
    base, _relative = directory(classifier)
    shutil.rmtree(base, ignore_errors=True)
