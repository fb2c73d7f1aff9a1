"""Comments: text analytics of open answers (language, sentiment, topics, flags, PII) stored per
answer, organization taxonomies and custom classifiers, and re-analysis jobs."""
