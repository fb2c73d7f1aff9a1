"""FreshNeighbor 鲜邻生活: a grocery chain with stores in East and North China, an app and delivery.

Creates the organization, its units and a member in every role (plus a partner organization,
so the organization switcher has somewhere to go).
"""

from openxm.accounts import services
from openxm.accounts.models import Membership, Unit

from .loader import DemoContext, demo_step

DEMO_SLUG = "demo"
DEMO_NAME = "FreshNeighbor 鲜邻生活"
PARTNER_SLUG = "northwind"
PARTNER_NAME = "Northwind Coffee 北风咖啡"

PEOPLE = [
    # (e-mail, name, role, unit the member is limited to; "" for the whole organization)
    ("admin@demo.openxm.local", "Chen Jing 陈静 (CX admin)", "admin", ""),
    ("owner@demo.openxm.local", "Wang Lei 王磊 (CEO)", "owner", ""),
    ("analyst@demo.openxm.local", "Priya Nair (CX analyst)", "analyst", ""),
    ("agent@demo.openxm.local", "Li Na 李娜 (service desk)", "agent", ""),
    ("agent2@demo.openxm.local", "Tom Baker (service desk)", "agent", ""),
    ("store.jingan@demo.openxm.local", "Zhou Min 周敏 (store manager, Jing'an)", "agent", "sh-jingan"),
    ("viewer@demo.openxm.local", "Zhang Wei 张伟 (regional director)", "viewer", "east"),
]

UNITS = [
    # (code, name, kind, parent)
    ("east", "华东区 East China", "region", ""),
    ("north", "华北区 North China", "region", ""),
    ("sh-jingan", "上海静安店 Shanghai Jing'an", "store", "east"),
    ("sh-pudong", "上海浦东店 Shanghai Pudong", "store", "east"),
    ("hz-xihu", "杭州西湖店 Hangzhou West Lake", "store", "east"),
    ("sz-sip", "苏州园区店 Suzhou Industrial Park", "store", "east"),
    ("bj-chaoyang", "北京朝阳店 Beijing Chaoyang", "store", "north"),
    ("bj-haidian", "北京海淀店 Beijing Haidian", "store", "north"),
    ("tj-heping", "天津和平店 Tianjin Heping", "store", "north"),
    ("app", "鲜邻App FreshNeighbor app", "channel", ""),
    ("mini", "微信小程序 WeChat mini-program", "channel", ""),
    ("delivery", "到家配送 Home delivery", "channel", ""),
    ("callcenter", "客服中心 Customer service centre", "department", ""),
    ("logistics", "物流部 Logistics", "department", ""),
    ("store-ops", "门店运营部 Store operations", "department", ""),
    ("hr", "人力资源部 HR", "department", ""),
]


@demo_step("company", order=10)
def load_company(ctx: DemoContext) -> None:
    org = services.bootstrap_organization(DEMO_SLUG, DEMO_NAME)
    org.default_language = "zh-hans"
    org.time_zone = "Asia/Shanghai"
    org.save(update_fields=["default_language", "time_zone"])
    ctx.organization = org
    operator = services.operator_actor(org)
    existing = set(Unit.objects.for_org(org).values_list("code", flat=True))
    for code, name, kind, parent in UNITS:
        if code not in existing:
            services.create_unit(operator, code, name, kind, parent)
    for email, name, role, unit in PEOPLE:
        user = services.bootstrap_user(email, ctx.password, name)
        if not Membership.objects.for_org(org).filter(user=user).exists():
            services.add_member(operator, email, role, unit=unit)
        ctx.users.setdefault(role, user)
        ctx.users[email] = user

    partner = services.bootstrap_organization(PARTNER_SLUG, PARTNER_NAME)
    partner_operator = services.operator_actor(partner)
    admin = ctx.users["admin"]
    if services.membership_in(admin, partner) is None:
        services.add_member(partner_operator, admin.email, "analyst")
    for code, name, kind, parent in [
        ("cn", "中国区 China", "region", ""),
        ("sh-xintiandi", "新天地店", "store", "cn"),
    ]:
        if not Unit.objects.for_org(partner).filter(code=code).exists():
            services.create_unit(partner_operator, code, name, kind, parent)
    ctx.say(f"organization '{DEMO_SLUG}' with {len(PEOPLE)} members and {len(UNITS)} units")
