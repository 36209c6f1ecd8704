"""Texts of the demo marketplace: brands, experts and customer questions in English and Chinese."""

from __future__ import annotations

# (company name, slug, currency, [(pool slug, pool name, brand)], budget in minor units)
COMPANIES = [
    (
        "Aurora Mobile 极光手机",
        "aurora",
        "CNY",
        [
            ("aurora-phones", "Aurora Phones 极光手机", "Aurora Phones"),
            ("aurora-watch", "Aurora Watch 极光手表", "Aurora Watch"),
        ],
        5_000_000,
    ),
    (
        "Lumen Coffee 流明咖啡",
        "lumen",
        "USD",
        [("lumen-rewards", "Lumen Rewards 流明会员", "Lumen Coffee")],
        2_000_000,
    ),
]

# (pool slug, language, subject, body, tags)
QUESTIONS = [
    (
        "aurora-phones",
        "en",
        "Battery drains overnight",
        "My Aurora X5 loses 30% battery overnight even with nothing running. Is this normal?",
        ["battery"],
    ),
    (
        "aurora-phones",
        "en",
        "Screen flickers at low brightness",
        "Since the last update my screen flickers when brightness is under 20%. How do I fix it?",
        ["screen", "software-update"],
    ),
    (
        "aurora-phones",
        "en",
        "Warranty for a cracked back glass",
        "I dropped my phone and the back glass cracked. Does the warranty cover it?",
        ["warranty"],
    ),
    (
        "aurora-phones",
        "en",
        "eSIM transfer from old phone",
        "How do I move my eSIM from my old Aurora X3 to the new X5 without calling my carrier?",
        ["network", "setup"],
    ),
    (
        "aurora-phones",
        "en",
        "Camera night mode blurry",
        "Night mode photos come out blurry on my X5 Pro. Any settings I should change?",
        ["camera"],
    ),
    (
        "aurora-phones",
        "zh",
        "手机夜间耗电很快",
        "我的极光 X5 晚上待机一夜掉电 30%，后台什么都没开，这正常吗？",
        ["battery"],
    ),
    (
        "aurora-phones",
        "zh",
        "系统更新后屏幕闪烁",
        "上次系统更新后，亮度低于 20% 时屏幕会闪，怎么解决？",
        ["screen", "software-update"],
    ),
    (
        "aurora-phones",
        "zh",
        "后盖碎了能保修吗",
        "手机不小心摔了，后盖玻璃碎了，在保修范围内吗？需要带什么去售后？",
        ["warranty"],
    ),
    (
        "aurora-phones",
        "zh",
        "如何迁移 eSIM",
        "旧手机是极光 X3，新买了 X5，eSIM 怎么迁移？一定要去营业厅吗？",
        ["network", "setup"],
    ),
    (
        "aurora-phones",
        "zh",
        "夜景模式拍照模糊",
        "X5 Pro 夜景模式拍出来总是糊的，有什么设置可以改善吗？",
        ["camera"],
    ),
    (
        "aurora-watch",
        "en",
        "Watch does not sync steps",
        "My Aurora Watch 2 stopped syncing steps to the Aurora Health app yesterday.",
        ["sync", "app"],
    ),
    (
        "aurora-watch",
        "en",
        "Strap size exchange",
        "The strap that came with my watch is too small. Can I exchange it for a larger one?",
        ["returns"],
    ),
    (
        "aurora-watch",
        "zh",
        "手表步数不同步",
        "极光手表 2 从昨天开始步数不同步到极光健康 App 了，重新配对也没用。",
        ["sync", "app"],
    ),
    (
        "aurora-watch",
        "zh",
        "表带尺寸可以换吗",
        "随机附带的表带太小了，可以换大一号的吗？运费谁出？",
        ["returns"],
    ),
    (
        "lumen-rewards",
        "en",
        "Stars missing from my last order",
        "I bought two lattes this morning with the app but no stars were added to my account.",
        ["loyalty", "orders"],
    ),
    (
        "lumen-rewards",
        "en",
        "Refund for a cancelled mobile order",
        "I cancelled a mobile order before pickup. When will the refund show on my card?",
        ["payment", "orders"],
    ),
    (
        "lumen-rewards",
        "en",
        "Birthday reward not received",
        "It was my birthday last week and I never got the free drink reward. Can you check?",
        ["loyalty"],
    ),
    (
        "lumen-rewards",
        "zh",
        "上一单没有积星",
        "今天早上用 App 买了两杯拿铁，但账户里没有加星星。",
        ["loyalty", "orders"],
    ),
    (
        "lumen-rewards",
        "zh",
        "取消的订单什么时候退款",
        "我在取餐前取消了手机订单，退款多久能到银行卡？",
        ["payment", "orders"],
    ),
    (
        "lumen-rewards",
        "zh",
        "生日礼没有收到",
        "上周是我生日，但一直没收到免费饮品的生日礼，能帮我查一下吗？",
        ["loyalty"],
    ),
]

FIRST_NAMES = [
    "Li Na 李娜",
    "Wang Wei 王伟",
    "Zhang Min 张敏",
    "Chen Jie 陈杰",
    "Liu Yang 刘洋",
    "Zhao Lei 赵磊",
    "Sun Li 孙丽",
    "Zhou Tao 周涛",
    "Wu Fang 吴芳",
    "Xu Jing 徐静",
    "Emma Lee",
    "Noah Kim",
    "Olivia Tan",
    "Liam Wong",
    "Ava Chen",
    "Lucas Ng",
    "Mia Lim",
    "Ethan Ho",
    "Sofia Goh",
    "Mason Yeo",
]

SKILLS_BY_POOL = {
    "aurora-phones": [
        "battery",
        "screen",
        "software-update",
        "warranty",
        "network",
        "setup",
        "camera",
    ],
    "aurora-watch": ["sync", "app", "returns"],
    "lumen-rewards": ["loyalty", "orders", "payment"],
}

CHANNELS = ["web", "app", "email", "wechat", "weibo", "phone", "other"]

# Known-answer questions per pool: (subject, body, reference answer, required terms). They feed
# the qualification tests of new applicants and measure experts in the stream.
GOLD = {
    "aurora-phones": [
        (
            "Phone frozen",
            "My Aurora X5 froze on the lock screen. How do I restart it?",
            "Force restart: hold the power and volume down keys together for ten seconds until "
            "the Aurora logo appears.",
            ["power"],
        ),
        (
            "How to check warranty",
            "Where can I see if my phone is still under warranty?",
            "Open Settings > About phone > Warranty, or enter the serial number on the Aurora "
            "support site.",
            ["serial|settings"],
        ),
        (
            "Transfer contacts",
            "How do I copy my contacts from my old phone?",
            "Use Aurora Switch: install it on both phones, connect them on the same Wi-Fi and "
            "choose Contacts.",
            ["switch"],
        ),
    ],
    "aurora-watch": [
        (
            "Watch will not pair",
            "My Aurora Watch does not show up in the app.",
            "Restart Bluetooth on the phone, keep the watch on its charger and choose Add device "
            "in the Aurora Health app.",
            ["bluetooth"],
        ),
    ],
    "lumen-rewards": [
        (
            "How many stars per drink",
            "How many stars do I earn for one latte?",
            "Members earn 2 stars per dollar spent; a 5 dollar latte earns 10 stars.",
            ["2|two"],
        ),
    ],
}

# Scoring settings per demo company: links to these hosts are not "external".
SCORING = {
    "aurora": {
        "allowed_domains": ["aurora.demo.test", "support.aurora.demo.test"],
        "banned_terms": ["刷机", "root 教程", "jailbreak"],
    },
    "lumen": {
        "allowed_domains": ["lumen.demo.test"],
        "banned_terms": ["Starbucks", "星巴克"],
    },
}

# Knowledge-base entries per demo company: (title, body, language, tags).
KNOWLEDGE = {
    "aurora": [
        (
            "Battery drains overnight",
            "After an update the phone re-indexes files for up to 48 hours, which uses extra "
            "battery. Afterwards, open Settings > Battery > Usage to find the app that drains "
            "it, update your apps and restart. Adaptive charging is under Settings > Battery.",
            "en",
            ["battery"],
        ),
        (
            "Cracked screen or back glass",
            "Accidental damage such as a cracked screen or back glass is not covered by the "
            "24-month warranty unless the phone has Aurora Care+. Repairs at authorised "
            "centres cost 599 CNY for a screen and 299 CNY for back glass.",
            "en",
            ["warranty", "screen"],
        ),
        (
            "手机夜间耗电快",
            "系统更新后手机会在后台重建索引，最长约 48 小时，这段时间耗电会增加。之后可在“设置 > "
            "电池 > 耗电排行”查看耗电最多的应用，更新应用并重启手机。",
            "zh",
            ["battery"],
        ),
        (
            "屏幕闪烁",
            "低亮度下屏幕闪烁时，请在“设置 > 显示”中关闭 DC 调光后重启；若升级后仍闪烁，请到授权"
            "服务中心检测屏幕排线。",
            "zh",
            ["screen", "software-update"],
        ),
    ],
    "lumen": [
        (
            "Rewards points expiry",
            "Lumen Rewards points expire 12 months after they are earned. Points earned with "
            "a mobile order appear within 24 hours; missing points can be claimed in the app "
            "under Rewards > Missing points within 30 days.",
            "en",
            ["rewards"],
        ),
        (
            "会员积分到账",
            "在小程序点单获得的积分会在 24 小时内到账；30 天内可在“会员 > 积分补录”提交小票补录。"
            "积分自获得之日起 12 个月内有效。",
            "zh",
            ["rewards"],
        ),
    ],
}


def reward_table(currency: str) -> dict[str, object]:
    """The demo's reward table: 8.00 by default, 12.00 when urgent, phone calls 15.00."""
    return {
        "currency": currency,
        "rows": [
            {"channel": None, "min_priority": 0, "amount": 800},
            {"channel": None, "min_priority": 7, "amount": 1200},
            {"channel": "phone", "min_priority": 0, "amount": 1500},
        ],
    }
