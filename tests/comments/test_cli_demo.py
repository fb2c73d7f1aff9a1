"""``openxm comments`` (re-analysis, topics, training) and the demo step that analyses the demo's comments."""

from openxm.cli import main
from openxm.comments import services
from openxm.comments.models import Classifier, CommentAnalysis, CommentTopic, ReanalysisJob
from openxm.demo import comments as demo_comments
from openxm.demo.loader import DemoContext
from tests.comments.test_classifiers import _csv


def test_reanalyze_and_topics_commands(survey, record, org_a, capsys):
    for i in range(6):
        record(survey, "价格太贵了" if i % 2 else "The courier was rude", nps=i)
    assert main(["comments", "reanalyze", "--org", org_a.slug]) == 0
    out = capsys.readouterr()
    assert "re-analysed 6 comments" in out.out and "6/6 comments (100 %)" in out.err
    assert ReanalysisJob.objects.for_org(org_a).get().status == "done"
    assert main(["comments", "topics", "--org", org_a.slug, "--period", "all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("topic") and any(line.startswith("price") for line in lines)
    assert main(["comments", "topics", "--org", "no-such-org"]) == 1
    assert "organization 'no-such-org' not found" in capsys.readouterr().err


def test_train_command_prints_the_report_and_activates(org_a, tmp_path, capsys):
    path = tmp_path / "labelled.csv"
    path.write_bytes(_csv())
    code = main(
        [
            "comments",
            "train",
            "--org",
            org_a.slug,
            "--input",
            str(path),
            "--text-col",
            "comment",
            "--label-col",
            "intent",
            "--name",
            "Intents",
            "--kind",
            "intent",
            "--activate",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "5-fold cross-validation" in out and "refund" in out and "macro F1" in out
    assert Classifier.objects.for_org(org_a).get().status == "active"


def test_demo_step_saves_grocery_topics_and_analyses_every_comment(org_a, survey, record, admin, make_member):
    for text in ("会员积分很实用", "Items I want are often out of stock", "配送很快"):
        record(survey, text, nps=7)
    CommentAnalysis.objects.for_org(org_a).all().delete()  # as if the on-commit analysis had not run
    ctx = DemoContext(password="x", organization=org_a, users={"analyst": make_member(org_a, "analyst")})
    demo_comments.load_comments(ctx)
    demo_comments.load_comments(ctx)  # idempotent: same taxonomy, rows replaced
    assert services.taxonomy(admin).version == 1
    assert CommentAnalysis.objects.for_org(org_a).count() == 3
    topics = set(CommentTopic.objects.for_org(org_a).values_list("topic", flat=True))
    assert {"loyalty", "stock", "delivery"} <= topics
    assert any("text analytics: 3 comments analysed with taxonomy v1" in line for line in ctx.log)
    assert "the analyst reviewed 0 comments" in "\n".join(ctx.log)  # none is a demo text


def test_demo_analyst_reviews_demo_comments_and_trains_from_corrections(org_a, survey, record, make_member):
    from openxm.comments.models import CommentCorrection, SentimentAdaptation
    from openxm.demo.collection import COMMENTS

    texts = [(t, tone) for kind in ("purchase", "relationship") for tone, by in COMMENTS[kind].items()
             for t in by["en"]]
    for text, _tone in texts + texts[:5]:  # a text given twice is reviewed once
        record(survey, text, nps=7)
    ctx = DemoContext(password="x", organization=org_a, users={"analyst": make_member(org_a, "analyst")})
    demo_comments.review_and_adapt(ctx)
    corrected = CommentCorrection.objects.for_org(org_a)
    assert corrected.count() == len({t for t, _ in texts})
    tones = dict(texts)
    analyses = CommentAnalysis.objects.for_org(org_a).select_related("answer")
    text_of = {a.answer_id: a.answer.value_text for a in analyses}
    assert all(c.sentiment == tones[text_of[c.answer_id]] for c in corrected)
    run = SentimentAdaptation.objects.for_org(org_a).get(language="en")
    assert run.status in ("active", "refused") and run.curve and run.n_labels == corrected.count()
    assert "no zh sentiment model from corrections" in "\n".join(ctx.log)
    demo_comments.review_and_adapt(ctx)  # idempotent: nothing reviewed or trained again
    assert SentimentAdaptation.objects.for_org(org_a).count() == 1
