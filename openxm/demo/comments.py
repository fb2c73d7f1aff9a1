"""FreshNeighbor's text analytics: a grocery taxonomy and the analysis of every demo comment.

Step ``comments`` (order 80, after every step that records responses): saves the shipped
customer-experience taxonomy plus five grocery topics (stock, loyalty, store visits with opening
hours, issue resolution) as the organization's taxonomy version 1 when it has none, then
re-analyses all demo comments as a re-analysis job, so every comment carries topics, sentiment
and flags whether or not the earlier steps' on-commit analysis ran. Then the demo analyst
reviews one comment of each demo text and sets its sentiment to the tone the text was written
with (``data/comments.json``): a confirmation where the model agrees, a correction where it does
not; from those corrections a sentiment model per language is trained, and switched on only if
cross-validation says it beats the shipped one (either outcome shows on the page with its
learning curve). Idempotent: a second run keeps the taxonomy, the corrections and the trained
models, and replaces the analyses.
"""

from openxm.accounts import services as accounts
from openxm.accounts.errors import InvalidInput
from openxm.comments import adaptation, corrections
from openxm.comments import services as comments

from .collection import COMMENTS
from .loader import DemoContext, demo_step

GROCERY_TOPICS = [
    {
        "id": "stock",
        "label": {"en": "Stock availability", "zh": "缺货与库存"},
        "rule": (
            '"out of stock" OR "sold out" OR unavailable OR availability OR "in stock" OR "imported brands" '
            "OR range OR 缺货 OR 断货 OR 没货 OR 卖完 OR 售罄 OR 买不到 OR 库存 OR 品种"
        ),
        "description": "Products missing on the shelf or in the app",
    },
    {
        "id": "loyalty",
        "label": {"en": "Loyalty and promotions", "zh": "会员与活动"},
        "rule": (
            "loyalty OR points OR membership OR member OR coupon* OR voucher* OR promotion* OR deals "
            "OR 会员 OR 积分 OR 优惠券 OR 活动 OR 促销 OR 满减"
        ),
        "description": "",
    },
    {
        "id": "store",
        "label": {"en": "Store visit", "zh": "门店体验"},
        "rule": (
            'store OR stores OR shop OR supermarket* OR crowded OR parking OR aisle* OR "click and collect" '
            "OR 门店 OR 店里 OR 超市 OR 人多 OR 停车 OR 自助收银 OR 货架 OR 营业时间"
        ),
        "description": "",
    },
    {
        "id": "store.hours",
        "label": {"en": "Opening hours", "zh": "营业时间"},
        "rule": (
            '"open later" OR "opening hours" OR "stayed open" OR "closes early" OR 营业时间 OR 开门 OR 关门'
        ),
        "description": "",
    },
    {
        "id": "resolution",
        "label": {"en": "Issue resolution", "zh": "问题解决"},
        "rule": (
            'resolved OR unresolved OR "nothing happened" OR "call back" OR "called back" OR "follow up" '
            "OR transferred OR complain* OR 解决 OR 没解决 OR 回电 OR 回电话 OR 没有结果 OR 转接 OR 投诉"
        ),
        "description": "Whether the problem was solved, callbacks, transfers",
    },
]


@demo_step("comments", order=80)
def load_comments(ctx: DemoContext) -> None:
    org = ctx.organization
    operator = accounts.operator_actor(org)
    active = comments.taxonomy(operator)
    if active.version == 0:
        document = {
            **active.document,
            "name": "FreshNeighbor CX 鲜邻体验",
            "topics": [*active.document["topics"], *GROCERY_TOPICS],
        }
        active = comments.save_taxonomy(operator, document, note="Default CX topics plus grocery topics")
    try:
        job = comments.start_reanalysis(operator, reason="demo", inline=True)
    except InvalidInput as exc:  # a job from an interrupted earlier run is still marked running
        ctx.say(f"text analytics: not re-analysed ({exc.message})")
        return
    figures = comments.topic_summary(org)
    top = ", ".join(f"{f.topic} {f.volume}" for f in [f for f in figures if not f.parent][:5])
    ctx.say(
        f"text analytics: {job.total} comments analysed with taxonomy v{active.version} (top topics: {top})"
    )
    review_and_adapt(ctx)


def _tones() -> dict[str, str]:
    """The tone each demo comment was written with (positive, neutral, negative)."""
    return {
        text: tone
        for kind in ("purchase", "relationship", "support")
        for tone, by_language in COMMENTS[kind].items()
        for texts in by_language.values()
        for text in texts
    }


def review_and_adapt(ctx: DemoContext) -> None:
    """The analyst's review of one comment per demo text, then one training per language."""
    org = ctx.organization
    if corrections.has_corrections(org):
        return
    analyst = accounts.actor_for_user(ctx.users["analyst"], org, via="cli")
    tones = _tones()
    seen: set[str] = set()
    changed = 0
    for comment_id, text, sentiment in corrections.comments_to_review(org):
        tone = tones.get(text)
        if tone is None or text in seen:
            continue
        seen.add(text)
        changed += tone != sentiment
        corrections.correct_comment(analyst, comment_id, sentiment=tone)
    ctx.say(f"text analytics: the analyst reviewed {len(seen)} comments and corrected {changed} sentiments")
    for language in ("zh", "en"):
        try:
            run = adaptation.start_adaptation(analyst, language, inline=True)
        except InvalidInput as exc:
            ctx.say(f"text analytics: no {language} sentiment model from corrections ({exc.message})")
            continue
        estimate = next(c for c in run.report["candidates"] if c["name"] == run.report["chosen"])
        ctx.say(
            f"text analytics: {language} sentiment from {run.n_labels} corrections: {run.status} "
            f"(chosen {run.report['chosen']}, cross-validated macro-F1 {estimate['macro_f1']:.3f})"
        )
