"""FreshNeighbor's feedback collection over the last twelve months, across every channel.

Step ``collection`` (order 40, after the company and its journeys, before the journey data and
the analysis studies): the purchase CSAT, relationship NPS and support CES surveys (from the
template library, published); messenger providers; one distribution per channel — e-mail, SMS,
WeChat, WeCom, DingTalk, a call-centre webhook, till-receipt QR codes for every store, links, a
checkout intercept and the mobile app; triggers for "order_delivered" and "ticket_closed"; about
1,000 customers; and a year of invitations with their delivery logs (sent, opened, started,
completed, reminded, failed, bounced, unsubscribed) and the responses they brought, plus the
anonymous responses of the public channels. Responses go through ``collect.record_batch`` like
any other, so rollups and text analytics see them.

Answers are simulated from a seeded generator with a structure worth finding: Jing'an and West
Lake do best and Tianjin Heping worst; delivery sags in July and August; satisfaction improves
slowly over the year; e-mail and SMS answer rates are lower than WeChat and DingTalk. Comments
come from ``data/comments.json`` (written for the demo) in the respondent's language.
Nothing is sent: invitations are written as already delivered. Idempotent: a second run finds
the demo distributions and stops.
"""

import dataclasses
import json
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.errors import NotFound
from openxm.customers.models import Contact
from openxm.customers.services import refresh_keys
from openxm.distribution import services as distribution
from openxm.distribution.models import DeliveryEvent, Distribution, Event, Invitation, Suppression
from openxm.surveys import collect
from openxm.surveys import services as surveys

from .loader import DemoContext, demo_step

SEED = 20240404
CONTACTS = 1000
TZ = ZoneInfo("Asia/Shanghai")
COMMENTS = json.loads((Path(__file__).parent / "data" / "comments.json").read_text(encoding="utf-8"))

STORES = ["sh-jingan", "sh-pudong", "hz-xihu", "sz-sip", "bj-chaoyang", "bj-haidian", "tj-heping"]
STORE_NAMES = {
    "sh-jingan": "上海静安店",
    "sh-pudong": "上海浦东店",
    "hz-xihu": "杭州西湖店",
    "sz-sip": "苏州园区店",
    "bj-chaoyang": "北京朝阳店",
    "bj-haidian": "北京海淀店",
    "tj-heping": "天津和平店",
}
STORE_EFFECT = {
    "sh-jingan": 0.35,
    "sh-pudong": 0.1,
    "hz-xihu": 0.3,
    "sz-sip": 0.05,
    "bj-chaoyang": -0.1,
    "bj-haidian": 0.0,
    "tj-heping": -0.5,
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "慧",
    "建国",
    "晓燕",
    "海燕",
    "子涵",
    "雨欣",
    "浩然",
    "思远",
    "欣怡",
    "宇轩",
    "梓萱",
]
EN_FIRST = [
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Lucas",
    "Mia",
    "Ethan",
    "Sophie",
    "James",
    "Chloe",
    "Daniel",
    "Grace",
    "Ryan",
    "Hannah",
    "Leo",
    "Zoe",
    "Adam",
    "Lily",
    "Max",
]
EN_LAST = [
    "Smith",
    "Brown",
    "Wilson",
    "Taylor",
    "Clark",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Müller",
    "Dubois",
    "Tanaka",
    "Kim",
    "Nguyen",
    "Rossi",
]


@dataclass(frozen=True)
class Plan:
    """One distribution of the demo and its monthly volume."""

    survey: str  # csat, nps, ces
    channel: str
    name: str
    per_month: int  # invitations (personal channels) or responses (public channels)
    answer_rate: float = 1.0
    unit: str = ""
    months: tuple[int, ...] = ()  # only these months (0 = a year ago); all when empty


PLANS = [
    Plan("csat", "email", "购买后邮件 Purchase e-mail (order_delivered)", 60, 0.24),
    Plan("csat", "sms", "购买后短信 Purchase SMS", 45, 0.12),
    Plan("csat", "wechat", "微信服务号 WeChat service account", 35, 0.33, unit="mini"),
    Plan("csat", "link", "官网链接 Website link", 5, unit="delivery"),
    Plan("csat", "intercept", "网上商城结账拦截 Web-shop checkout intercept", 8, unit="delivery"),
    Plan("csat", "app", "鲜邻App内问卷 In-app survey", 10, unit="app"),
    *[Plan("csat", "qr", f"小票二维码 Till-receipt QR · {STORE_NAMES[s]}", 3, unit=s) for s in STORES],
    Plan("nps", "email", "季度NPS邮件 Quarterly NPS e-mail", 220, 0.2, months=(1, 4, 7, 10)),
    Plan("nps", "wecom", "企业团购客户 WeCom (corporate buyers)", 8, 0.45),
    Plan("nps", "link", "会员通讯链接 Newsletter NPS link", 6),
    Plan("ces", "email", "工单关闭邮件 Ticket closed e-mail", 35, 0.2, unit="callcenter"),
    Plan("ces", "sms", "工单关闭短信 Ticket closed SMS (ticket_closed)", 50, 0.15, unit="callcenter"),
    Plan("ces", "dingtalk", "企业客户钉钉 DingTalk (corporate accounts)", 8, 0.5, unit="callcenter"),
    Plan("ces", "webhook", "呼叫中心IVR回访 Call-centre IVR (webhook)", 20, 0.25, unit="callcenter"),
]
TEMPLATES = {"csat": "transactional-csat", "nps": "relationship-nps", "ces": "support-ces"}
MESSENGERS = {
    "sms": (
        "短信网关 SMS gateway (Aliyun adapter)",
        {
            "url": "https://sms-gateway.freshneighbor.example/send",
            "sender": "鲜邻生活",
            "secret": "demo-not-a-secret",
        },
    ),
    "wechat": (
        "鲜邻生活服务号 WeChat service account",
        {"app_id": "wxdemo0001", "app_secret": "demo", "template_id": "TPL-feedback-01"},
    ),
    "wecom": ("企业微信 WeCom", {"corp_id": "wwdemo0001", "secret": "demo", "agent_id": "1000002"}),
    "dingtalk": ("钉钉 DingTalk", {"app_key": "dingdemo0001", "app_secret": "demo", "agent_id": "2001"}),
    "webhook": ("呼叫中心 IVR", {"url": "https://ivr.freshneighbor.example/openxm", "secret": "demo"}),
}


# The planted improvement behind the demo's action plan (demo/plans.py): queue-busting at the
# tills of the East stores went live this many days before the demo was loaded; from then on a
# share of their CSAT answers of 1–3 becomes a 4 and of 4s a 5. The North stores (the plan's
# control) do not change. The lift draws from its own random generator, so every other answer,
# comment and response of the demo stays as it was without it.
IMPROVEMENT_DAYS_AGO = 84
IMPROVED_STORES = frozenset({"sh-jingan", "sh-pudong", "hz-xihu", "sz-sip"})
LIFT = {1: 0.7, 2: 0.7, 3: 0.7, 4: 0.3}  # answer -> chance it moves up (to 4, or 4 to 5)


def _clip(value: float, low: int, high: int) -> int:
    return int(min(high, max(low, round(value))))


def _when(rng: random.Random, day) -> datetime:
    minutes = rng.randint(8 * 60, 21 * 60 + 50)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=TZ)


class Simulator:
    """Answers for one respondent of each survey, shaped by store, channel, season and trend."""

    def __init__(self, rng: random.Random, start):
        self.rng, self.start = rng, start
        self.improved_from = start + timedelta(days=365 - IMPROVEMENT_DAYS_AGO)
        self.lift = random.Random(SEED + 14)  # noqa: S311 - simulated data, not security

    def _effect(self, when: datetime, store: str, online: bool) -> float:
        months = (when.date() - self.start).days / 30.4
        summer = -0.45 if online and when.month in (7, 8) else 0.0
        return STORE_EFFECT.get(store, 0.0) + 0.03 * months + summer

    def comment(self, kind: str, tone: str, language: str, chance: float) -> str | None:
        if self.rng.random() > chance:
            return None
        pool = COMMENTS[kind][tone]["zh-Hans" if language.startswith("zh") else "en"]
        return self.rng.choice(pool)

    def csat(self, when, store: str, online: bool, language: str) -> dict:
        rng = self.rng
        mu = 3.85 + self._effect(when, store, online)
        csat = _clip(rng.gauss(mu, 0.95), 1, 5)
        parts = {
            "availability": _clip(rng.gauss(mu - 0.15, 1.0), 1, 5),
            "checkout": _clip(rng.gauss(mu + (0.2 if online else -0.25), 0.9), 1, 5),
            "staff": _clip(rng.gauss(mu + 0.15, 0.9), 1, 5),
            "fulfilment": _clip(rng.gauss(mu - (0.35 if online and when.month in (7, 8) else 0), 1.0), 1, 5),
        }
        answers: dict = {"csat": csat, "parts": {k: v for k, v in parts.items() if rng.random() < 0.92}}
        if csat <= 3:
            weights = {
                "waiting": 3 if not online else 1,
                "availability": 3,
                "price": 2,
                "quality": 2,
                "staff": 1,
                "delivery": 4 if online else 0.2,
            }
            chosen = set()
            for _ in range(rng.randint(1, 3)):
                chosen.add(rng.choices(list(weights), weights=list(weights.values()))[0])
            answers["improve"] = sorted(chosen)
        answers["repurchase"] = _clip(rng.gauss(csat, 0.8), 1, 5)
        tone = "positive" if csat >= 4 else "neutral" if csat == 3 else "negative"
        text = self.comment("purchase", tone, language, 0.55 if tone == "negative" else 0.3)
        if text:
            answers["comment"] = text
        if store in IMPROVED_STORES and when.date() >= self.improved_from:
            self._lift(answers)
        return answers

    def _lift(self, answers: dict) -> None:
        """The planted improvement (see LIFT); "what to improve" is asked below 4 only."""
        if self.lift.random() < LIFT.get(answers["csat"], 0.0):
            answers["csat"] = 4 if answers["csat"] < 4 else 5
            answers.pop("improve", None)

    def nps(self, when, store: str, language: str) -> dict:
        rng = self.rng
        nps = _clip(rng.gauss(7.7 + 1.6 * self._effect(when, store, False), 2.2), 0, 10)
        band = "promoter" if nps >= 9 else "passive" if nps >= 7 else "detractor"
        answers: dict = {"nps": nps}
        tone = {"promoter": "positive", "passive": "neutral", "detractor": "negative"}[band]
        text = self.comment("relationship", tone, language, 0.5)
        if text:
            answers[f"reason_{band}"] = text
        drivers = ["quality", "value", "service", "ease", "delivery", "trust"]
        answers["drivers"] = sorted(set(rng.sample(drivers, rng.randint(1, 3))))
        if band == "detractor":
            answers["callback"] = rng.random() < 0.4
        return answers

    def ces(self, when, language: str) -> dict:
        rng = self.rng
        ces = _clip(rng.gauss(5.1 + 0.03 * (when.date() - self.start).days / 30.4, 1.4), 1, 7)
        resolved = rng.choices(
            ["yes_fully", "partly", "not_resolved"],
            weights=[0.15 + ces * 0.12, 0.2, max(0.02, 0.45 - ces * 0.06)],
        )[0]
        answers: dict = {
            "ces": ces,
            "resolved": resolved,
            "contacts": rng.choices(["once", "twice", "three_plus"], weights=[ces, 3, 8 - ces])[0],
            "agent_csat": _clip(rng.gauss(ces * 0.6 + 0.6, 0.8), 1, 5),
        }
        if ces <= 3:
            text = self.comment("support", "negative", language, 0.6)
            if text:
                answers["effort_reason"] = text
        if resolved == "not_resolved":
            answers["reopen"] = rng.random() < 0.7
        return answers


def _survey(actor, kind: str):
    key = TEMPLATES[kind]
    try:
        survey = surveys.get_survey(actor, key)
    except NotFound:
        survey = surveys.create_from_template(actor, key, key=key)
    if survey.current_version_id is None:
        surveys.publish_survey(actor, survey.pk)
    return surveys.get_survey(actor, survey.pk)


def _contacts(org, rng: random.Random, now) -> list[Contact]:
    scoped = Contact.objects.for_org(org)
    existing = {c.external_id: c for c in scoped.filter(external_id__startswith="demo-cust-")}
    new = []
    for i in range(1, CONTACTS + 1):
        external_id = f"demo-cust-{i:04d}"
        if external_id in existing:
            continue
        english = rng.random() < 0.18
        if english:
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            name, language, email = f"{first} {last}", "en", f"{first}.{last}{i}@example.com".lower()
        else:
            first = rng.choice(GIVEN)
            name, language = rng.choice(SURNAMES) + first, "zh-Hans"
            email = f"fn{i:04d}@example.com"
        attributes = {
            "first_name": first,
            "tier": rng.choices(["gold", "silver", "bronze"], weights=[2, 4.5, 3.5])[0],
            "home_store": rng.choice(STORES),
            "member_since": str(2018 + rng.randint(0, 6)),
        }
        if not english and rng.random() < 0.7:
            attributes["wechat_openid"] = f"oFN{secrets.token_hex(8)}"
        if rng.random() < 0.06:
            attributes.update(
                {
                    "wecom_userid": f"corp{i:04d}",
                    "dingtalk_userid": f"dt{i:04d}",
                    "company": rng.choice(["星辰科技", "Harbor Logistics", "绿洲餐饮", "Apex Labs"]),
                }
            )
        new.append(
            Contact(
                organization=org,
                external_id=external_id,
                kind="customer",
                name=name,
                email=email if rng.random() < 0.93 else "",
                phone=f"+86139{i:08d}",
                language=language,
                attributes=attributes,
                created_at=now - timedelta(days=rng.randint(370, 2000)),
            )
        )
    for contact in new:  # the lookup keys (blind indexes for e-mail and phone) the directory finds
        refresh_keys(contact)
    scoped.bulk_create(new, batch_size=500)
    return list(scoped.filter(external_id__startswith="demo-cust-").order_by("external_id"))


def _hidden(kind: str, rng: random.Random, store: str, language: str, contact, online: bool) -> dict:
    if kind == "csat":
        return {
            "order_id": f"FN{rng.randint(10_000_000, 99_999_999)}",
            "store": store,
            "channel": "online" if online else "in_store",
        }
    company = "鲜邻生活" if language.startswith("zh") else "FreshNeighbor"
    if kind == "nps":
        return {"company": company, "segment": (contact.attributes.get("tier") if contact else "") or "guest"}
    return {
        "ticket_id": f"T{rng.randint(1_000_000, 9_999_999)}",
        "channel": rng.choice(["phone", "chat", "email"]),
        "company": company,
    }


class Builder:
    """Accumulates invitations, their logs and what they brought (a complete or partial response)."""

    def __init__(self, org, rng: random.Random, sim: Simulator, now):
        self.org, self.rng, self.sim, self.now = org, rng, sim, now
        self.invitations: list[tuple[Invitation, list[tuple[str, datetime, str]], tuple | None]] = []
        self.anonymous: dict[int, list[collect.Submission]] = {}
        self.unsubscribed: dict[int, datetime] = {}
        self.suppressed: dict[str, str] = {}

    def answers(self, kind: str, when, store: str, online: bool, language: str, contact) -> dict:
        if kind == "csat":
            return self.sim.csat(when, store, online, language)
        if kind == "nps":
            home = contact.attributes.get("home_store", "") if contact else ""
            return self.sim.nps(when, store if store in STORES else home, language)
        return self.sim.ces(when, language)

    def invite(self, dist: Distribution, plan: Plan, contact: Contact, when: datetime) -> None:
        rng = self.rng
        attrs = contact.attributes
        address = {
            "email": contact.email,
            "sms": contact.phone,
            "wechat": attrs.get("wechat_openid"),
            "wecom": attrs.get("wecom_userid"),
            "dingtalk": attrs.get("dingtalk_userid"),
            "webhook": contact.external_id,
        }[plan.channel]
        if not address or contact.pk in self.unsubscribed or address in self.suppressed:
            return
        online = plan.channel == "wechat" or (plan.survey == "csat" and rng.random() < 0.45)
        store = plan.unit if plan.unit in STORES else attrs.get("home_store", "sh-jingan")
        if plan.survey == "csat" and online:
            store = "delivery"
        invitation = Invitation(
            organization=self.org,
            distribution=dist,
            survey=dist.survey,
            contact=contact,
            channel=plan.channel,
            touchpoint=dist.touchpoint,
            address=address,
            language=contact.language,
            hidden=_hidden(plan.survey, rng, store, contact.language, contact, online),
            nonce=secrets.token_urlsafe(9),
            expires_at=when + timedelta(days=dist.link_days),
            created_at=when,
            status="sent",
        )
        log = [("queued", when, "")]
        sent = when + timedelta(seconds=rng.randint(20, 400))
        roll = rng.random()
        outcome = None
        if plan.channel == "email" and roll < 0.007:
            invitation.status = "bounced"
            log += [
                ("sent", sent, ""),
                ("bounced", sent + timedelta(minutes=2), "550 5.1.1 mailbox unavailable"),
            ]
            self.suppressed[address] = "bounce"
        elif roll < 0.017:
            invitation.status = "failed"
            log.append(
                (
                    "failed",
                    sent,
                    "SMTP 421 try again later" if plan.channel == "email" else "provider timeout",
                )
            )
        else:
            invitation.sent_at = invitation.last_sent_at = sent
            invitation.provider_id = f"demo-{secrets.token_hex(6)}"
            log.append(("sent", sent, invitation.provider_id))
            outcome = self._progress(invitation, plan, log, sent, store, online)
        self.invitations.append((invitation, log, outcome))

    def _progress(
        self, invitation: Invitation, plan: Plan, log: list, sent: datetime, store: str, online: bool
    ):
        """What the contact did after the invitation arrived; the outcome to record, if any."""
        rng = self.rng
        dist = invitation.distribution
        reminder_at = sent + timedelta(days=dist.reminder_after_days, hours=rng.uniform(0, 5))
        can_remind = dist.max_reminders > 0 and reminder_at < self.now
        reminded = can_remind and rng.random() < 0.5
        complete = plan.answer_rate * (1.2 if reminded else 0.85 if can_remind else 1.0)
        p_open = min(0.95, complete * 1.8 + 0.1)
        if reminded:
            log.append(("reminded", reminder_at, ""))
            invitation.reminders_sent, invitation.last_sent_at = 1, reminder_at
        if rng.random() >= p_open:
            return None
        base = reminder_at if reminded and rng.random() < 0.6 else sent
        opened = base + timedelta(hours=min(70, rng.expovariate(1 / 6)))
        if opened > self.now:
            return None
        invitation.opened_at, invitation.status = opened, "opened"
        log.append(("opened", opened, ""))
        log.sort(key=lambda item: item[1])
        if rng.random() < 0.004:
            log.append(("unsubscribed", opened + timedelta(minutes=1), ""))
            self.unsubscribed[invitation.contact.pk] = opened
            self.suppressed[invitation.address] = "unsubscribe"
            return None
        roll = rng.random()
        if roll >= complete / p_open + 0.06:
            return None
        started = opened + timedelta(seconds=rng.randint(5, 90))
        invitation.started_at, invitation.status = started, "started"
        log.append(("started", started, ""))
        finished = started + timedelta(minutes=rng.uniform(1, 7))
        answers = self.answers(plan.survey, finished, store, online, invitation.language, invitation.contact)
        if roll >= complete / p_open or finished > self.now:
            first_page = {k: v for k, v in answers.items() if k in FIRST_PAGE}
            return ("partial", first_page)
        invitation.completed_at, invitation.status = finished, "completed"
        log.append(("completed", finished, ""))
        return ("complete", answers, started, finished)

    def anonymous_response(self, dist: Distribution, plan: Plan, n: int, when: datetime) -> None:
        rng = self.rng
        language = "zh-Hans" if rng.random() < 0.82 else "en"
        online = plan.channel in ("link", "intercept", "app")
        store = (
            plan.unit
            if plan.unit in STORES
            else ("delivery" if plan.survey == "csat" else rng.choice(STORES))
        )
        answers = self.answers(plan.survey, when, store, online, language, None)
        self.anonymous.setdefault(dist.pk, []).append(
            collect.Submission(
                answers=answers,
                idempotency_key=f"demo-{dist.pk}-{n:05d}",
                channel=plan.channel,
                touchpoint=dist.touchpoint,
                language=language,
                hidden=_hidden(plan.survey, rng, store, language, None, online),
                unit=plan.unit or (store if store in STORES else ""),
                started_at=when - timedelta(minutes=3),
                completed_at=when,
                meta={"distribution": dist.pk, "seed": f"demo{n}"},
            )
        )


FIRST_PAGE = {"csat", "parts", "nps", "ces", "resolved", "contacts"}
FIRST_PAGE_ID = {"csat": "overall", "nps": "score", "ces": "effort"}


def _write(org, builder: Builder, dists: dict[int, tuple[Distribution, Plan]]) -> tuple[int, int]:
    """Insert invitations and logs, record the responses, link them back; (invitations, responses)."""
    scoped = Invitation.objects.for_org(org)
    rows = [inv for inv, _log, _outcome in builder.invitations]
    scoped.bulk_create(rows, batch_size=1000)
    events = [
        DeliveryEvent(organization=org, invitation=inv, kind=kind, detail=detail, created_at=at)
        for inv, log, _outcome in builder.invitations
        for kind, at, detail in log
    ]
    DeliveryEvent.objects.for_org(org).bulk_create(events, batch_size=2000)
    by_survey: dict[int, list[tuple[Invitation, collect.Submission]]] = {}
    partials = []
    for inv, _log, outcome in builder.invitations:
        if outcome is None:
            continue
        dist, plan = dists[inv.distribution_id]
        sub = collect.Submission(
            answers=outcome[1],
            idempotency_key=f"inv-{inv.pk}",
            channel=inv.channel,
            touchpoint=inv.touchpoint,
            language=inv.language,
            contact=collect.ContactRef(inv.contact.external_id),
            hidden=inv.hidden,
            unit=plan.unit
            if plan.unit and plan.unit not in STORES
            else (inv.hidden.get("store", "") if plan.survey == "csat" else ""),
            meta={"invitation": inv.pk, "distribution": dist.pk, "seed": f"i{inv.pk}"},
            contact_context={**inv.contact.attributes, "name": inv.contact.name},
        )
        if outcome[0] == "partial":
            partials.append((inv, sub))
            continue
        sub = dataclasses.replace(sub, started_at=outcome[2], completed_at=outcome[3])
        by_survey.setdefault(inv.survey_id, []).append((inv, sub))
    recorded = 0
    for items in by_survey.values():
        survey = dists[items[0][0].distribution_id][0].survey
        for start in range(0, len(items), 250):
            chunk = items[start : start + 250]
            results = collect.record_batch(org, survey, [s for _i, s in chunk])
            for (inv, _s), result in zip(chunk, results, strict=True):
                inv.response = result.response
            recorded += len(chunk)
        scoped.bulk_update([inv for inv, _s in items], ["response"], batch_size=1000)
    for inv, sub in partials:
        page = FIRST_PAGE_ID[dists[inv.distribution_id][1].survey]
        try:
            inv.response = collect.save_partial(org, inv.survey, sub, page).response
            scoped.filter(pk=inv.pk).update(response=inv.response)
        except collect.InvalidInput:
            continue
    for dist_id, subs in builder.anonymous.items():
        survey = dists[dist_id][0].survey
        for start in range(0, len(subs), 250):
            collect.record_batch(org, survey, subs[start : start + 250])
            recorded += len(subs[start : start + 250])
    return len(rows), recorded


@demo_step("collection", order=40)
def load_collection(ctx: DemoContext) -> None:
    org = ctx.organization
    if Distribution.objects.for_org(org).filter(options__demo=True).exists():
        ctx.say("collection: already loaded")
        return
    actor = accounts.operator_actor(org)
    rng = random.Random(SEED)  # noqa: S311 - simulated data, not security
    now = timezone.now()
    start = (now - timedelta(days=365)).astimezone(TZ).date()
    survey_of = {kind: _survey(actor, kind) for kind in TEMPLATES}
    messengers = {
        kind: distribution.create_messenger(actor, kind, name, config)
        for kind, (name, config) in MESSENGERS.items()
    }
    distribution.save_policy(actor, contact_cap_days=7, emails_per_minute=300, messages_per_minute=120)
    dists: dict[int, tuple[Distribution, Plan]] = {}
    by_plan: list[tuple[Plan, Distribution]] = []
    for plan in PLANS:
        options: dict = {"demo": True}
        if plan.channel == "intercept":
            options.update(
                {
                    "trigger": "event",
                    "event": "checkout_done",
                    "percent": 15,
                    "delay_seconds": 2,
                    "allowed_origins": ["https://shop.freshneighbor.example"],
                }
            )
        if plan.channel == "email" and plan.survey == "nps":
            options["subject"] = {
                "zh-Hans": "您会向朋友推荐鲜邻生活吗？",
                "en": "Would you recommend FreshNeighbor?",
            }
        dist = distribution.create_distribution(
            actor,
            survey_of[plan.survey].pk,
            plan.channel,
            name=plan.name,
            unit=plan.unit,
            messenger=messengers[plan.channel].pk if plan.channel in messengers else None,
            reminder_after_days=3,
            max_reminders=1 if plan.channel in ("email", "sms") else 0,
            options=options,
        )
        dist.created_at = now - timedelta(days=370)
        dist.save(update_fields=["created_at"])
        dists[dist.pk] = (dist, plan)
        by_plan.append((plan, dist))
    distribution.create_trigger(
        actor, "order_delivered", by_plan[0][1].pk, sample_percent=20, survey_cap_days=30
    )
    ticket_sms = next(d for p, d in by_plan if p.survey == "ces" and p.channel == "sms")
    distribution.create_trigger(actor, "ticket_closed", ticket_sms.pk, sample_percent=100, survey_cap_days=14)

    contacts = _contacts(org, rng, now)
    needs = {"wechat": "wechat_openid", "wecom": "wecom_userid", "dingtalk": "dingtalk_userid"}
    reachable = {
        channel: [c for c in contacts if (c.attributes.get(needs[channel]) if channel in needs else True)]
        for channel in ("email", "sms", "wechat", "wecom", "dingtalk", "webhook")
    }
    builder = Builder(org, rng, Simulator(rng, start), now)
    counters: dict[int, int] = {}
    for day_index in range(365):
        day = start + timedelta(days=day_index + 1)
        month = day_index // 30.5
        for plan, dist in by_plan:
            if plan.months and int(month) not in plan.months:
                continue
            per_day = plan.per_month / 30.4 * (1.0 if not plan.months else 30.4 / 10)
            if plan.months and (day_index % 30.5) >= 10:
                continue
            count = int(per_day) + (1 if rng.random() < per_day - int(per_day) else 0)
            for _ in range(count):
                when = _when(rng, day)
                if when > now:
                    continue
                if plan.channel in ("link", "qr", "intercept", "app"):
                    counters[dist.pk] = counters.get(dist.pk, 0) + 1
                    builder.anonymous_response(dist, plan, counters[dist.pk], when)
                else:
                    builder.invite(dist, plan, rng.choice(reachable[plan.channel]), when)
    invited, recorded = _write(org, builder, dists)

    if builder.unsubscribed:
        for contact_id, at in builder.unsubscribed.items():
            Contact.objects.for_org(org).filter(pk=contact_id).update(unsubscribed_at=at)
    Suppression.objects.for_org(org).bulk_create(
        [Suppression(organization=org, address=a, reason=r) for a, r in builder.suppressed.items()],
        ignore_conflicts=True,
    )
    _events(org, rng, builder, by_plan, now)
    ctx.extra["collection"] = {"invitations": invited, "responses": recorded}
    ctx.say(
        f"collection: {len(PLANS)} distributions over 10 channels, {invited} invitations, "
        f"{recorded} responses over 12 months"
    )


def _events(org, rng: random.Random, builder: Builder, by_plan, now) -> None:
    """The trigger events of the last 60 days: the invited ones and those sampled out or capped."""
    triggered = {
        d.pk: name
        for (p, d), name in zip(
            [pd for pd in by_plan if (pd[0].survey, pd[0].channel) in (("csat", "email"), ("ces", "sms"))],
            ["order_delivered", "ticket_closed"],
            strict=True,
        )
    }
    events = []
    for inv, _log, _outcome in builder.invitations:
        name = triggered.get(inv.distribution_id)
        if name is None or inv.created_at < now - timedelta(days=60):
            continue
        attributes = {
            k: v for k, v in inv.hidden.items() if k in ("order_id", "store", "ticket_id", "channel")
        }
        events.append(
            Event(
                organization=org,
                name=name,
                contact=inv.contact,
                attributes=attributes,
                idempotency_key=f"demo-{name}-{inv.pk}",
                outcome="invited",
                invitation=inv,
                occurred_at=inv.created_at - timedelta(minutes=1),
                received_at=inv.created_at,
            )
        )
        extra = 4 if name == "order_delivered" else 0
        for i in range(extra + (1 if rng.random() < 0.15 else 0)):
            outcome = "sampled_out" if i < extra else "capped_global"
            at = inv.created_at - timedelta(hours=rng.uniform(1, 48))
            events.append(
                Event(
                    organization=org,
                    name=name,
                    contact=rng.choice([inv.contact]),
                    attributes={"order_id": f"FN{rng.randint(10_000_000, 99_999_999)}"}
                    if name == "order_delivered"
                    else {},
                    idempotency_key=f"demo-{name}-{inv.pk}-{i}",
                    outcome=outcome,
                    occurred_at=at,
                    received_at=at,
                )
            )
    Event.objects.for_org(org).bulk_create(events, batch_size=1000)
