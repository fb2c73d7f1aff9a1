"""Text analytics results per answer, organization taxonomies, custom classifiers, re-analysis jobs.

``CommentAnalysis`` is one analysed open-text answer (a ``text`` question, or the "other" text of
a choice question); its topics are ``CommentTopic`` rows, so topic volume, sentiment and impact
are SQL aggregates. The response's NPS and CSAT answers, touchpoint, unit and answer time are
copied onto the analysis when it is written (answers never change once recorded), so figures
per touchpoint and period read this app's tables only. Re-analysis replaces an answer's rows;
the response and its answers are never touched.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.tenancy import TenantModel


class Taxonomy(TenantModel):
    """One saved version of an organization's topic taxonomy (the newest version is in force).

    ``document`` is the rules document of :mod:`openxm.text.topics` as JSON (``name``,
    ``topics`` with ``id``, ``label`` {en, zh}, ``rule``, ``description``). An organization
    without a row uses the shipped default taxonomy, reported as version 0.
    """

    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    document = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="uniq_comments_taxonomy_version")
        ]
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class CommentAnalysis(TenantModel):
    class Sentiment(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEUTRAL = "neutral", _("Neutral")
        NEGATIVE = "negative", _("Negative")

    class Source(models.TextChoices):
        TEXT = "text", _("Open question")
        OTHER = "other", _("“Other” answer")

    answer = models.OneToOneField("surveys.Answer", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey("surveys.Response", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    question_id = models.CharField(max_length=64)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.TEXT)
    touchpoint = models.CharField(max_length=64, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField()
    language = models.CharField(max_length=8)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    score = models.FloatField(help_text="Sentiment score in [-1, 1]")
    mixed = models.BooleanField(default=False, help_text="Has a positive and a negative clause")
    text_length = models.PositiveIntegerField(default=0, help_text="Length of the text analysed")
    redacted_text = models.TextField(help_text="The text with PII replaced by placeholders")
    pii = models.JSONField(default=list, blank=True, help_text="[[kind, start, end], …] in the original text")
    pii_kinds = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True, help_text="[{kind, phrase, start, end}, …]")
    labels = models.JSONField(
        default=dict, blank=True, help_text="{classifier id: label} of active classifiers"
    )
    nps = models.SmallIntegerField(null=True, blank=True, help_text="The response's NPS answer (0-10)")
    csat = models.SmallIntegerField(null=True, blank=True, help_text="The response's CSAT answer (1-5)")
    taxonomy_version = models.PositiveIntegerField(default=0)
    model_version = models.CharField(max_length=32)
    analysed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "answered_at"], name="comments_org_time"),
            models.Index(fields=["organization", "survey", "answered_at"], name="comments_survey_time"),
            models.Index(fields=["organization", "touchpoint", "answered_at"], name="comments_tp_time"),
        ]

    def __str__(self) -> str:
        return f"analysis of answer {self.answer_id}"


class CommentTopic(TenantModel):
    """A topic (from the taxonomy or a topic classifier), an intent or a flag found in one comment.

    Flags (churn, urgency, escalation, refund) are rows too, so they are counted and filtered like topics;
    their ``spans`` hold the trigger phrase.
    """

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        INTENT = "intent", _("Intent")
        FLAG = "flag", _("Flag")

    analysis = models.ForeignKey(CommentAnalysis, on_delete=models.CASCADE, related_name="topics")
    topic = models.CharField(max_length=100)
    parent = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TOPIC)
    classifier = models.ForeignKey(
        "Classifier", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sentiment = models.CharField(max_length=8)
    score = models.FloatField()
    spans = models.JSONField(default=list, blank=True, help_text="[[start, end], …] of the matched clauses")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["analysis", "kind", "topic"], name="uniq_comments_topic")
        ]
        indexes = [models.Index(fields=["organization", "kind", "topic"], name="comments_topic")]

    def __str__(self) -> str:
        return self.topic


class Classifier(TenantModel):
    """A custom topic or intent classifier trained from an uploaded file of labelled comments.

    Files live under ``MEDIA_ROOT/classifiers/<organization id>/<id>/`` (the upload and the
    saved model); the row holds paths relative to ``MEDIA_ROOT``.
    """

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        INTENT = "intent", _("Intent")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting for the columns")
        TRAINING = "training", _("Training")
        TRAINED = "trained", _("Trained: not switched on")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Switched off")
        FAILED = "failed", _("Failed")

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TOPIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    file_name = models.CharField(max_length=255, blank=True)
    file_path = models.CharField(max_length=500, blank=True, help_text="Upload, relative to MEDIA_ROOT")
    columns = models.JSONField(default=list, blank=True)
    sample = models.JSONField(default=list, blank=True, help_text="The first rows, for choosing columns")
    text_column = models.CharField(max_length=200, blank=True)
    label_column = models.CharField(max_length=200, blank=True)
    labels = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8, blank=True)
    n_examples = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True, help_text="Cross-validated scores per label")
    model_path = models.CharField(
        max_length=500, blank=True, help_text="Model directory, relative to MEDIA_ROOT"
    )
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    trained_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class ReanalysisJob(TenantModel):
    """Re-analysis of stored comments (all, or one survey's) with the taxonomy in force."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    survey = models.ForeignKey(
        "surveys.Survey", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    taxonomy_version = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"re-analysis {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * self.done / self.total))

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 1)


class CommentCorrection(TenantModel):
    """An analyst's correction of one comment, which wins over the model at every re-analysis.

    Keyed by the answer, not by its ``CommentAnalysis`` (re-analysis replaces those rows). Blank
    ``sentiment`` leaves the model's; the topic and flag lists hold ids added to or removed from
    what the model finds. One row per comment holds the correction in force; every change is in
    the audit log (``comment.corrected``) with its before and after.
    """

    answer = models.OneToOneField("surveys.Answer", on_delete=models.CASCADE, related_name="+")
    sentiment = models.CharField(max_length=8, blank=True, choices=CommentAnalysis.Sentiment.choices)
    topics_added = models.JSONField(default=list, blank=True)
    topics_removed = models.JSONField(default=list, blank=True)
    flags_added = models.JSONField(default=list, blank=True)
    flags_removed = models.JSONField(default=list, blank=True)
    model_sentiment = models.CharField(
        max_length=8, blank=True, help_text="What the model said when the sentiment was corrected"
    )
    corrected_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    corrected_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-corrected_at"]

    def __str__(self) -> str:
        return f"correction of answer {self.answer_id}"


class SentimentAdaptation(TenantModel):
    """One training of an organisation's adapted sentiment model, or of its adapted topics
    (``target``), for one language, from its corrections.

    For sentiment, ``report`` holds the cross-validation (:class:`openxm.text.adapt.AdaptReport`
    as a dict) and ``curve`` the learning curve ([{"n", "adapted", "shipped"}, …] cross-validated macro-F1 on
    nested subsets of the corrections). The model is switched on (``ACTIVE``) only when
    cross-validation chose it over the shipped model; else it is ``REFUSED``. Files live under
    ``MEDIA_ROOT/adaptations/<organization id>/<id>/``. For topics, ``report`` holds
    ``{"topics": [TopicResult as a dict, …]}`` (:mod:`openxm.text.adapt_topics`) and the run is
    switched on when at least one topic's adapted model beat its rules.
    """

    class Status(models.TextChoices):
        TRAINING = "training", _("Training")
        ACTIVE = "active", _("In use")
        REFUSED = "refused", _("Not better than the shipped model")
        REPLACED = "replaced", _("Replaced by a newer one")
        FAILED = "failed", _("Failed")

    class Target(models.TextChoices):
        SENTIMENT = "sentiment", _("Sentiment")
        TOPICS = "topics", _("Topics")

    target = models.CharField(max_length=10, choices=Target.choices, default=Target.SENTIMENT)
    language = models.CharField(max_length=8)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TRAINING)
    n_labels = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    curve = models.JSONField(default=list, blank=True)
    model_path = models.CharField(max_length=500, blank=True, help_text="Relative to MEDIA_ROOT")
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    trained_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.language} sentiment adaptation {self.pk} ({self.status})"
