"""The demo world as fixed tables: who takes part, and what each party posts into the round.

The round is Yiwu's: the county-level city in Jinhua that the province's cross-border e-commerce
(CBEC) cluster pilot lists for small commodities, and China's small-commodity hub. Organization
names are fictional; regions (GB/T 2260), the industrial cluster, platforms, roles and figures
follow the project's reference data (``talentmatch/matching/data``: zhejiang.json,
platforms.json, roles.json and FACTS.md):

- a Yiwu industry association runs the round for Yiwu (330782) and verifies every party;
- Yiwu colleges post classes of 28-50 trainees, most of them "3+1" or graduating classes free
  from March, some bound to stay in Yiwu or Jinhua (directional placement);
- each Yiwu training provider teaches ONE platform (Amazon, eBay, Wish, AliExpress, TikTok
  Shop): government-funded free 30-day intensives, an eBay-authorised 250 class-hour course, and
  paid courses of 1,500-2,600 yuan per trainee (FACTS.md names no fee; this is the range of the
  engine's round generator), some of them online;
- 60 Yiwu firms of the small-commodities trades (festive goods, jewellery, toys, stationery,
  hosiery, hardware, cosmetics packaging, artificial flowers) sell cross-border and ask for
  interns in the roles Zhejiang firms want most (store operations first); each trade has a
  partner college whose classes its firms prefer;
- the Yiwu, Jinhua and Zhejiang commerce authorities (county, city, province) pay training per
  trained head from budgets, and firms sponsor part of the fee. The city and the province sit
  above the Yiwu association; they take part in its round as funders, which is what the
  cooperation model asks of them.

Intern requests are drawn from the trade profiles below with a fixed seed, so every load of the
demo posts exactly the same entries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from talentmatch.platform.db import OrganizationKind

__all__ = [
    "ASSOCIATION",
    "COHORTS",
    "EMAIL_DOMAIN",
    "ENTERPRISES",
    "GOVERNMENTS",
    "PROGRAMS",
    "PROVIDERS",
    "ROUND",
    "SCHOOLS",
    "SEED",
    "SUBSIDIES",
    "TRADES",
    "DemoEntry",
    "DemoOrganization",
    "DemoRound",
    "Trade",
    "intern_requests",
]

EMAIL_DOMAIN = "demo.talentmatch.cn"
SEED = 2027

ZHEJIANG, JINHUA, YIWU = "330000", "330700", "330782"


@dataclass(frozen=True, slots=True)
class DemoOrganization:
    key: str  # the local part of the organization's demo login
    kind: OrganizationKind
    name_zh: str
    name_en: str
    region: str

    @property
    def email(self) -> str:
        return f"{self.key}@{EMAIL_DOMAIN}"


@dataclass(frozen=True, slots=True)
class DemoEntry:
    """One entry to post: its owner (an organization key), its code and its fields."""

    owner: str
    code: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DemoRound:
    name: str
    region: str
    season_start: date
    season_end: date
    policy: dict[str, Any]


ASSOCIATION = DemoOrganization(
    "association",
    OrganizationKind.ASSOCIATION,
    "义乌市跨境电商产教融合促进会",
    "Yiwu CBEC Industry-Education Alliance",
    YIWU,
)

ROUND = DemoRound(
    name="义乌跨境电商人才对接 2027 春季 (Yiwu CBEC talent round, spring 2027)",
    region=YIWU,
    season_start=date(2027, 3, 1),
    season_end=date(2027, 8, 31),
    # A trainee pays at most 300 yuan of a fee: public money and sponsors carry the rest, or
    # the placement does not happen. A class of 40 may split over two providers' courses.
    policy={
        "max_programs_per_cohort": 2,
        "trainee_contribution_per_trainee": 300,
        "time_limit_seconds": 10,
    },
)


# --- colleges and their classes ----------------------------------------------------------------

# Named after Yiwu's streets and towns; every college is fictional.
SCHOOLS: tuple[DemoOrganization, ...] = tuple(
    DemoOrganization(key, OrganizationKind.SCHOOL, zh, en, YIWU)
    for key, zh, en in (
        ("shangcheng-college", "义乌商城职业技术学院", "Yiwu Shangcheng Vocational and Technical College"),
        ("choucheng-college", "稠城跨境电商学院", "Choucheng College of Cross-border Commerce"),
        ("futian-college", "福田国际商贸职业学院", "Futian International Trade Vocational College"),
        ("fotang-college", "佛堂文创职业学院", "Fotang Creative Industries Vocational College"),
        ("suxi-college", "苏溪智造技师学院", "Suxi Smart Manufacturing Technician College"),
        ("beiyuan-college", "北苑数字贸易学校", "Beiyuan Digital Trade School"),
        ("jiangdong-college", "江东外语外贸学院", "Jiangdong College of Foreign Languages and Trade"),
        ("houzhai-college", "后宅电商职业学校", "Houzhai E-commerce Vocational School"),
        ("chian-college", "赤岸丝路职业学院", "Chi'an Silk Road Vocational College"),
        ("dachen-college", "大陈服饰职业技术学校", "Dachen Garment Vocational and Technical School"),
    )
)  # fmt: skip

_SCHOOL_REGION = {school.key: school.region for school in SCHOOLS}
_SUMMER, _AUTUMN, _WINTER = date(2027, 8, 31), date(2027, 9, 30), date(2027, 12, 31)


def _cohort(
    school: str,
    number: int,
    size: int,
    platforms: list[str],
    *,
    level: int,
    available_to: date,
    willing_regions: list[str] | None,
    languages: tuple[str, ...] = ("en",),
    roles: tuple[str, ...] = (),
) -> DemoEntry:
    return DemoEntry(
        school,
        f"{school.removesuffix('-college')}-class-{number}",
        {
            "size": size,
            "platforms": platforms,
            "roles": list(roles),
            "languages": list(languages),
            "level": level,
            "available_from": date(2027, 3, 1),
            "available_to": available_to,
            "region": _SCHOOL_REGION[school],
            "willing_regions": willing_regions,
        },
    )


# Platforms are ranked, most wanted first. "3+1" classes stay into the winter; graduating classes
# leave in summer. Willing regions are where a class may train and intern: Yiwu itself, the
# Jinhua city area or anywhere in the province; the round's firms are all in Yiwu.
COHORTS: tuple[DemoEntry, ...] = (
    _cohort("shangcheng-college", 1, 45, ["amazon", "ebay"], level=2, available_to=_AUTUMN,
            willing_regions=[JINHUA]),
    _cohort("shangcheng-college", 2, 38, ["tiktok_shop", "amazon"], level=1, available_to=_WINTER,
            willing_regions=None),
    _cohort("choucheng-college", 1, 48, ["aliexpress", "amazon"], level=2, available_to=_AUTUMN,
            willing_regions=[YIWU], languages=("en", "ru")),
    _cohort("choucheng-college", 2, 40, ["tiktok_shop", "aliexpress"], level=1,
            available_to=_WINTER, willing_regions=[YIWU]),
    _cohort("futian-college", 1, 50, ["amazon"], level=3, available_to=_SUMMER,
            willing_regions=None),
    _cohort("futian-college", 2, 40, ["tiktok_shop", "aliexpress"], level=2, available_to=_AUTUMN,
            willing_regions=[ZHEJIANG]),
    _cohort("fotang-college", 1, 44, ["ebay", "amazon"], level=2, available_to=_AUTUMN,
            willing_regions=[ZHEJIANG]),
    _cohort("fotang-college", 2, 36, ["tiktok_shop"], level=1, available_to=_WINTER,
            willing_regions=[YIWU], roles=("marketing", "operations", "design_photography")),
    _cohort("suxi-college", 1, 42, ["amazon", "wish"], level=2, available_to=_AUTUMN,
            willing_regions=[JINHUA]),
    _cohort("suxi-college", 2, 35, ["aliexpress", "ebay"], level=1, available_to=_SUMMER,
            willing_regions=[ZHEJIANG]),
    _cohort("beiyuan-college", 1, 38, ["aliexpress", "wish"], level=2, available_to=_AUTUMN,
            willing_regions=[YIWU], languages=("en", "es")),
    _cohort("beiyuan-college", 2, 32, ["amazon", "ebay"], level=1, available_to=_SUMMER,
            willing_regions=[JINHUA]),
    _cohort("jiangdong-college", 1, 46, ["ebay", "amazon"], level=3, available_to=_AUTUMN,
            willing_regions=[ZHEJIANG], languages=("en", "de")),
    _cohort("jiangdong-college", 2, 34, ["wish", "aliexpress"], level=1, available_to=_SUMMER,
            willing_regions=[YIWU], languages=("en", "fr")),
    _cohort("houzhai-college", 1, 40, ["amazon", "ebay"], level=2, available_to=_AUTUMN,
            willing_regions=[YIWU]),
    _cohort("houzhai-college", 2, 30, ["aliexpress"], level=1, available_to=_WINTER,
            willing_regions=[YIWU]),
    _cohort("chian-college", 1, 36, ["amazon", "tiktok_shop"], level=1, available_to=_AUTUMN,
            willing_regions=[JINHUA]),
    _cohort("chian-college", 2, 28, ["wish", "ebay"], level=1, available_to=_WINTER,
            willing_regions=[YIWU], languages=()),
    _cohort("dachen-college", 1, 34, ["amazon", "aliexpress"], level=2, available_to=_AUTUMN,
            willing_regions=[JINHUA]),
    _cohort("dachen-college", 2, 30, ["ebay"], level=1, available_to=_WINTER,
            willing_regions=[YIWU], roles=("operations", "customer_service")),
)  # fmt: skip


# --- training providers and their programmes --------------------------------------------------

PROVIDERS: tuple[DemoOrganization, ...] = tuple(
    DemoOrganization(key, OrganizationKind.TRAINING_PROVIDER, zh, en, YIWU)
    for key, zh, en in (
        ("xinghang-amazon", "星航跨境电商学院", "Xinghang Amazon Academy"),
        ("yunfan-amazon", "义乌云帆跨境教育", "Yunfan Cross-border Education (Amazon)"),
        ("yida-ebay", "易达跨境电商培训中心", "Yida eBay Training Centre"),
        ("xinyuan-wish", "心愿跨境运营学堂", "Xinyuan Wish Operations School"),
        ("sutu-aliexpress", "速途速卖通学院", "Sutu AliExpress Academy"),
        ("silu-aliexpress", "丝路跨境实训基地", "Silu AliExpress Training Base"),
        ("chaoyin-tiktok", "潮音直播电商学院", "Chaoyin TikTok Shop Live Commerce Academy"),
        ("yiting-tiktok", "义亭新媒体电商学院", "Yiting New Media Commerce Academy (TikTok Shop)"),
    )
)  # fmt: skip

_PROVIDER_REGION = {provider.key: provider.region for provider in PROVIDERS}


def _program(
    provider: str,
    code: str,
    platform: str,
    roles: tuple[str, ...],
    *,
    capacity: int,
    min_size: int,
    cost: int,
    start: date,
    days: int,
    online: bool,
    min_level: int = 1,
) -> DemoEntry:
    return DemoEntry(
        provider,
        code,
        {
            "platform": platform,
            "roles": list(roles),
            "capacity": capacity,
            "min_size": min_size,
            "cost_per_trainee": cost,
            "start": start,
            "days": days,
            "min_level": min_level,
            "region": _PROVIDER_REGION[provider],
            "online": online,
        },
    )


# Free intensives are the government-funded "free 30-day course" of the facts; the eBay course
# is the authorised 250 class-hour one (45 days of 5-6 hours).
PROGRAMS: tuple[DemoEntry, ...] = (
    _program("xinghang-amazon", "amazon-30-day-intensive", "amazon", ("operations", "marketing"),
             capacity=80, min_size=10, cost=0, start=date(2027, 3, 15), days=30, online=True),
    _program("xinghang-amazon", "amazon-advanced-operations", "amazon",
             ("operations", "product_development", "sourcing"), capacity=60, min_size=15,
             cost=2400, start=date(2027, 3, 8), days=50, online=False, min_level=2),
    _program("yunfan-amazon", "amazon-cluster-sellers", "amazon",
             ("operations", "sourcing", "design_photography"), capacity=70, min_size=10,
             cost=1800, start=date(2027, 4, 1), days=30, online=False),
    _program("yida-ebay", "ebay-250-class-hours", "ebay",
             ("operations", "marketing", "customer_service"), capacity=80, min_size=12,
             cost=2000, start=date(2027, 3, 10), days=45, online=True),
    _program("xinyuan-wish", "wish-store-operations", "wish", ("operations", "sourcing", "logistics"),
             capacity=60, min_size=8, cost=1600, start=date(2027, 3, 20), days=30, online=True),
    _program("sutu-aliexpress", "aliexpress-30-day-intensive", "aliexpress",
             ("operations", "marketing"), capacity=70, min_size=10, cost=0,
             start=date(2027, 3, 22), days=30, online=False),
    _program("sutu-aliexpress", "aliexpress-minor-languages", "aliexpress",
             ("operations", "customer_service", "marketing"), capacity=40, min_size=8,
             cost=2200, start=date(2027, 3, 8), days=45, online=True),
    _program("silu-aliexpress", "aliexpress-product-sourcing", "aliexpress",
             ("operations", "product_development", "sourcing"), capacity=50, min_size=10,
             cost=1800, start=date(2027, 3, 15), days=40, online=False),
    _program("chaoyin-tiktok", "tiktok-live-commerce", "tiktok_shop",
             ("marketing", "operations", "design_photography"), capacity=80, min_size=15,
             cost=2600, start=date(2027, 3, 15), days=40, online=False),
    _program("chaoyin-tiktok", "tiktok-short-video-online", "tiktok_shop",
             ("marketing", "operations"), capacity=60, min_size=0, cost=1500,
             start=date(2027, 4, 1), days=30, online=True),
    _program("yiting-tiktok", "tiktok-small-commodities-live", "tiktok_shop",
             ("marketing", "design_photography", "operations"), capacity=50, min_size=8,
             cost=1500, start=date(2027, 3, 18), days=35, online=False),
)  # fmt: skip


# --- governments and their subsidy programmes -------------------------------------------------

# Public bodies cannot be invented, so the demo marks its stand-ins for them. Yiwu is a
# county-level city: its bureau is the county tier, Jinhua the city tier above it.
GOVERNMENTS: tuple[DemoOrganization, ...] = tuple(
    DemoOrganization(key, OrganizationKind.GOVERNMENT, zh, en, region)
    for key, zh, en, region in (
        ("yiwu-commerce", "义乌市商务局（演示）", "Yiwu Municipal Commerce Bureau (demo)", YIWU),
        ("jinhua-commerce", "金华市商务局（演示）", "Jinhua Municipal Commerce Bureau (demo)", JINHUA),
        ("zhejiang-commerce", "浙江省商务厅（演示）", "Zhejiang Department of Commerce (demo)", ZHEJIANG),
    )
)  # fmt: skip

# Paid per trained head (按人头补贴); the county pays most per head, the province least but
# everywhere, and the province's talent project targets the newer platforms. Each budget stays
# well under the 1,000,000 yuan a talent project can get.
SUBSIDIES: tuple[DemoEntry, ...] = (
    DemoEntry("yiwu-commerce", "yiwu-per-head-training",
              {"budget": 150_000, "per_trainee_cap": 1500, "regions": [YIWU],
               "platforms": None, "roles": None}),
    DemoEntry("jinhua-commerce", "jinhua-cbec-talent-training",
              {"budget": 200_000, "per_trainee_cap": 1200, "regions": [JINHUA],
               "platforms": None, "roles": None}),
    DemoEntry("zhejiang-commerce", "zhejiang-cluster-pilot-training",
              {"budget": 400_000, "per_trainee_cap": 1000, "regions": [ZHEJIANG],
               "platforms": None, "roles": None}),
    DemoEntry("zhejiang-commerce", "zhejiang-new-platform-talent",
              {"budget": 200_000, "per_trainee_cap": 1000, "regions": [ZHEJIANG],
               "platforms": ["aliexpress", "tiktok_shop"], "roles": None}),
)  # fmt: skip


# --- enterprises of the small-commodities cluster -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Trade:
    """One trade of Yiwu's small-commodities cluster (zhejiang.json) and the demo's firms in it."""

    slug: str
    trade_zh: str
    trade_en: str
    brands: tuple[tuple[str, str], ...]  # (zh, pinyin) of each firm
    platforms: dict[str, float]  # weight of each platform the trade's firms sell on
    partner: str  # the college whose "3+1" classes the trade's firms take on (定向输出)


TRADES: tuple[Trade, ...] = (
    Trade("festive", "节庆用品", "Festive Goods",
          (("福运", "Fuyun"), ("喜庆", "Xiqing"), ("星辰", "Xingchen"), ("万采", "Wancai"),
           ("嘉年", "Jianian"), ("瑞雪", "Ruixue"), ("金铃", "Jinling"), ("彩虹", "Caihong"),
           ("欢乐", "Huanle")),
          {"amazon": 4, "aliexpress": 3, "tiktok_shop": 3, "wish": 2, "ebay": 1},
          "shangcheng-college"),
    Trade("jewellery", "饰品", "Jewellery",
          (("佳艺", "Jiayi"), ("琉光", "Liuguang"), ("珠韵", "Zhuyun"), ("晶彩", "Jingcai"),
           ("饰尚", "Shishang"), ("百汇", "Baihui"), ("银月", "Yinyue"), ("巧手", "Qiaoshou"),
           ("雅饰", "Yashi")),
          {"aliexpress": 5, "tiktok_shop": 4, "wish": 3, "amazon": 2},
          "choucheng-college"),
    Trade("toys", "玩具", "Toys",
          (("乐童", "Letong"), ("童趣", "Tongqu"), ("趣玩", "Quwan"), ("积木坊", "Jimufang"),
           ("小熊", "Xiaoxiong"), ("奇乐", "Qile"), ("彩泡", "Caipao"), ("飞鸢", "Feiyuan")),
          {"amazon": 4, "aliexpress": 3, "tiktok_shop": 3, "ebay": 1},
          "futian-college"),
    Trade("stationery", "文具", "Stationery",
          (("文华", "Wenhua"), ("墨香", "Moxiang"), ("笔韵", "Biyun"), ("学友", "Xueyou"),
           ("彩笔", "Caibi"), ("尚书", "Shangshu"), ("铭刻", "Mingke")),
          {"amazon": 3, "aliexpress": 3, "ebay": 2, "alibaba": 1},
          "beiyuan-college"),
    Trade("hosiery", "袜业", "Hosiery",
          (("丝语", "Siyu"), ("暖步", "Nuanbu"), ("彩织", "Caizhi"), ("柔丝", "Rousi"),
           ("步云", "Buyun"), ("棉悦", "Mianyue"), ("足乐", "Zule")),
          {"amazon": 3, "aliexpress": 3, "tiktok_shop": 2, "wish": 1},
          "dachen-college"),
    Trade("hardware", "五金工具", "Hardware & Tools",
          (("锐锋", "Ruifeng"), ("钢匠", "Gangjiang"), ("金工", "Jingong"), ("力恒", "Liheng"),
           ("恒锻", "Hengduan"), ("精铸", "Jingzhu"), ("义联", "Yilian")),
          {"amazon": 4, "ebay": 3, "aliexpress": 2},
          "suxi-college"),
    Trade("packaging", "化妆品包装", "Cosmetic Packaging",
          (("瓶韵", "Pingyun"), ("雅瓶", "Yaping"), ("晶盒", "Jinghe"), ("美包", "Meibao"),
           ("鑫源", "Xinyuan"), ("丰泽", "Fengze")),
          {"aliexpress": 3, "amazon": 2, "alibaba": 2},
          "houzhai-college"),
    Trade("flowers", "仿真花", "Artificial Flowers",
          (("花语", "Huayu"), ("春晓", "Chunxiao"), ("绿意", "Lvyi"), ("芳华", "Fanghua"),
           ("锦簇", "Jincu"), ("商通", "Shangtong"), ("雅居", "Yaju")),
          {"amazon": 3, "tiktok_shop": 3, "wish": 2, "ebay": 1},
          "fotang-college"),
)  # fmt: skip


def _enterprises() -> tuple[tuple[DemoOrganization, Trade], ...]:
    return tuple(
        (
            DemoOrganization(
                f"{trade.slug}-{brand_en.lower()}",
                OrganizationKind.ENTERPRISE,
                f"义乌{brand_zh}{trade.trade_zh}有限公司",
                f"Yiwu {brand_en} {trade.trade_en} Co., Ltd.",
                YIWU,
            ),
            trade,
        )
        for trade in TRADES
        for brand_zh, brand_en in trade.brands
    )


_FIRMS = _enterprises()
ENTERPRISES: tuple[DemoOrganization, ...] = tuple(firm for firm, _ in _FIRMS)

# Demand order of Zhejiang CBEC firms (FACTS.md), most wanted first, then the unranked roles.
_ROLE_WEIGHTS: dict[str, float] = {
    "operations": 30,
    "marketing": 20,
    "product_development": 12,
    "sourcing": 10,
    "design_photography": 8,
    "logistics": 5,
    "customer_service": 5,
}
# "CBEC + minor language": the second language a platform's markets ask for.
_MINOR_LANGUAGE = {"aliexpress": "ru", "amazon": "de", "ebay": "de", "wish": "fr"}
_INTERNSHIP_STARTS = (date(2027, 5, 1), date(2027, 5, 15), date(2027, 6, 1), date(2027, 6, 15))


def _role_weights(platform: str) -> dict[str, float]:
    """Firms mostly ask for roles some course of their platform teaches: the association
    collects the requests its providers can train for. The rest is unmet demand."""
    taught = {
        role for p in PROGRAMS if p.fields["platform"] == platform for role in p.fields["roles"]
    }
    return {role: w * (1.0 if role in taught else 0.1) for role, w in _ROLE_WEIGHTS.items()}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def intern_requests() -> tuple[DemoEntry, ...]:
    """Every enterprise's intern requests (one to four each), the same on every call.

    ``preferred_schools`` holds school keys here; the loader turns them into organization ids.
    Half the requests name the trade's partner college: the "directional placement" of the
    facts.
    """
    rng = random.Random(SEED)
    requests: list[DemoEntry] = []
    for firm, trade in _FIRMS:
        # A firm sells on one or two platforms.
        platforms = [_pick(rng, trade.platforms)]
        if rng.random() < 0.4:
            second = _pick(rng, trade.platforms)
            if second not in platforms:
                platforms.append(second)
        for number in range(1, rng.choices((1, 2, 3, 4), (0.15, 0.4, 0.3, 0.15))[0] + 1):
            platform = rng.choice(platforms)
            start = rng.choice(_INTERNSHIP_STARTS)
            months = rng.choices((2, 3), (0.5, 0.5))[0]
            languages: list[str] = []
            roll = rng.random()
            if roll < 0.06 and platform in _MINOR_LANGUAGE:
                languages = ["en", _MINOR_LANGUAGE[platform]]
            elif roll < 0.6:
                languages = ["en"]
            preferred = [trade.partner] if rng.random() < 0.5 else []
            requests.append(
                DemoEntry(
                    firm.key,
                    f"{firm.key}-{number}",
                    {
                        "platform": platform,
                        "role": _pick(rng, _role_weights(platform)),
                        "slots": rng.choices((2, 3, 4, 5, 6, 8), (2, 3, 3, 2, 2, 1))[0],
                        "region": firm.region,
                        "start": start,
                        "end": _months_later(start, months) - timedelta(days=1),
                        "min_level": rng.choices((1, 2), (0.75, 0.25))[0],
                        "languages": languages,
                        "sponsorship_per_trainee": rng.choices(
                            (0, 300, 500, 1000), (0.35, 0.25, 0.25, 0.15)
                        )[0],
                        "preferred_schools": preferred,
                    },
                )
            )
    return tuple(requests)


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)
