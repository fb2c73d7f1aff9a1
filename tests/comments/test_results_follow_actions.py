"""Text analytics results follow a deleted or anonymised response inside the action's
transaction: deleted with it, or analysed again from the redacted words."""

from openxm.comments.models import CommentAnalysis, CommentTopic
from openxm.responses import actions
from openxm.surveys.models import Answer

COMMENT = "The driver was rude. Call me on +44 7700 900123, I will cancel my subscription"


def test_deleting_a_response_deletes_its_analyses_and_topics(survey, record, org_a, admin):
    gone = record(survey, COMMENT, nps=3)
    kept = record(survey, "配送太慢了", nps=6)
    assert CommentTopic.objects.for_org(org_a).filter(analysis__response=gone).exists()
    actions.delete_response(admin, gone.pk)
    assert not CommentAnalysis.objects.for_org(org_a).filter(response_id=gone.pk).exists()
    assert not CommentTopic.objects.for_org(org_a).filter(analysis__response_id=gone.pk).exists()
    assert CommentAnalysis.objects.for_org(org_a).filter(response=kept).count() == 1


def test_anonymising_analyses_the_redacted_words_again(survey, record, org_a, admin):
    response = record(survey, COMMENT, nps=3)
    before = CommentAnalysis.objects.for_org(org_a).get(response=response)
    assert before.pii_kinds == ["phone"] and before.text_length == len(COMMENT)
    actions.anonymise_response(admin, response.pk)
    redacted = Answer.objects.for_org(org_a).get(response=response, question_id="comment").value_text
    after = CommentAnalysis.objects.for_org(org_a).get(response=response)
    assert "7700" not in redacted and after.text_length == len(redacted) and after.pk != before.pk
    assert after.pii == [] and after.redacted_text == redacted  # nothing points into the old words
    assert "7700" not in str(after.flags) and after.nps == 3
    assert "churn" in set(
        CommentTopic.objects.for_org(org_a).filter(analysis=after).values_list("topic", flat=True)
    )
