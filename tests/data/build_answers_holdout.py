"""Build tests/data/answers_holdout.jsonl: hand-written answers for brands the checks never saw.

Written after the checks' lexicons and thresholds were frozen on answers_eval.jsonl, and never
used to tune them, so its figures estimate how the checks do on unseen text. Do not tune on it.
Run: python tests/data/build_answers_holdout.py
"""

# ruff: noqa: E501 -- prose data: one text per line keeps the set readable and diffable.

import json
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "answers_holdout.jsonl"
KB = {
    "voltride": "Rides end when the scooter is parked inside a green zone and the lock icon is tapped. If the app cannot end the ride, take a photo of the parked scooter and use Help > Can't end ride; we refund any minutes charged after the photo time. Unlock fees are 1 USD per ride; minutes cost 0.39 USD.",
    "voltride2": "Ride passes are bought under Wallet > Passes. A 30-day pass includes 45 minutes per day. Unused minutes do not roll over. Passes renew automatically unless turned off in Wallet > Passes > Auto-renew.",
    "freshbox": "Missing or damaged items can be reported within 48 hours of delivery in Orders > Report an issue. Select the items and add a photo for damaged goods. Refunds go to FreshBox credit instantly or to the original card in 3-5 business days.",
    "freshbox2": "Delivery slots can be changed until 10 pm the day before delivery from Orders > Change slot. Same-day changes are not possible because boxes are packed overnight.",
    "xingyun": "行程结束后如对车费有疑问，可在“行程 > 费用疑问”提交申诉，客服将在 24 小时内核实。若司机绕路或未及时结束计费，核实后将退还多收费用。高峰期动态调价属正常计费。",
    "xingyun2": "乘客取消订单：司机接单后 2 分钟内取消免费；超过 2 分钟且司机已出发，需支付 5 元取消费。司机迟到超过 5 分钟，乘客取消免费。",
    "yuedu": "悦读会员可在“我的 > 会员 > 自动续费”中关闭续费，关闭后会员权益保留至到期日。已购买的单本电子书永久有效，会员到期后会员专享书籍无法继续阅读。",
    "yuedu2": "电子书支持在最多 3 台设备上同时登录阅读，阅读进度通过云端同步。超过设备上限时，需在“设置 > 设备管理”中移除旧设备。",
}
CTX = {
    "voltride": dict(
        knowledge_base=[KB["voltride"], KB["voltride2"]],
        allowed_domains=["voltride.com"],
        banned_terms=["hack", "Telegram"],
    ),
    "freshbox": dict(
        knowledge_base=[KB["freshbox"], KB["freshbox2"]],
        allowed_domains=["freshbox.com"],
        banned_terms=["Instacart", "WhatsApp"],
    ),
    "xingyun": dict(
        knowledge_base=[KB["xingyun"], KB["xingyun2"]],
        allowed_domains=["xingyun-ride.cn"],
        banned_terms=["私下交易", "黑车"],
    ),
    "yuedu": dict(
        knowledge_base=[KB["yuedu"], KB["yuedu2"]],
        allowed_domains=["yuedu.com"],
        banned_terms=["盗版", "破解"],
    ),
}
Q = {
    "v1": (
        "en",
        "voltride",
        "Can't end my ride",
        "I parked the scooter outside my office but the app keeps saying I can't end the ride here. It's been charging me for 20 minutes!",
    ),
    "v2": (
        "en",
        "voltride",
        "Does my pass roll over?",
        "I bought the 30-day pass but only used 10 minutes yesterday. Do the other 35 minutes carry over to today?",
    ),
    "f1": (
        "en",
        "freshbox",
        "Eggs arrived broken",
        "Half the eggs in today's FreshBox delivery were smashed and the yoghurt was leaking. What can I do?",
    ),
    "f2": (
        "en",
        "freshbox",
        "Change tomorrow's delivery time",
        "I won't be home tomorrow morning. Can I move my delivery to the evening slot?",
    ),
    "x1": (
        "zh",
        "xingyun",
        "车费比预估高很多",
        "昨晚打车预估 35 元，结果扣了 68 元，感觉司机绕路了，怎么处理？",
    ),
    "x2": (
        "zh",
        "xingyun",
        "取消订单被扣了 5 块钱",
        "司机接单后一直不动，我等了 8 分钟才取消，结果还扣了我 5 元取消费，合理吗？",
    ),
    "y1": (
        "zh",
        "yuedu",
        "会员到期后书还能看吗",
        "我想关掉悦读会员的自动续费，关了以后之前看的书还能继续看吗？",
    ),
    "y2": (
        "zh",
        "yuedu",
        "换了新手机登录不上",
        "新手机登录悦读提示设备数量已达上限，没法看书了，怎么办？",
    ),
}
items = []


def add(q, answer, label, flags, **extra):
    lang, brand, subj, body = Q[q]
    ctx = {**CTX[brand], "other_answers": extra.pop("other_answers", []), "min_length": 40}
    items.append(
        {
            "id": f"h-{len(items) + 1:03d}",
            "language": lang,
            "brand": brand,
            "question_subject": subj,
            "question_body": body,
            "answer": answer,
            "label": label,
            "expected_flags": sorted(flags),
            "context": ctx,
            **extra,
        }
    )


# ---- English
add(
    "v1",
    "Sorry about that! The ride can only end inside a green zone, so check the map for the nearest one - often it's just a block away. If you really can't move it, take a photo of where it's parked and go to Help > Can't end ride; we'll refund every minute after the photo was taken.",
    "good",
    [],
)
add(
    "v1",
    "Your office is probably just outside the parking area. Push the scooter to the closest green-shaded spot on the map and tap the lock icon again. For the 20 minutes already charged, send us a photo through Help and we'll credit back anything after that moment.",
    "good",
    [],
)
add(
    "v2",
    "Unfortunately unused minutes don't carry over: the 30-day pass gives you 45 minutes each day, and whatever is left at midnight expires. Today you start again with a fresh 45.",
    "good",
    [],
)
add(
    "f1",
    "I'm so sorry about the mess! Please report it within 48 hours in Orders > Report an issue, select the eggs and the yoghurt and attach a photo. You can pick FreshBox credit, which arrives instantly, or a refund to your card in 3-5 business days.",
    "good",
    [],
)
add(
    "f2",
    "Yes, as long as you do it before 10 pm tonight. Open Orders > Change slot and choose tomorrow evening. After 10 pm we can't change it because the boxes are packed overnight.",
    "good",
    [],
)
add(
    "f2",
    "You can switch it yourself in the app under Change slot until 10 o'clock this evening. Pick any free evening window and you'll get a confirmation email straight away.",
    "good",
    [],
)
add(
    "v2",
    "Each day of the pass comes with its own 45 minutes, and leftovers vanish at the end of the day, so yesterday's unused time is gone. If you ride less than expected, turning off auto-renew in Wallet > Passes might save you money next month.",
    "good",
    [],
)
add(
    "f1",
    "Please don't throw anything away yet - snap a quick photo first. Then use Report an issue on the order and choose the damaged products; the refund is usually processed immediately if you take it as store credit.",
    "good",
    [],
)
add(
    "v1",
    "You can end the ride anywhere as long as the scooter is upright; the app error is a known bug, just force-close it and the ride ends automatically.",
    "wrong",
    [],
)
add(
    "v2",
    "Yes, unused minutes roll over for up to 7 days, so you have 80 minutes available today.",
    "wrong",
    [],
)
add(
    "f2",
    "Delivery slots are fixed once the order is placed; you'd need to cancel and reorder for the evening.",
    "wrong",
    [],
)
add(
    "f1",
    "Ugh, eggs break all the time, that's life. Report it in the app if you must, I honestly can't be bothered with every cracked egg.",
    "rude",
    ["rude"],
)
add(
    "v1",
    "Dude, it literally tells you why. Read the map instead of spamming support. Park in green and stop being so lazy.",
    "rude",
    ["rude"],
)
add(
    "f2",
    "Another slot question? Seriously? Go to Change slot like everyone else, it's not hard, idiot.",
    "rude",
    ["rude"],
)
add(
    "v2",
    "Our new Pro scooters have a wider deck and better suspension, great for cobblestones. They're rolling out in three more cities this summer.",
    "off_topic",
    ["off_topic"],
)
add(
    "f1",
    "The weekend market downtown has amazing sourdough and the coffee stand near the entrance is worth the queue.",
    "off_topic",
    ["off_topic"],
)
add(
    "v1",
    "退款会在 3 到 5 个工作日内原路退回到您的银行卡，请耐心等待。",
    "off_topic",
    ["off_topic", "language_mismatch"],
)
add(
    "f1",
    "Hello! " + KB["freshbox"] + " Thanks!",
    "copied",
    ["copied"],
    source={"kind": "knowledge_base", "index": 0},
)
add(
    "v1",
    "Hi, rides end when the scooter is parked inside a green zone and the lock icon is tapped. If the app can't end the ride, take a photo of the parked scooter and use Help > Can't end ride; we refund any minutes charged after the photo time.",
    "copied",
    ["copied"],
    source={"kind": "knowledge_base", "index": 0},
)
add(
    "f2",
    "Yes, before 10 pm tonight you can switch it in Orders > Change slot. If you get stuck, call me on my mobile +1 415 555 0199 and I'll do it for you.",
    "personal_data",
    ["personal_data"],
)
add(
    "v2",
    "Leftover minutes expire daily, sorry. Email me at carla.mendes.rides@gmail.com if you want me to check your account.",
    "personal_data",
    ["personal_data"],
)
add(
    "f1",
    "Report it in Orders > Report an issue with a photo. I can also refund it straight to your Visa 4532 0151 1283 0366 if you prefer.",
    "personal_data",
    ["personal_data"],
)
add(
    "v1",
    "Unlock scooters for free with our ride hack! Join https://t.me/freeridez on Telegram, free codes daily!!!",
    "spam",
    ["banned_terms", "external_links", "promotional", "off_topic"],
)
add(
    "f2",
    "Skip FreshBox, Instacart does same-day delivery and it's way cheaper. Use my referral code SAVE20 for 20% off your first order.",
    "spam",
    ["banned_terms", "promotional", "off_topic"],
)
# ---- Chinese
add(
    "x1",
    "很抱歉给您带来不好的体验。您可以在“行程 > 费用疑问”里提交申诉，写明预估价和实际扣费，客服会在 24 小时内核实路线。如果确认司机绕路，多收的费用会退还给您。另外高峰期会有动态调价，这部分属于正常计费。",
    "good",
    [],
)
add(
    "x1",
    "建议您先在行程详情里看一下实际路线和计价明细。如果路线明显绕远，直接在费用疑问里申诉，一天内会有结果，核实后多收的部分原路退回。",
    "good",
    [],
)
add(
    "x2",
    "司机迟到超过 5 分钟的情况下取消是免费的，您等了 8 分钟，这 5 元不应该收。请在行程里找到这笔取消费提交申诉，说明司机一直未动，核实后会退回。",
    "good",
    [],
)
add(
    "y1",
    "关闭自动续费后，会员在到期日之前都能正常使用。您单独购买的电子书是永久有效的，随时能看；但会员专享的书在会员到期后就不能继续阅读了。关闭路径是“我的 > 会员 > 自动续费”。",
    "good",
    [],
)
add(
    "y2",
    "一个账号最多同时在 3 台设备上登录。您可以在旧设备或新手机的“设置 > 设备管理”里移除一台不用的设备，然后新手机就能正常登录，阅读进度会通过云端同步过来。",
    "good",
    [],
)
add(
    "y2",
    "这是因为登录的设备超过了上限。进入设备管理，把以前的旧手机或平板删掉一台就可以了，书架和阅读进度都不会丢。",
    "good",
    [],
)
add(
    "y1",
    "可以放心关闭续费，已经开通的会员时间不会被收回，到期前照常使用。自己花钱买的单本书不受影响，一直都能看。",
    "good",
    [],
)
add(
    "x2",
    "按规则，司机接单后 2 分钟内取消不收费，但如果司机迟到超过 5 分钟，您取消也是免费的。这种情况可以申诉退回取消费。",
    "good",
    [],
)
add("x1", "动态调价时价格翻倍是正常的，系统扣费无法申诉，建议下次避开高峰期打车。", "wrong", [])
add("y1", "关闭自动续费会立即终止会员，之前购买的书也会一起失效。", "wrong", [])
add("y2", "新手机需要先注销旧账号再重新注册，才能解除设备限制。", "wrong", [])
add("x2", "等了 8 分钟才取消还好意思说？司机也不容易，5 块钱都计较，真是够了。", "rude", ["rude"])
add("y1", "关个续费都不会？自己不会找吗，页面上明明写着。", "rude", ["rude"])
add("y2", "设备上限不懂什么意思吗？删设备啊，这种事还要问，服了。", "rude", ["rude"])
add(
    "x1",
    "悦读会员可以在我的页面关闭自动续费，关闭后会员权益保留至到期日。",
    "off_topic",
    ["off_topic"],
)
add(
    "y2",
    "周末去爬了泰山，日出特别美，就是下山的时候腿都软了，建议大家带好护膝。",
    "off_topic",
    ["off_topic"],
)
add(
    "x2",
    "You can cancel the subscription in Settings and it will stay active until the end of the month.",
    "off_topic",
    ["off_topic", "language_mismatch"],
)
add(
    "y1",
    "您好，" + KB["yuedu"] + "希望能帮到您。",
    "copied",
    ["copied"],
    source={"kind": "knowledge_base", "index": 0},
)
add(
    "x2",
    "乘客取消订单：司机接单后 2 分钟内取消免费；超过 2 分钟且司机已出发，需要支付 5 元取消费。司机迟到超过 5 分钟，乘客取消免费。",
    "copied",
    ["copied"],
    source={"kind": "knowledge_base", "index": 1},
)
add(
    "x1",
    "您可以在费用疑问里申诉，或者直接打我电话 139 2345 6789，我帮您跟进。",
    "personal_data",
    ["personal_data"],
)
add(
    "y2",
    "在设备管理里删掉旧设备就行。您登记的身份证号 440305198803154377 跟账号是一致的。",
    "personal_data",
    ["personal_data"],
)
add(
    "y1",
    "到期前都能用，买过的书也一直能看。有问题发邮件到 wang.lei_help@qq.com 找我。",
    "personal_data",
    ["personal_data"],
)
add(
    "y2",
    "想无限设备看书？下载破解版 www.yuedu-vip.top ，全部会员书免费看，永久免费！",
    "spam",
    ["banned_terms", "external_links", "promotional", "off_topic"],
)
add(
    "x1",
    "打车贵？加我微信 cheapride88，私下交易便宜一半，随叫随到。",
    "spam",
    ["banned_terms", "promotional", "off_topic"],
)

# ---- Added with the PII and rude fixes (still never used to tune): short answers (spam, as in
# the development set), filler,
# rude wording, look-alike numbers, realistic personal data, and hand-assigned feedback.
add("v1", "Park in green.", "spam", ["too_short"])
add("f2", "Yes you can.", "spam", ["too_short"])
add("x1", "可以申诉。", "spam", ["too_short"])
add("y2", "删旧设备。", "spam", ["too_short"])
add(
    "v2",
    "As an AI language model, I do not have access to your pass details. Passes are a great way to save money. Passes are a great way to save money. Passes are a great way to save money.",
    "spam",
    ["machine_filler"],
)
add(
    "f1",
    "Dear [Customer Name], thank you for contacting [Company Name]. We value your feedback and will get back to you at the earliest convenience. Regards, [Agent Name].",
    "spam",
    ["machine_filler", "off_topic"],
)
add(
    "x2",
    "作为一个人工智能，我无法查看您的订单信息。作为一个人工智能，我无法查看您的订单信息。作为一个人工智能，我无法查看您的订单信息。",
    "spam",
    ["machine_filler", "off_topic"],
)
add(
    "y1",
    "尊敬的【客户姓名】您好，感谢您联系【公司名称】，我们会尽快处理您的问题，祝您生活愉快。",
    "spam",
    ["machine_filler", "off_topic"],
)
add(
    "v1",
    "Are you blind? The map shows green zones everywhere. Move the scooter and quit complaining, you idiot.",
    "rude",
    ["rude"],
)
add(
    "f2",
    "How many times do people have to be told? Orders > Change slot, before 10 pm. Not my problem if you forget.",
    "rude",
    ["rude"],
)
add(
    "x1",
    "多收的钱自己去申诉啊，这种小事也来烦我，脑子呢？",
    "rude",
    ["rude"],
)
add(
    "y2",
    "删个设备都不会，你是猪吗？设置里面自己找。",
    "rude",
    ["rude"],
)
add(
    "f1",
    "So sorry! Report it within 48 hours under Orders > Report an issue with a photo. Your order number 4716 2048 3391 5506 is already noted, and credit arrives instantly.",
    "good",
    [],
)
add(
    "v1",
    "End the ride inside a green zone. If the scooter's IMEI 353918104216572 shows as locked in the app, send a photo via Help > Can't end ride and we refund the extra minutes.",
    "good",
    [],
)
add(
    "x1",
    "您在“行程 > 费用疑问”提交申诉即可，订单号 3712345678901234567 我已备注，24 小时内会核实，绕路多收的会退还。",
    "good",
    [],
)
add(
    "y2",
    "在“设置 > 设备管理”里移除一台旧设备就能登录了。手机串号 864321045678913 不用提供，也不用去死机重启。",
    "good",
    [],
)
add(
    "f1",
    "Report it within 48 hours in Orders > Report an issue. I refunded the eggs to your card 4111 1111 1111 1111 just now.",
    "personal_data",
    ["personal_data"],
)
add(
    "x2",
    "超时取消是免费的，可以申诉。退款会退到您的银行卡 6250 9460 0000 0016。",
    "personal_data",
    ["personal_data"],
)
# Hand-assigned customer feedback: wrong answers are what customers catch; some correct but
# unwelcome answers are rated low too (a pass that does not roll over disappoints).
FEEDBACK = {
    "h-009": {"rating": 1, "resolved": False},
    "h-010": {"rating": 2, "resolved": False},
    "h-011": {"rating": 1, "resolved": False},
    "h-033": {"rating": 2, "resolved": False},
    "h-034": {"rating": 1, "resolved": False},
    "h-035": {"rating": 3, "resolved": None},
    "h-001": {"rating": 5, "resolved": True},
    "h-003": {"rating": 2, "resolved": True},
    "h-004": {"rating": 4, "resolved": True},
    "h-025": {"rating": 5, "resolved": True},
    "h-028": {"rating": 4, "resolved": True},
    "h-031": {"rating": 3, "resolved": True},
}
for item in items:
    if item["id"] in FEEDBACK:
        item["feedback"] = FEEDBACK[item["id"]]


def main() -> None:
    """Write the JSONL file."""
    with OUTPUT.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {len(items)} records to {OUTPUT}")


if __name__ == "__main__":
    main()
