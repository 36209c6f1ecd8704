"""Build tests/data/answers_eval.jsonl, the labelled answer set for scoring.evaluation.

Run: python tests/data/build_answers_eval.py  (deterministic: fixed seed, sorted keys)

Labels: good, wrong (plausible but factually wrong), rude, off_topic, copied, personal_data,
spam. expected_flags lists the automatic flags that ought to fire given the text, whether or
not the current checks manage it; a banned term that literally appears always expects
banned_terms, another brand's domain expects external_links, spam that does not address
the question expects off_topic, and answers below the minimum length expect too_short only
(off_topic is not judged on them). Copied answers carry their source in `source` and in the
context.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import eval_texts_en as EN  # noqa: E402
import eval_texts_zh as ZH  # noqa: E402

OUTPUT = HERE / "answers_eval.jsonl"
SEED = 20240601
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def cn_id(rng: random.Random, want_x: bool = False) -> str:
    """A syntactically valid 18-character Chinese resident ID (random, not a real person)."""
    while True:
        region = rng.choice(["110105", "310104", "440305", "320102", "510107", "330106"])
        birth = f"{rng.randint(1960, 2002)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body = f"{region}{birth}{rng.randint(0, 999):03d}"
        check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
        if check == "X" or not want_x:
            return body + check


def cn_id15(rng: random.Random) -> str:
    """An old 15-digit Chinese ID: region, YYMMDD birth date, sequence."""
    birth = f"{rng.randint(50, 89)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return f"310104{birth}{rng.randint(0, 999):03d}"


def luhn_card(rng: random.Random) -> str:
    """A Luhn-valid card number from a card network range (16 or 19 digits)."""
    prefix, length = rng.choice([("4", 16), (f"5{rng.randint(1, 5)}", 16), ("62", 16), ("62", 19)])
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def fill_pii(template: str, rng: random.Random) -> str:
    """Fill the number placeholders of a personal-data sentence."""
    card = luhn_card(rng)
    mobile = f"1{rng.choice('3456789')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
    values = {
        "card": card,
        "card_spaced": " ".join(card[i : i + 4] for i in range(0, len(card), 4)),
        "card_hyphen": "-".join(card[i : i + 4] for i in range(0, len(card), 4)),
        "cn_id": cn_id(rng),
        "cn_id_x": cn_id(rng, want_x=True),
        "cn_id15": cn_id15(rng),
        "cn_mobile": f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}",
        "cn_mobile_compact": mobile,
    }
    return template.format(**values)


def first_sentences(text: str, lang: str) -> str:
    """The first sentence of a good answer, extended until it says something substantive."""
    splitter = r"(?<=[.!?])\s+" if lang == "en" else r"(?<=[。！？])"
    text = re.sub(r"^(?:您好，|你好，|Hi! |Hello, )", "", text)
    parts = [p for p in re.split(splitter, text) if p]
    core = parts[0]
    i = 1
    while len(core) < (40 if lang == "en" else 14) and i < len(parts):
        core = f"{core} {parts[i]}" if lang == "en" else core + parts[i]
        i += 1
    return core


def mutate_copy(text: str, mod, rng: random.Random) -> str:
    """Copy-paste with cosmetic edits: a greeting, a sign-off and two word substitutions."""
    bound = r"\b" if mod is EN else ""
    subs = [s for s in mod.COPY_SUBSTITUTIONS if re.search(bound + re.escape(s[0]) + bound, text)]
    for old, new in rng.sample(subs, min(2, len(subs))):
        text = re.sub(bound + re.escape(old) + bound, new, text, count=1)
    return rng.choice(mod.COPY_PREFIXES) + text + rng.choice(mod.COPY_SUFFIXES)


class Builder:
    """Accumulates the records of one language."""

    def __init__(self, lang: str, mod, other_mod, rng: random.Random) -> None:
        """Keep the language's texts, the other language's (for mismatches) and the RNG."""
        self.lang, self.mod, self.other, self.rng = lang, mod, other_mod, rng
        self.records: list[dict] = []

    def context(self, i: int, other_answers: list[str]) -> dict:
        """Context of scenario i: its article plus the next article of the same brand."""
        scenarios = self.mod.SCENARIOS
        brand = scenarios[i]["brand"]
        same = [j for j, s in enumerate(scenarios) if s["brand"] == brand]
        neighbour = same[(same.index(i) + 1) % len(same)]
        info = self.mod.BRANDS[brand]
        return {
            "knowledge_base": [scenarios[i]["kb"], scenarios[neighbour]["kb"]],
            "other_answers": other_answers,
            "allowed_domains": info["domains"],
            "banned_terms": info["banned"],
            "min_length": 40,
        }

    def add(
        self, i: int, answer: str, label: str, flags: list[str], others: list[str], source=None
    ):
        """Append one record, adding banned_terms to the expected flags when one appears."""
        scenario = self.mod.SCENARIOS[i]
        ctx = self.context(i, others)
        if any(term.casefold() in answer.casefold() for term in ctx["banned_terms"]):
            flags = [*flags, "banned_terms"]
        # An answer moved from another brand may carry that brand's (here foreign) domain.
        brands = {**self.mod.BRANDS, **self.other.BRANDS}
        foreign = {
            d for b, info in brands.items() if b != scenario["brand"] for d in info["domains"]
        }
        if any(domain in answer for domain in foreign):
            flags = [*flags, "external_links"]
        record = {
            "id": f"{self.lang}-{len(self.records) + 1:04d}",
            "language": self.lang,
            "brand": scenario["brand"],
            "question_subject": scenario["subject"],
            "question_body": scenario["body"],
            "answer": answer,
            "label": label,
            "expected_flags": sorted(set(flags)),
            "context": ctx,
        }
        if source is not None:
            record["source"] = source
        self.records.append(record)

    def build(self) -> list[dict]:
        """All labels for this language, in a fixed order."""
        scenarios, n = self.mod.SCENARIOS, len(self.mod.SCENARIOS)
        for i, s in enumerate(scenarios):
            self.add(i, s["good"][0], "good", [], [s["good"][1]])
            self.add(i, s["good"][1], "good", [], [s["good"][0], s["wrong"]])
            self.add(i, s["wrong"], "wrong", [], [s["good"][0]])
        order = self.rng.sample(range(n), n)
        for k, frame in enumerate(self.mod.RUDE_FRAMES):
            i = order[k % n]
            core = first_sentences(scenarios[i]["good"][k % 2], self.lang)
            self.add(i, frame.format(core=core), "rude", ["rude"], [])
        self.build_off_topic(order)
        self.build_copied(order)
        for k, sentence in enumerate(self.mod.PII_SENTENCES):
            i = order[(k + 7) % n]
            glue = " " if self.lang == "en" else ""
            answer = scenarios[i]["good"][1] + glue + fill_pii(sentence, self.rng)
            self.add(i, answer, "personal_data", ["personal_data"], [scenarios[i]["good"][0]])
        self.build_handwritten()
        self.build_spam()
        return self.records

    def build_handwritten(self) -> None:
        """Hand-written look-alikes (good) and realistic personal data, after a good answer."""
        scenarios, n = self.mod.SCENARIOS, len(self.mod.SCENARIOS)
        glue = " " if self.lang == "en" else ""
        for k, sentence in enumerate(self.mod.LOOKALIKES):
            i = (3 * k + 1) % n
            self.add(i, scenarios[i]["good"][0] + glue + sentence, "good", [], [])
        for k, sentence in enumerate(self.mod.PII_REALISTIC):
            i = (3 * k + 2) % n
            answer = scenarios[i]["good"][1] + glue + sentence
            self.add(i, answer, "personal_data", ["personal_data"], [])

    def build_off_topic(self, order: list[int]) -> None:
        """Answers meant for another brand's question, other-language answers and chit-chat."""
        scenarios, n = self.mod.SCENARIOS, len(self.mod.SCENARIOS)
        for k in range(12):
            i = order[(k + 3) % n]
            j = next(j for j in order[k:] + order if scenarios[j]["brand"] != scenarios[i]["brand"])
            self.add(i, scenarios[j]["good"][k % 2], "off_topic", ["off_topic"], [])
        for k in range(4):
            i = order[(k + 15) % n]
            foreign = self.other.SCENARIOS[(7 * k + 2) % len(self.other.SCENARIOS)]["good"][0]
            self.add(i, foreign, "off_topic", ["off_topic", "language_mismatch"], [])
        for k, text in enumerate(self.mod.CHITCHAT):
            self.add(order[(k + 19) % n], text, "off_topic", ["off_topic"], [])

    def build_copied(self, order: list[int]) -> None:
        """Near copies of the knowledge-base article or of another answer to the question."""
        scenarios, n = self.mod.SCENARIOS, len(self.mod.SCENARIOS)
        for k in range(20):
            i = order[(k + 5) % n]
            s = scenarios[i]
            if k < 12:
                answer = mutate_copy(s["kb"], self.mod, self.rng)
                source = {"kind": "knowledge_base", "index": 0}
                self.add(i, answer, "copied", ["copied"], [s["good"][1]], source)
            else:
                answer = mutate_copy(s["good"][0], self.mod, self.rng)
                source = {"kind": "other_answer", "index": 0}
                self.add(i, answer, "copied", ["copied"], [s["good"][0], s["wrong"]], source)

    def build_spam(self) -> None:
        """Adverts, foreign links, machine filler and empty filler, each under its brand."""
        scenarios = self.mod.SCENARIOS
        used: dict[str, int] = {}
        for brand, text, flags in self.mod.SPAM:
            candidates = [i for i, s in enumerate(scenarios) if s["brand"] == brand]
            i = candidates[used.get(brand, 0) % len(candidates)]
            used[brand] = used.get(brand, 0) + 1
            self.add(i, text, "spam", flags, [])


def build() -> list[dict]:
    """Both languages' records, English first."""
    rng = random.Random(SEED)
    return Builder("en", EN, ZH, rng).build() + Builder("zh", ZH, EN, rng).build()


def main() -> None:
    """Write the JSONL file and print the label counts."""
    records = build()
    with OUTPUT.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    counts: dict[tuple[str, str], int] = {}
    for r in records:
        counts[(r["language"], r["label"])] = counts.get((r["language"], r["label"]), 0) + 1
    print(f"wrote {len(records)} records to {OUTPUT}")
    for key in sorted(counts):
        print(f"  {key[0]} {key[1]:<14} {counts[key]}")


if __name__ == "__main__":
    main()
