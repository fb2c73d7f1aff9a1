"""What a reader sees for the codes the figures carry: significance tests and data sources."""

from django.utils.translation import gettext_lazy

# The significance tests of openxm.analytics.compare.
TEST_LABELS = {
    "two-proportion z": gettext_lazy("two-proportion z-test"),
    "NPS difference z": gettext_lazy("z-test on the NPS difference"),
    "Welch t": gettext_lazy("Welch t-test"),
}
# Where a figure was read from (openxm.insights.figures).
SOURCE_LABELS = {
    "cube": gettext_lazy("metric cube"),
    "answers": gettext_lazy("answer rollups"),
    "raw": gettext_lazy("individual answers"),
}


def test_label(code: str) -> str:
    return str(TEST_LABELS.get(code, code))


def source_label(code: str) -> str:
    return str(SOURCE_LABELS.get(code, code))
