"""English texts for the answer evaluation set: brands, scenarios and bad-answer material.

Each scenario is a realistic support question with its knowledge-base article, two good answers
written independently of the article, and one plausible but factually wrong answer.
"""

# ruff: noqa: E501 -- prose data: one text per line keeps the set readable and diffable.

BRANDS = {
    "Nimbus Mobile": {
        "domains": ["nimbusmobile.com"],
        "banned": ["jailbreak", "Pear Phone", "WhatsApp"],
    },
    "ShopLark": {"domains": ["shoplark.com"], "banned": ["AliExpress", "Telegram"]},
    "TuneWave": {"domains": ["tunewave.app"], "banned": ["mod apk", "cracked apk", "WhatsApp"]},
    "SkyHarbor Airlines": {"domains": ["skyharbor.com"], "banned": ["ticket broker", "Telegram"]},
    "Beanhouse Coffee": {"domains": ["beanhouse.com"], "banned": ["Starbucks", "WhatsApp"]},
}

SCENARIOS = [
    {
        "brand": "Nimbus Mobile",
        "subject": "Battery draining fast since the 14.2 update",
        "body": "Ever since my Nimbus X5 installed the 14.2 update two days ago the battery goes from full to 20% by lunchtime. I haven't installed any new apps. Is this a known issue?",
        "kb": "After a major system update the phone re-indexes photos and files in the background for up to 48 hours, which temporarily increases battery use. If drain continues after 48 hours, open Settings > Battery > Usage to find apps with abnormal consumption, update all apps from the Nimbus Store, and restart the phone. Persistent drain after these steps should be checked with Settings > Support > Battery diagnostics.",
        "good": [
            "Hi! For the first day or two after a big update the X5 re-indexes your photos and files in the background, so some extra drain is normal. If it's still bad after 48 hours, check Settings > Battery > Usage for any app that stands out, update your apps and restart. You can also run the built-in battery diagnostics under Settings > Support.",
            "That's usually temporary. The 14.2 update triggers background optimisation that can run for up to two days. Leave the phone charging overnight on Wi-Fi so it finishes faster. If the battery still drops this quickly afterwards, run Settings > Support > Battery diagnostics and share the result with us so we can decide whether the battery needs replacing.",
        ],
        "wrong": "This is a known hardware defect in the X5 batch from last year. The only fix is to downgrade back to 14.1 by holding the volume-down button while plugging in the charger, and then you should block future updates in Settings.",
    },
    {
        "brand": "Nimbus Mobile",
        "subject": "Phone completely dead, won't turn on",
        "body": "My Nimbus A3 died last night and now nothing happens when I press the power button, not even the charging icon. I've tried two different chargers.",
        "kb": "If a Nimbus phone does not respond, connect it to the original charger for at least 30 minutes, then press and hold the power and volume-up buttons together for 15 seconds to force a restart. If the screen stays black, the device should be brought to an authorised service centre; repairs are free within the 24-month warranty unless there is liquid or physical damage.",
        "good": [
            "Sorry to hear that! A fully drained battery sometimes won't show the charging icon right away. Leave it on the charger for at least half an hour, then hold power + volume up together for about 15 seconds to force a restart. If the screen is still black after that, please take it to an authorised service centre - it's covered by the 24-month warranty if there's no water or drop damage.",
            "Try a forced restart: plug the A3 in, wait 30 minutes, then press and hold the power button and the volume-up button at the same time for 15 seconds. This often wakes a phone whose battery was completely empty. If nothing happens, book a repair at an authorised centre through nimbusmobile.com/service; within warranty it costs nothing.",
        ],
        "wrong": "When the charging icon doesn't appear, the motherboard has failed and the phone can't be repaired. You'll need to buy a new device, but we can offer you 10% off as a loyalty discount.",
    },
    {
        "brand": "Nimbus Mobile",
        "subject": "Moving my photos and chats to a new Nimbus",
        "body": "I just bought the Nimbus X7 and want to move everything from my old Nimbus X3, especially photos and my messages. What's the easiest way?",
        "kb": "Use the Phone Clone app, pre-installed on all Nimbus phones. On the new phone choose 'This is the new phone', on the old phone scan the QR code shown, then select photos, messages, contacts and apps to transfer over a direct Wi-Fi connection. Keep both phones charged above 50% and close together. Third-party chat apps may require their own backup to restore chat history.",
        "good": [
            "The simplest way is Phone Clone, which is already installed on both phones. Open it on the X7 and pick 'This is the new phone', then scan the QR code with the X3. You can tick photos, messages, contacts and apps. Keep both above 50% battery. Note that some chat apps need their own backup inside the app to bring the chat history over.",
            "Congrats on the X7! Open Phone Clone on both devices, set the X7 as the new phone and scan its QR code from the old one. The transfer runs over a direct Wi-Fi link, so it's fast even for thousands of photos. For chat apps, make a backup inside each app first, because their history isn't always copied by the system tool.",
        ],
        "wrong": "You'll need to upload everything to the Nimbus Cloud first from the old phone and then download it on the new one. Phone Clone only works between phones of the same model, so it won't help for the X3 to X7.",
    },
    {
        "brand": "Nimbus Mobile",
        "subject": "Is a cracked screen covered by warranty?",
        "body": "I dropped my Nimbus A5 and the screen cracked in the corner. The phone is 8 months old. Will the warranty pay for a new screen?",
        "kb": "The standard warranty covers manufacturing defects for 24 months. Accidental damage such as cracked screens or liquid damage is not covered unless the customer bought Nimbus Care+. Screen replacement without Care+ costs 89 USD for the A series and 149 USD for the X series at authorised centres. Care+ members pay a 29 USD service fee.",
        "good": [
            "Unfortunately a cracked screen from a drop counts as accidental damage, which the standard 24-month warranty doesn't cover. At an authorised service centre a new A5 screen costs 89 USD. If you bought Nimbus Care+ with the phone, you'd only pay the 29 USD service fee, so it's worth checking your purchase email.",
            "The regular warranty only covers manufacturing faults, not drops, so it won't pay for this one. If you have Care+ the replacement is just a 29 USD fee; otherwise it's 89 USD for an A-series screen at an official centre. I'd avoid unofficial repair shops, since a non-original screen can cause touch problems later.",
        ],
        "wrong": "Yes, all screen damage is covered during the first 12 months, so just bring the phone and the receipt to any store and they'll replace it for free.",
    },
    {
        "brand": "Nimbus Mobile",
        "subject": "eSIM won't activate",
        "body": "My carrier gave me an eSIM QR code but when I scan it on my Nimbus X7 it says 'Unable to add cellular plan'. Wi-Fi is connected. What should I do?",
        "kb": "To add an eSIM, go to Settings > Mobile network > SIM management > Add eSIM and scan the carrier's QR code while connected to Wi-Fi. The error 'Unable to add cellular plan' usually means the QR code was already used or the phone is carrier-locked. Ask the carrier to reissue the eSIM profile and confirm the phone is unlocked under Settings > About phone > Carrier lock status.",
        "good": [
            "That error usually means the QR code has already been used once (even a failed attempt can consume it) or the phone is carrier-locked. Check Settings > About phone > Carrier lock status first. If it says unlocked, ask your carrier to issue a fresh eSIM profile and scan the new code under Settings > Mobile network > SIM management > Add eSIM.",
            "Most of the time the carrier needs to reissue the code, because each eSIM QR code only works once. When you get the new one, add it from the SIM management screen while on Wi-Fi. Also make sure your X7 isn't locked to another carrier - you can see that in Settings > About phone.",
        ],
        "wrong": "eSIM only works on the X7 Pro, not the standard X7, so you'll need to ask your carrier for a physical SIM card instead.",
    },
    {
        "brand": "Nimbus Mobile",
        "subject": "Face unlock stopped recognising me",
        "body": "Face unlock on my Nimbus X5 worked fine until this week, now it fails almost every time, even in good light. I haven't changed my appearance.",
        "kb": "If face unlock fails often, clean the front camera, remove the existing face data under Settings > Security > Face recognition and enrol it again in good, even lighting. Screen protectors that cover the front camera can also block recognition. Face unlock is disabled automatically after five failed attempts until the PIN is entered.",
        "good": [
            "Try wiping the front camera first - a smudge is the most common cause. If that doesn't help, delete your face data in Settings > Security > Face recognition and register it again in even lighting. Also check whether a new screen protector or case covers the camera.",
            "Re-enrolling usually fixes this. Go to Settings > Security > Face recognition, remove the current face and add it again, holding the phone at a normal distance in good light. Clean the lens beforehand. Keep in mind that after five failed tries the phone asks for your PIN, which is expected.",
        ],
        "wrong": "Face data expires every 90 days for security reasons, so you need to visit a service centre to have it reset by a technician.",
    },
    {
        "brand": "ShopLark",
        "subject": "Refund for cancelled order not received",
        "body": "I cancelled order SL-482913 on Monday before it shipped. The app says 'Refund issued' but the money isn't back on my card. How long does this take?",
        "kb": "When an order is cancelled before shipping, ShopLark issues the refund immediately. Card refunds take 3-5 business days to appear, PayPal refunds 24 hours, and ShopLark Wallet refunds are instant. If the refund has not arrived after 10 business days, contact support with the order number so we can provide the bank reference (ARN).",
        "good": [
            "Since the app shows 'Refund issued', we've already sent the money. Card refunds usually take 3-5 business days to show up, depending on your bank. If it still isn't there after 10 business days, reply here with SL-482913 and we'll give you the ARN reference so your bank can trace it.",
            "The refund left us on Monday, but banks take a few working days to post it - normally 3 to 5 for cards. Check again by the end of the week. If you'd prefer faster refunds next time, choosing ShopLark Wallet makes them instant.",
        ],
        "wrong": "Refunds for cancelled orders are processed only after the item returns to our warehouse, which takes around 30 days. You'll receive an email once it's done.",
    },
    {
        "brand": "ShopLark",
        "subject": "Received the wrong item",
        "body": "I ordered a black 32 oz water bottle and received a pink lunch box instead. Order SL-550176. How do I get the right item?",
        "kb": "If a customer receives the wrong item, open the order, tap 'Report a problem' > 'Wrong item received' and upload a photo of the item and label. ShopLark ships the correct item at no cost and emails a prepaid return label for the wrong item; customers have 14 days to send it back.",
        "good": [
            "So sorry about the mix-up! Open order SL-550176 in the app, tap 'Report a problem' and choose 'Wrong item received', then add a photo of the lunch box and the shipping label. We'll send the black bottle at no charge and email you a prepaid label to return the lunch box within 14 days.",
            "Please report it from the order page: Report a problem > Wrong item received, with a quick photo. Once submitted, the correct bottle ships right away for free, and you'll get a free return label by email for the pink lunch box. There's no need to pay anything.",
        ],
        "wrong": "You'll need to buy the water bottle again and then request a refund for the lunch box after returning it at your own cost. Returns are processed within 60 days.",
    },
    {
        "brand": "ShopLark",
        "subject": "Can I change the delivery address?",
        "body": "I just placed an order an hour ago and realised it's going to my old apartment. Can I still change the address?",
        "kb": "The delivery address can be edited in Orders > Order details > Edit address while the order status is 'Processing'. Once the status changes to 'Shipped', the address can only be changed through the carrier's redirect service, which may charge a fee. Orders usually move to 'Shipped' within 12 hours.",
        "good": [
            "Yes, as long as the order still shows 'Processing' you can fix it yourself: go to Orders > Order details > Edit address. Do it soon though, orders usually ship within about 12 hours. If it already says 'Shipped', you'd need to use the carrier's redirect option, which can cost a small fee.",
            "Good timing - one hour in, it's almost certainly still processing. Open the order and tap Edit address to enter the new apartment. After it ships we can't edit it anymore, and the carrier would have to redirect it.",
        ],
        "wrong": "Addresses can't be changed once an order is placed. The only option is to cancel the order and place a new one, and the refund takes about two weeks.",
    },
    {
        "brand": "ShopLark",
        "subject": "Says delivered but nothing here",
        "body": "Tracking for order SL-601337 says delivered yesterday at 3:12 pm, but there's nothing at my door and my neighbours haven't seen it.",
        "kb": "If tracking shows delivered but the package is missing, wait 48 hours because carriers sometimes mark items delivered early, check with neighbours, the building mail room and safe places. After 48 hours, report it via Orders > Report a problem > 'Package not received'; ShopLark will open an investigation with the carrier and refund or reship within 5 business days.",
        "good": [
            "Carriers sometimes scan a parcel as delivered a bit before it actually arrives, so please give it until tomorrow afternoon (48 hours). Check the mail room or any safe spot too. If it still hasn't turned up, report it under Orders > Report a problem > Package not received and we'll either reship or refund within 5 business days.",
            "I'm sorry, that's frustrating. Please wait a full 48 hours from the delivery scan - most 'missing' parcels appear by then. If not, use 'Package not received' in the order's problem menu; we open a claim with the carrier and you get a replacement or refund, you won't have to deal with the carrier yourself.",
        ],
        "wrong": "Once the carrier marks an order as delivered, ShopLark is no longer responsible. You need to file a police report and contact the carrier directly for compensation.",
    },
    {
        "brand": "ShopLark",
        "subject": "How long do I have to return shoes?",
        "body": "I bought running shoes on ShopLark three weeks ago and they hurt my feet. They've been worn outside twice. Can I still return them?",
        "kb": "Most items can be returned within 30 days of delivery in their original condition. Shoes must be unworn outdoors with no visible wear on the soles. Items from the 'Final sale' category cannot be returned. Start a return from Orders > Return item; refunds are issued after the warehouse inspects the item.",
        "good": [
            "You're still inside the 30-day return window, but I have to be honest: shoes can only be returned if they haven't been worn outside and the soles show no wear. Since they've been worn outdoors twice, the return will most likely be refused at inspection. It may still be worth contacting the seller about an exchange for a different size.",
            "Returns are accepted for 30 days after delivery, so timing-wise you're fine. The catch is the condition rule: running shoes that have visible wear on the soles can't be accepted. If they look new, start the return from Orders > Return item and the refund follows once the warehouse checks them.",
        ],
        "wrong": "You have 90 days to return anything on ShopLark no matter the condition, so just print a label and send them back.",
    },
    {
        "brand": "ShopLark",
        "subject": "Card keeps getting declined at checkout",
        "body": "Every time I try to pay for my cart, I get 'Payment declined'. My bank says there's no problem with the card. What's going on?",
        "kb": "Payment declined at checkout is most often caused by a billing address that doesn't match the card, an expired saved card, or the bank's 3-D Secure check being closed before completing. Customers should update the billing address in Account > Payment methods, remove and re-add the card, and complete the bank verification pop-up. ShopLark never sees or stores full card numbers.",
        "good": [
            "The most common cause is a billing address that doesn't match exactly what your bank has on file. Check it under Account > Payment methods; if it looks right, remove the card and add it again. When you pay, a verification window from your bank may pop up - it needs to be completed, closing it causes a decline.",
            "If the bank sees no issue, the decline usually happens on the verification step. Make sure you finish the 3-D Secure prompt from your bank instead of closing it, and double-check that the billing postcode matches your card statement. Re-adding the card in Payment methods also clears out old expiry dates.",
        ],
        "wrong": "ShopLark only accepts cards issued in the same country as the delivery address, so you'll need to use a local card or pay by bank transfer.",
    },
    {
        "brand": "TuneWave",
        "subject": "How do I cancel TuneWave Premium?",
        "body": "I want to cancel my TuneWave Premium before it renews next week. I subscribed in the Android app.",
        "kb": "Subscriptions bought in the Android app are managed by Google Play: open Google Play > Profile > Payments & subscriptions > Subscriptions, select TuneWave and tap Cancel. Subscriptions bought on the website are cancelled at tunewave.app/account > Plan > Cancel plan. Premium remains active until the end of the paid period; no partial refunds are given.",
        "good": [
            "Because you subscribed through the Android app, the subscription is billed by Google Play. Open the Play Store, tap your profile picture > Payments & subscriptions > Subscriptions, pick TuneWave and tap Cancel. You'll keep Premium until the end of the current period, and it won't renew.",
            "Android purchases have to be stopped in Google Play rather than in the music app itself: Play Store > Profile > Payments & subscriptions > Subscriptions, then choose it and cancel. Do it any time before the renewal date. Your account stays upgraded until the paid month ends.",
        ],
        "wrong": "Just uninstall the TuneWave app and the subscription stops automatically. If you're charged next week, we'll refund the full month.",
    },
    {
        "brand": "TuneWave",
        "subject": "Charged twice this month",
        "body": "My bank statement shows two TuneWave charges of 9.99 on the same day. I only have one account. Can I get one refunded?",
        "kb": "Duplicate charges usually come from two active subscriptions (for example one through the App Store and one on the website) or a pending authorisation that disappears within 7 days. Check active subscriptions in Account > Plan. If there are two, cancel the extra one and contact support with both transaction IDs for a refund of the duplicate.",
        "good": [
            "First, one of the two may be a temporary authorisation hold - those vanish from the statement within about 7 days. If both stay, you probably have two subscriptions running, e.g. one via the App Store and one on our website. Check Account > Plan, cancel the extra one, and send us both transaction IDs so we can refund the duplicate.",
            "Sorry about that! Please look at Account > Plan to see whether two subscriptions are active. If so, cancel one and reply with the transaction IDs from your statement - we'll refund the duplicate charge. If only one subscription shows, wait a few days: the second entry is likely a pending hold that your bank will drop.",
        ],
        "wrong": "Double charges happen when you use TuneWave on two devices. Log out of one device and the second charge will be refunded automatically at the end of the month.",
    },
    {
        "brand": "TuneWave",
        "subject": "Adding my daughter to the Family plan",
        "body": "I have TuneWave Family. How do I add my daughter? She already has her own free account.",
        "kb": "The Family plan owner can invite up to five members from Account > Family > Invite member. Invitees must live at the same address and accept the invitation link within 7 days. Existing free accounts keep their playlists and history when they join. Members under 13 must use a TuneWave Kids account.",
        "good": [
            "As the plan owner, go to Account > Family > Invite member and send her the link. She accepts it while logged into her existing free account, so she keeps all her playlists. The invite is valid for 7 days. If she's under 13, she'll need a TuneWave Kids account instead.",
            "Easy one: invite her from Account > Family. When she opens the invite on her own account, it upgrades to Premium through your plan and her saved music stays. You can have up to five members as long as everyone lives at the same address.",
        ],
        "wrong": "She has to delete her free account first and create a new one from your Family page, because existing accounts can't be merged into a family plan.",
    },
    {
        "brand": "TuneWave",
        "subject": "Downloaded songs keep disappearing",
        "body": "I download playlists for my commute, but every few weeks they're gone and I have to download them again. Why?",
        "kb": "Downloaded music stays available offline as long as the app goes online at least once every 30 days to verify the subscription. Downloads are also removed if the device limit of 5 devices is exceeded, if storage is cleared by a phone cleaner app, or if the app is reinstalled.",
        "good": [
            "Downloads need the app to connect to the internet at least once every 30 days to confirm your subscription; otherwise they're removed. Also check whether a cleaner or storage optimiser app on your phone is wiping TuneWave's cache, and make sure you haven't gone over the 5-device download limit.",
            "A couple of things can cause this. If the phone hasn't been online with TuneWave for 30 days, the downloads expire. Downloading on a sixth device also removes them from the oldest one. And some phone cleaner apps delete the offline files - add TuneWave to the cleaner's whitelist.",
        ],
        "wrong": "Downloaded songs are automatically deleted after 7 days for licensing reasons. There's no way to keep them longer, you just need to download them again each week.",
    },
    {
        "brand": "TuneWave",
        "subject": "Student discount verification failed",
        "body": "I tried to get the TuneWave student price but the verification says it can't confirm my enrolment. I'm a full-time university student.",
        "kb": "Student discounts are verified through our partner StudentCheck. If automatic verification fails, upload a document showing your name, the institution and a date within the current academic term (for example an enrolment letter or timetable). Verification takes up to 48 hours. The student plan can be renewed for up to 4 years.",
        "good": [
            "When automatic verification fails, you can upload proof manually. Use a document with your full name, your university and a date in the current term - an enrolment letter or your timetable works. Review takes up to 48 hours, after which the student price applies.",
            "The automatic check sometimes misses students whose university isn't in the partner database yet. On the same verification page choose 'Upload document' and add your enrolment letter showing this term's dates. You'll hear back within two days.",
        ],
        "wrong": "Student discounts are only available to students under 21, so if the verification failed it's probably because of your age.",
    },
    {
        "brand": "TuneWave",
        "subject": "Change my billing date",
        "body": "My TuneWave payment comes out on the 3rd but I get paid on the 25th. Can I move the billing date?",
        "kb": "TuneWave cannot change the billing date directly. The billing date is set by the day the subscription started. To move it, customers can cancel, let the current period run out, and resubscribe on the preferred date; playlists and library are kept. Gift cards can also be used to cover a month.",
        "good": [
            "There isn't a setting to move the billing date - it's tied to the day you first subscribed. The workaround is to cancel now, let Premium run until the 3rd, and resubscribe on the 25th. Your playlists and library stay untouched in between, though you'd be on the free tier for those few weeks.",
            "Unfortunately we can't shift it manually. If you cancel and restart the subscription on the 25th, that becomes your new billing day, and your library is kept. Another option is a TuneWave gift card to cover the gap month.",
        ],
        "wrong": "You can pick any billing date under Account > Plan > Billing day. The change takes effect from the next cycle with no extra charge.",
    },
    {
        "brand": "SkyHarbor Airlines",
        "subject": "Change my flight to a later date",
        "body": "I'm booked on SkyHarbor flight SH 218 to Denver on June 14 and need to move it to June 20. I have an Economy Standard fare. How much will it cost?",
        "kb": "Economy Standard fares can be changed up to 3 hours before departure with no change fee; the customer pays only the fare difference. Economy Light fares cannot be changed. Changes are made in Manage booking at skyharbor.com with the booking reference and last name.",
        "good": [
            "Good news - Economy Standard has no change fee. Go to Manage booking on skyharbor.com, enter your booking reference and last name, and pick June 20. You'll only pay the difference in fare if the new flight is more expensive. Make the change at least 3 hours before the original departure.",
            "You can do it yourself at https://www.skyharbor.com/manage. With Economy Standard there's no penalty, just any fare difference between SH 218 on the 14th and your new flight on the 20th. If the fare on the 20th happens to be the same or lower, the change is free.",
        ],
        "wrong": "Date changes cost a flat 150 USD fee plus the fare difference for all Economy fares, and they can only be done by calling the reservations centre.",
    },
    {
        "brand": "SkyHarbor Airlines",
        "subject": "How many bags can I check?",
        "body": "Flying SkyHarbor from Chicago to Lisbon in Economy. How many checked bags are included and what's the weight limit?",
        "kb": "On long-haul international flights, Economy includes one checked bag up to 23 kg (50 lb) and one carry-on up to 8 kg plus a personal item. Economy Light on long-haul includes no checked bag. Additional bags cost 75 USD each when bought online, 100 USD at the airport.",
        "good": [
            "On a long-haul flight like Chicago to Lisbon, Economy includes one checked bag of up to 23 kg (50 lb), plus a carry-on up to 8 kg and a small personal item. If you booked Economy Light, checked bags aren't included. Extra bags are 75 USD online, cheaper than the 100 USD airport price.",
            "You get one checked suitcase at 23 kg with a regular Economy ticket to Lisbon. Keep the cabin bag under 8 kg. If you need a second suitcase, add it in Manage booking beforehand - it's 75 USD online instead of 100 at the counter.",
        ],
        "wrong": "Economy on international flights includes two checked bags of 32 kg each, so you don't need to buy anything extra.",
    },
    {
        "brand": "SkyHarbor Airlines",
        "subject": "Missed my connection because of a delay",
        "body": "My first SkyHarbor flight was delayed 2 hours and I missed my connecting flight in Atlanta. Both are on the same booking. What happens now?",
        "kb": "When a delay on a SkyHarbor flight causes a missed connection on the same booking, SkyHarbor rebooks the customer on the next available flight at no cost. If the wait is overnight, a hotel and meal vouchers are provided. Rebooking is automatic; customers receive the new itinerary by SMS and email, or can see it in the app.",
        "good": [
            "Since both flights are on one booking and the delay was ours, you'll be rebooked on the next available flight at no cost - usually automatically, so check the app or your email for the new itinerary. If you end up waiting overnight in Atlanta, go to the transfer desk for a hotel and meal vouchers.",
            "Don't worry, you don't have to buy a new ticket. Our system rebooks missed connections automatically when the first flight was delayed, and the new flight details arrive by SMS and email. For an overnight wait you're entitled to a hotel and meal vouchers from the SkyHarbor desk.",
        ],
        "wrong": "Missed connections are the passenger's responsibility when the layover is under 3 hours. You'll need to buy a new ticket for the second flight, but you can claim the cost back later from your travel insurance.",
    },
    {
        "brand": "SkyHarbor Airlines",
        "subject": "Typo in passenger name on ticket",
        "body": "I booked a ticket for my husband and typed his first name as 'Jonh' instead of 'John'. Will he be able to board?",
        "kb": "Minor spelling corrections of up to three characters in a passenger name can be made free of charge via the customer service team, as long as the ticket has not been used. Name changes to a different person are not allowed. The name on the ticket must match the travel document at check-in.",
        "good": [
            "A small typo like 'Jonh' can be fixed for free, since it's under three characters. Contact our customer service team with the booking reference and a copy of his passport page, and they'll correct it before travel. It's important to fix it, because the name has to match his passport at check-in.",
            "Yes, this is easy to fix and there's no charge for corrections of a few letters. Just ask customer service to update the spelling to 'John' before check-in - have the booking reference ready. Only transfers to a completely different person aren't possible.",
        ],
        "wrong": "Name corrections aren't possible on any ticket. You'll need to cancel and rebook, but as long as the first letter is right, the airport staff will usually let him board anyway.",
    },
    {
        "brand": "Beanhouse Coffee",
        "subject": "Stars missing from my purchase",
        "body": "I bought two lattes this morning at the Beanhouse on Main Street and paid with the app, but I didn't get any stars.",
        "kb": "Stars are usually credited within 24 hours of a purchase paid with the Beanhouse app or a registered Beanhouse card. If stars are missing after 24 hours, go to App > Account > Help > Missing stars and enter the receipt number and store. Purchases paid with cash without scanning the member code do not earn stars.",
        "good": [
            "Stars can take up to 24 hours to land after an app purchase, so they may still show up today. If they're not there by tomorrow morning, open Account > Help > Missing stars in the app and enter the receipt number and the Main Street store; we'll add them manually.",
            "Sorry about that! Sometimes the credit is delayed by a day. If by tomorrow they're still missing, use the Missing stars form in the app's Help section and include the receipt number from this morning, and we'll top up your account.",
        ],
        "wrong": "Stars are only awarded for purchases over 10 USD, and two lattes usually come to less than that, so no stars were earned.",
    },
    {
        "brand": "Beanhouse Coffee",
        "subject": "Check balance on a gift card",
        "body": "Someone gave me a Beanhouse gift card. How can I see how much is on it and can I add it to the app?",
        "kb": "Gift card balances can be checked at beanhouse.com/giftcards or in the app under Pay > Add card. Once added to the app, the card balance can be used for app payments and earns stars. Gift cards do not expire. Balances cannot be exchanged for cash.",
        "good": [
            "You can check the balance at beanhouse.com/giftcards, or even better, add it straight to the app: Pay > Add card and type in the card number and security code. Once it's in the app you can pay with it and earn stars, and the balance never expires.",
            "Add it in the app via Pay > Add card - the balance appears immediately and you'll earn stars whenever you use it. If you'd rather not use the app, the balance checker on our website works too. There's no expiry date on gift cards.",
        ],
        "wrong": "Gift cards can only be used at the counter and can't be added to the app. You can check the balance by calling the store where it was bought.",
    },
    {
        "brand": "Beanhouse Coffee",
        "subject": "Didn't get my birthday drink",
        "body": "It was my birthday yesterday and I didn't get the free birthday drink in my Beanhouse app. I've been a member for two years.",
        "kb": "The birthday reward is a free handcrafted drink, added to the account on the member's birthday and valid for 7 days. Members must have a birth date saved in their profile at least 30 days before the birthday and have made at least one purchase in the previous 12 months.",
        "good": [
            "Happy belated birthday! The reward only appears if your birth date was saved in your profile at least 30 days beforehand and you've made a purchase in the past year. Please check Account > Profile. If both conditions are met and it still isn't in Rewards, let us know and we'll add it - it's valid for 7 days.",
            "The birthday drink gets added automatically, but only when the date in your profile was set more than 30 days in advance. If you added it recently, the reward will start working from next year. Otherwise send us a message from the app and we'll look into it - once added, it can be used for a week.",
        ],
        "wrong": "Birthday rewards are only for Gold members. Since you're not Gold yet, you'll need to collect 300 stars to unlock it.",
    },
    {
        "brand": "Beanhouse Coffee",
        "subject": "Ordered ahead at the wrong store",
        "body": "I placed a mobile order in the Beanhouse app but accidentally chose the airport store instead of the one near my office. Can I switch it?",
        "kb": "Mobile orders cannot be moved between stores once submitted, because preparation starts immediately. An order can be cancelled for a full refund within 2 minutes of placing it from App > Orders > Cancel. After 2 minutes, customers can contact the store or support, who may refund the order if it was not collected.",
        "good": [
            "Orders can't be moved to another store once they're sent, because the baristas start on them straight away. If you're still within 2 minutes, cancel it in Orders and you'll get a full refund, then order again at the right store. If it's later than that, contact support and mention it wasn't collected - they can usually refund it.",
            "Sorry, switching stores isn't possible after submitting. Cancel within the first two minutes under App > Orders for an automatic refund. Past that window, reach out to support with the order number; uncollected orders are often refunded.",
        ],
        "wrong": "You can change the pickup store at any time before collection by tapping the store name on the order screen.",
    },
]

# Rude frames wrap the first sentence of a good answer ({core}); the rudeness is in the frame.
RUDE_FRAMES = [
    "Seriously? It's right there in the app, are you blind? {core}",
    "Not my problem, honestly. {core} Next time read the FAQ.",
    "{core} How hard is it to figure that out yourself?",
    "Ugh, third time today. {core} Stop wasting our time with stuff like this.",
    "{core} Can't you read? It says so right on the order page.",
    "Use your brain for once. {core}",
    "What a stupid question. {core}",
    "{core} Honestly, people like you are the reason support is a nightmare.",
    "Look, I'm not going to spell it out twice. {core} Deal with it.",
    "{core} If you can't manage that, maybe smartphones just aren't for you.",
    "Google it next time. {core}",
    "{core} This is basic stuff, don't be such an idiot.",
    "Shut up and listen: {core}",
    "{core} And stop whining about it.",
    "Are you kidding me? {core} It's not rocket science, genius.",
    "{core} Only a moron would miss that.",
    "For f*ck's sake. {core}",
    "{core} Figure it out yourself next time, I'm not your babysitter.",
    "Jesus, you people are clueless. {core}",
    "{core} Whatever, I've got better things to do than explain this crap.",
]

CHITCHAT = [
    "I had one of these years ago and honestly the camera was amazing, especially at night. My favourite feature was the dark mode, I still miss it.",
    "Lisbon is lovely in spring, make sure you try the custard tarts near the river and take the old tram up the hill.",
    "My cat loves sitting on my laptop whenever I try to work, so I bought her a heated bed and now she ignores both of them.",
    "Has anyone watched the final episode of that detective series yet? I won't spoil it, but the twist in the last ten minutes was wild.",
]

# Personal data sentences appended to a good answer; {card}, {cn_id}, {cn_mobile} are filled in.
PII_SENTENCES = [
    "If it still doesn't work, call my personal cell at (415) 555-2671 and I'll walk you through it.",
    "You can email me directly at megan.holt87@gmail.com and I'll follow up tonight.",
    "I can see the payment from card {card} went through on our side.",
    "Text me on +44 7911 123456 if you need more help.",
    "My direct line is 212-555-0147, just ask for Dave.",
    "For faster help, send your passport copy and card number {card} to me at r.venkat.help@gmail.com.",
    "I've noted your phone number {cn_mobile} in the ticket.",
    "Send me a message at +1 (646) 555-0198 whenever you're free.",
    "Reach me at d.kowalski@outlook.com, I handle these cases personally.",
    "The refund will go back to card {card} within a few days.",
    "I'm based in Berlin, my mobile is +49 1512 3456789 if you want to talk it through.",
    "The account email on file is tom.baxter1990@yahoo.com and the phone is 312-555-0163.",
    "Please confirm your ID number {cn_id} so I can match the booking.",
    "Call me on +61 412 345 678 if you're in Australia.",
    "Happy to help further, my email is priya.nair.support@yahoo.com.",
    "Your card number {card_spaced} is saved on the order; I'd remove it if you don't use it.",
    "My cell is +1 415 555 0182, ping me anytime.",
    "Give me a call at +44 20 7946 0958, that's our London office desk.",
    "I'll text you the tracking update at {cn_mobile_compact} once it moves.",
    "Mail the receipt to accounts.helpdesk.jin@gmail.com together with card {card}.",
]

# Spam: (text, expected flags). Each is placed under a scenario of the given brand.
SPAM = [
    (
        "Nimbus Mobile",
        "Why wait for official repair? Get a new screen for half the price at www.fixmyphone-now.com, same day service!",
        ["external_links", "promotional", "off_topic"],
    ),
    (
        "ShopLark",
        "As an AI language model, I don't have access to your account, but generally speaking, refunds can take some time. Please contact customer support for more information.",
        ["machine_filler"],
    ),
    (
        "Beanhouse Coffee",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.",
        ["machine_filler", "off_topic"],
    ),
    ("SkyHarbor Airlines", "ok", ["too_short"]),
    ("TuneWave", "Yes.", ["too_short"]),
    (
        "Nimbus Mobile",
        "asdfghjkl asdf jkl qwertyuiop zxcvbnm sdfsdf ghjkghjk",
        ["machine_filler", "off_topic"],
    ),
    ("ShopLark", " ".join(["Thank you for your question."] * 9), ["machine_filler", "off_topic"]),
    (
        "TuneWave",
        "DM me on WhatsApp and I can get you the Premium plan for 2 dollars a month, works 100%.",
        ["promotional", "banned_terms", "off_topic"],
    ),
    (
        "TuneWave",
        "Download the TuneWave mod apk from tunewave-free.net, all Premium features unlocked, no subscription needed!",
        ["banned_terms", "external_links", "promotional", "off_topic"],
    ),
    (
        "ShopLark",
        "Honestly just buy it from AliExpress, it's way cheaper there: https://s.click.aliexpress.com/e/_DmX2k",
        ["banned_terms", "external_links", "promotional", "off_topic"],
    ),
    (
        "SkyHarbor Airlines",
        "I can sell you a cheaper ticket through my agency, message me on Telegram @cheapflights_sam, best price guaranteed.",
        ["promotional", "banned_terms", "off_topic"],
    ),
    (
        "Beanhouse Coffee",
        "Certainly! Here's a response you can send to the customer: Dear [Customer Name], thank you for reaching out to us regarding your issue. We apologise for any inconvenience caused.",
        ["machine_filler", "off_topic"],
    ),
    (
        "Nimbus Mobile",
        "Great question!!!!!!!!!!!! 😀😀😀😀😀😀😀😀😀😀",
        ["machine_filler", "too_short"],
    ),
    (
        "ShopLark",
        "Work from home and earn 500 dollars a day like me! Visit www.easy-income-daily.com to start today.",
        ["promotional", "external_links", "off_topic"],
    ),
    (
        "Nimbus Mobile",
        "Check out my YouTube channel for phone tips, link in my profile! Subscribe to my channel and turn on notifications.",
        ["promotional", "off_topic"],
    ),
    (
        "Beanhouse Coffee",
        "I'm not sure, maybe try again later? Or contact support. Or look around in there. Thanks.",
        ["off_topic"],
    ),
    (
        "Nimbus Mobile",
        "Buy now! Limited time offer: 50% off all Nimbus cases and chargers at nimbus-outlet-store.shop, use promo code SAVE50.",
        ["promotional", "external_links", "off_topic"],
    ),
    ("TuneWave", " ".join(["The answer is in the FAQ."] * 7), ["machine_filler", "off_topic"]),
    (
        "SkyHarbor Airlines",
        "I am just an AI and cannot browse the internet to check your flight status. Please refer to the airline's official website for the most accurate and up-to-date information.",
        ["machine_filler"],
    ),
    (
        "TuneWave",
        "Get Premium free forever!!! Click here: bit.ly/tw-premium-free",
        ["external_links", "promotional", "off_topic"],
    ),
    (
        "ShopLark",
        "Same problem here, did you ever fix it? Please let me know, I've been waiting for days too.",
        ["off_topic"],
    ),
    (
        "Beanhouse Coffee",
        "Hello dear, I work for a company that pays $300 a week for simple online tasks. Interested? Text me on WhatsApp.",
        ["promotional", "banned_terms", "off_topic"],
    ),
    (
        "SkyHarbor Airlines",
        "Hi {{customer_name}}, {{answer_text}} Kind regards, {{agent_name}}",
        ["machine_filler", "off_topic"],
    ),
    (
        "SkyHarbor Airlines",
        "Visit our partner store at http://cheap-flights-4u.biz for tickets 70% cheaper than the airline!!!",
        ["external_links", "promotional", "off_topic"],
    ),
    ("Beanhouse Coffee", "nice", ["too_short"]),
]

COPY_PREFIXES = ["Hi there! ", "Hello, ", "Thanks for reaching out. ", "Good question. ", ""]
COPY_SUFFIXES = ["", " Hope this helps!", " Let me know if you need anything else.", " Cheers."]
COPY_SUBSTITUTIONS = [
    ("usually", "normally"),
    ("customers", "users"),
    ("can be", "may be"),
    ("must", "need to"),
    ("within", "in"),
    ("immediately", "right away"),
    ("Please", "Kindly"),
    ("so", "therefore"),
]

# Hand-written look-alikes appended to a good answer (label good): order, courier, device and
# time numbers, prices, and ordinary words that contain a rude entry. None is personal data.
LOOKALIKES = [
    "Your order number is 4716 2048 3391 5506; keep it handy if you need to return anything.",
    "The courier tracking number is SF1402856631298 and it should arrive tomorrow.",
    "The IMEI on the box, 353918104216572, matches the one registered for your warranty.",
    "Our log shows the sync failed at timestamp 1714032000000, right after the update.",
    "The bundle price is $1,299.00, or 24 payments of $54.13.",
    "Reference 6011 0009 9013 9424 is your booking confirmation; no action is needed.",
    "The serial number 354856072839451 on the receipt confirms it is still under warranty.",
    "Invoice INV-2024-000123 was emailed to the account holder yesterday.",
    "We'll deal with it for you today, so there is no need to visit a store.",
    "Damn, that sounds frustrating, sorry you had to wait so long.",
]

# Hand-written personal data in the shapes customers and experts really type (label
# personal_data): the numbers are the networks' published test numbers, not generated ones.
PII_REALISTIC = [
    "The refund went back to card 4111 1111 1111 1111 yesterday.",
    "Your Mastercard 5555 5555 5555 4444 was charged twice; I've flagged it.",
    "The Amex on file, 3782 822463 10005, has expired, so please update it.",
    "My cell is 415 555 2671 if the chat drops.",
    "Please send a photo of your ID card, number 11010519491231002X, so I can verify you.",
    "You can reach me at jenny.wu.support@gmail.com any time.",
    "I charged the Discover card 6011 1111 1111 1117 for the replacement.",
    "Your old ID number 310104850312123 needs to be updated to the 18-digit one.",
    "The JCB card 3530 1113 3330 0000 was declined by the bank.",
    "Text me at +1 646 555 0198 and I'll send the return label.",
]
