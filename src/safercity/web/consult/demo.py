"""The worked example: a closed Westminster consultation in the style of October 2010, with
SYNTHETIC responses (Faker en_GB, seeded), its results published, a public meeting and "You
said, we did".

The Strategy 2011-14 says: "In October 2010, we consulted publicly on these priorities and
invited comments online. We received over 100 responses ... Respondents ranked night time
economy as the number one priority followed by re-offending, young people, drugs, and violence
against women." The synthetic rankings are drawn from a Plackett-Luce model whose worths follow
that order, so the example's results come out in it (up to chance); no real person answered.

Population to weight to: Westminster's residents by age band (GLA LSOA Atlas, ONS 2013
mid-year estimates summed over Westminster's 128 LSOAs) and by ward (GLA ward profiles 2015,
rounded to 50), both Open Government Licence v3.0. 120 responses over 20 wards are too few to
weight by ward, and sex is not in those tables, so the example weights by age band only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from . import models, services

SLUG = "westminster-priorities-2010"
PRIORITIES = [
    ("night-time-economy", "Night time economy", "Yr economi gyda'r nos"),
    ("reoffending", "Re-offending", "Aildroseddu"),
    ("youth", "Young people", "Pobl ifanc"),
    ("substance-misuse", "Drugs and alcohol", "Cyffuriau ac alcohol"),
    (
        "violence-against-women-and-girls",
        "Violence against women and girls",
        "Trais yn erbyn menywod a merched",
    ),
]
#: worths of the synthetic respondents' choices, in the Strategy's order
WORTHS = (0.32, 0.24, 0.19, 0.14, 0.11)
#: GLA ward profiles 2015, population (OGL v3.0)
WARDS = {
    "Abbey Road": 11500,
    "Bayswater": 10500,
    "Bryanston and Dorset Square": 12650,
    "Churchill": 10550,
    "Church Street": 12000,
    "Harrow Road": 12350,
    "Hyde Park": 13450,
    "Knightsbridge and Belgravia": 10050,
    "Lancaster Gate": 13800,
    "Little Venice": 11050,
    "Maida Vale": 10550,
    "Marylebone High Street": 11150,
    "Queen's Park": 13050,
    "Regent's Park": 12500,
    "St. James's": 12050,
    "Tachbrook": 8500,
    "Vincent Square": 10500,
    "Warwick": 9800,
    "Westbourne": 13200,
    "West End": 11250,
}
#: GLA LSOA Atlas: ONS 2013 mid-year estimates, Westminster's 128 LSOAs summed (OGL v3.0)
AGE_BANDS = {"16-29": 49082, "30-44": 67451, "45-64": 48259, "65+": 26375}
COMMENTS = [
    "More police on the streets of the West End late at night, especially at weekends.",
    "Drunk people leaving clubs in Soho at 3am make it impossible to sleep.",
    "There is drug dealing by the estate every evening and nobody does anything.",
    "Young people need somewhere to go after school, not just being moved on.",
    "Support for people leaving prison so they do not end up back inside.",
    "Women do not feel safe walking home through the park after dark.",
    "Better street lighting would help on our road.",
    "Licensed premises should pay for the extra cleaning and policing they cause.",
]


def _draw(rng: np.random.Generator, k: int) -> list[str]:
    w = np.array(WORTHS)
    left = list(range(len(w)))
    out = []
    for _ in range(k):
        p = w[left] / w[left].sum()
        out.append(PRIORITIES[left.pop(int(rng.choice(len(left), p=p)))][0])
    return out


@transaction.atomic
def load(responses: int = 120, seed: int = 20101001) -> dict[str, Any]:
    """Load (or reload) the example; returns what was loaded. Idempotent: a second run
    replaces the example's responses with the same synthetic ones."""
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = np.random.default_rng(seed)
    c = services.save_consultation(
        {
            "slug": SLUG,
            "title": "Community safety priorities 2011 to 2014 (demonstration)",
            "title_cy": "Blaenoriaethau diogelwch cymunedol 2011 i 2014 (arddangosiad)",
            "area": "Westminster",
            "introduction": "The Safer Westminster Partnership is setting its priorities for "
            "2011 to 2014. Tell us which matter most to you.\nThis is a demonstration with "
            "synthetic responses, modelled on the partnership's October 2010 consultation.",
            "introduction_cy": "Mae Partneriaeth Westminster Fwy Diogel yn pennu ei "
            "blaenoriaethau ar gyfer 2011 i 2014. Dywedwch wrthym pa rai sydd bwysicaf i "
            "chi.\nArddangosiad yw hwn gydag ymatebion synthetig.",
            "privacy_notice": "The partnership uses your answers to set its priorities (Crime "
            "and Disorder Regulations 2007, regulation 12). Answers are kept for three years.",
            "privacy_notice_cy": "Mae'r bartneriaeth yn defnyddio eich atebion i bennu ei "
            "blaenoriaethau. Cedwir atebion am dair blynedd.",
            "mode": models.Consultation.Mode.RANK_ALL,
            "top_k": 3,
            "opens_on": dt.date(2010, 10, 1),
            "closes_on": dt.date(2010, 10, 31),
            "about_you": ["ward", "age_band", "sex", "connection"],
            "wards": list(WARDS),
            # 120 responses over 20 wards is too thin to weight by ward (a few each): weight
            # by age band only, as an analyst would; the ward totals are kept for a larger run
            "population": {"age_band": dict(AGE_BANDS)},
            "population_source": "GLA LSOA Atlas (ONS 2013 mid-year estimates), Open "
            "Government Licence v3.0",
            "source": "Safer Westminster Partnership, Strategy 2011-14",
            "priorities": [
                {"key": k, "title": t, "title_cy": cy, "description": ""} for k, t, cy in PRIORITIES
            ],
            "questions": [
                (
                    "What would make you feel safer where you live or work?",
                    "Beth fyddai'n gwneud i chi deimlo'n fwy diogel lle rydych yn byw neu'n "
                    "gweithio?",
                )
            ],
        },
        models.Consultation.objects.filter(slug=SLUG).first(),
    )
    c.synthetic = True
    c.area = "Westminster"  # the Strategic Assessment of Westminster takes its results
    now = timezone.now()
    c.published_at = c.published_at or now
    c.results_published_at = c.results_published_at or now
    c.save()
    c.responses.all().delete()
    question = c.questions.get()
    ages = [*AGE_BANDS, "prefer-not-to-say"]
    age_p = np.array([0.22, 0.36, 0.27, 0.12, 0.03])
    wards = list(WARDS)
    start = timezone.make_aware(dt.datetime(2010, 10, 1, 9, 0))
    for k in range(responses):
        text = ""
        if rng.random() < 0.4:
            text = COMMENTS[int(rng.integers(len(COMMENTS)))]
            if rng.random() < 0.25:  # some give details the masks must hide
                text += f" Ring me on {fake.phone_number()} or write to {fake.email()}."
            if rng.random() < 0.15:
                text += f" {fake.prefix()} {fake.last_name()} next door agrees."
        answers = services.Answers(
            ranking=_draw(rng, len(PRIORITIES)),
            about={
                "ward": wards[int(rng.integers(len(wards)))] if rng.random() < 0.9 else "",
                "age_band": ages[int(rng.choice(len(ages), p=age_p))],
                "sex": ["female", "male"][int(rng.integers(2))],
                "connection": ["live"] if rng.random() < 0.7 else ["work"],
            },
            text={str(question.pk): text} if text else {},
        )
        at = start + dt.timedelta(minutes=int(rng.integers(0, 30 * 24 * 60)))
        services.submit(c, answers, synthetic=True, now=at, source=f"synthetic:{k + 1}")
    r = services.results(c)
    if r is not None:  # the public summary says what the (synthetic) results say
        titles = {k: (t, cy) for k, t, cy in PRIORITIES}
        en = [titles[k][0].lower() for k in r.order]
        cy = [titles[k][1].lower() for k in r.order]
        c.results_summary = (
            f"People put {en[0]} first, followed by {', '.join(en[1:-1])} and {en[-1]} "
            "(synthetic responses)."
        )
        c.results_summary_cy = (
            f"Rhoddodd pobl {cy[0]} yn gyntaf, yna {', '.join(cy[1:-1])} a {cy[-1]} "
            "(ymatebion synthetig)."
        )
        c.save()
    approved = 0
    for a in models.FreeTextAnswer.objects.filter(response__consultation=c)[:12]:
        a.moderation = models.FreeTextAnswer.Moderation.APPROVED
        a.quote = (
            models.FreeTextAnswer.Quote.CHOSEN
            if approved < 3 and a.masked == a.text
            else models.FreeTextAnswer.Quote.NO
        )
        approved += a.quote == models.FreeTextAnswer.Quote.CHOSEN
        a.moderated_at = now
        a.save()
    models.YouSaidWeDid.objects.filter(consultation=c).delete()
    for pos, (said, did) in enumerate(
        [
            (
                "You ranked the night time economy as the first priority.",
                "Night time economy is priority one of the 2011-14 strategy, with the "
                "Soho Living City approach extended across the West End.",
            ),
            (
                "You ranked re-offending second.",
                "We are developing new mechanisms to address re-offending across the city.",
            ),
        ]
    ):
        models.YouSaidWeDid.objects.create(
            consultation=c, you_said=said, we_did=did, position=pos, approved_at=now
        )
    models.PublicMeeting.objects.get_or_create(
        title="Safer Westminster annual public meeting (demonstration)",
        defaults={
            "date": dt.date(2010, 11, 18),
            "place": "Westminster City Hall, 64 Victoria Street",
            "attendees": 42,
            "attendance": [
                {"authority": "Westminster City Council", "attended": True},
                {"authority": "Metropolitan Police", "attended": True},
                {"authority": "London Fire & Emergency Planning Authority", "attended": True},
                {"authority": "Probation Service", "attended": True},
                {"authority": "Primary Care Trust", "attended": False},
            ],
            "questions": [
                {
                    "question": "What is being done about noise from late-night venues?",
                    "answer": "Licensing and police teams run joint patrols on Friday and "
                    "Saturday nights.",
                }
            ],
            "approved_at": now,
        },
    )
    if not models.DashboardPublication.objects.filter(approved_at__isnull=False).exists():
        models.DashboardPublication.objects.create(area="", threshold=10, approved_at=now)
    return {
        "consultation": c.slug,
        "responses": c.responses.count(),
        "synthetic": True,
        "public": f"/consult/{c.slug}/results/",
    }
