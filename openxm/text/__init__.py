"""Pure text analytics for Chinese and English feedback (no Django, no network at run time).

Components (each its own module; the pipeline ties them together):

* :mod:`~openxm.text.lang` — language detection: ``"zh"``, ``"en"`` or ``"other"``.
* :mod:`~openxm.text.tokenize` — jieba (with a shipped CX user dictionary) and English words.
* :mod:`~openxm.text.clauses` — clause splitting on punctuation and contrast words.
* :mod:`~openxm.text.sentiment` — comment and clause sentiment from the shipped models
  (``models/sentiment_{zh,en}.json.gz``, built by ``scripts/build_text_models.py``);
  :mod:`~openxm.text.training` trains them, :mod:`~openxm.text.lexicon` is the rule part.
* :mod:`~openxm.text.topics` and :mod:`~openxm.text.rules` — taxonomy topics with aspect
  sentiment, from editable rules (``data/taxonomy_cx.yaml``).
* :mod:`~openxm.text.flags` — churn, urgency, escalation and refund flags (``data/flags.json``).
* :mod:`~openxm.text.pii` — PII redaction with checksum-verified IDs and cards.
* :mod:`~openxm.text.classifier` — custom intent/topic classifiers with cross-validation.
* :mod:`~openxm.text.themes` — theme discovery for comments no topic caught.

Use :func:`analyze` / :func:`analyze_batch` for the whole pipeline.
"""

from .pipeline import CommentAnalysis, analyze, analyze_batch

__all__ = ["CommentAnalysis", "analyze", "analyze_batch"]
