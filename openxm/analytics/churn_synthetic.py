"""Synthetic customer histories for testing and benchmarking the churn model. Pure, seeded.

``planted`` (the default): each customer has a purchase rate λ ~ Gamma(shape 2, mean 1 every
20 days) and a latent satisfaction s that starts ~ N(0, 1) and takes a monthly random-walk step
(sd 0.35). Each month an active customer answers an NPS survey with probability 0.35 (score
round(7.5 + 2s + N(0, 1)) clipped to 0–10, with a negative comment with probability
1/(1 + e^(1 + 2s))), is invited without answering with probability 0.2, and leaves for good with
probability 1/(1 + e^(3.5 + 1.5s)) — so experience drives churn beyond what recency shows.
Purchases of an active customer are a Poisson process at rate λ.

``noise``: every customer buys as a Poisson process at one shared rate (so the chance of buying
in the next 90 days is the same for all, whatever their past: P(no purchase) ≈ 0.3), never
leaves, and answers surveys with scores unrelated to anything. No feature can predict churn:
an honest model reports an AUC near 0.5.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from .churn import Experience

NOISE_RATE = -math.log(0.3) / 90.0  # per day: P(no purchase in 90 days) = 0.3


def population(n: int, start: datetime, days: int, mode: str = "planted", seed: int = 1):
    """(purchases [(customer, time, amount)], experiences [Experience]) over ``days`` from ``start``."""
    if mode not in ("planted", "noise"):
        raise ValueError("mode must be planted or noise")
    rng = random.Random(seed)  # noqa: S311 - simulated data
    purchases, experiences = [], []
    for i in range(n):
        customer = f"c{i:06d}"
        rate = NOISE_RATE if mode == "noise" else rng.gammavariate(2.0, 1.0 / 40.0)
        s = rng.gauss(0.0, 1.0)
        day = 0.0
        for month in range(math.ceil(days / 30)):
            month_start, month_end = month * 30.0, min(days, (month + 1) * 30.0)
            day = max(day, month_start)
            while True:
                day += rng.expovariate(rate)
                if day >= month_end:
                    day = month_end
                    break
                purchases.append(
                    (customer, start + timedelta(days=day), round(rng.lognormvariate(4.5, 0.5), 2))
                )
            at = start + timedelta(days=month_start + rng.uniform(0, 30))
            if mode == "noise":
                if rng.random() < 0.35:
                    experiences.append(
                        Experience(
                            customer, at, nps=float(rng.randint(0, 10)), negative_comment=rng.random() < 0.2
                        )
                    )
                continue
            if rng.random() < 0.35:
                score = min(10.0, max(0.0, round(7.5 + 2 * s + rng.gauss(0, 1))))
                negative = rng.random() < 1 / (1 + math.exp(1 + 2 * s))
                experiences.append(Experience(customer, at, nps=score, negative_comment=negative))
            elif rng.random() < 0.2:
                experiences.append(Experience(customer, at, unanswered_invitation=True))
            if rng.random() < 1 / (1 + math.exp(3.5 + 1.5 * s)):
                break  # gone for good
            s += rng.gauss(0.0, 0.35)
    return purchases, experiences
