"""A large store with the demo's shape: many organisations in many villages,
their members, funds with donations and disbursements, and projects.

Aggregates are built in memory and saved one organisation at a time (one
transaction each), which is far faster than going through the commands.
"""

from __future__ import annotations

import random
from uuid import uuid4

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.fund import Fund
from domain.organisation import Organisation
from domain.person import Person
from domain.project import Project
from domain.values import MemberCategory, OrganisationKind
from infra.progress import Progress

PROVINCES = ["浙江省", "江苏省", "安徽省"]
KINDS = [kind.value for kind in OrganisationKind if kind != OrganisationKind.COORDINATION_COUNCIL]
CATEGORIES = [category.value for category in MemberCategory]
PURPOSES = ["elder_care", "scholarship", "culture", "relief"]


def jurisdiction(rng: random.Random) -> str:
    return "/".join(
        [
            rng.choice(PROVINCES),
            f"市{rng.randrange(3)}",
            f"区{rng.randrange(3)}",
            f"街道{rng.randrange(4)}",
            f"村{rng.randrange(5)}",
            f"网格{rng.randrange(3)}",
        ]
    )


def organisation_unit(rng: random.Random) -> list[Person | Organisation | Fund | Project]:
    """One organisation with ~250 events: members, a fund and a project."""
    org = Organisation.register(rng.choice(KINDS), f"组织{rng.randrange(10**6)}", jurisdiction(rng))
    people = [Person(f"居民{rng.randrange(10**6)}", None, None) for _ in range(60)]
    for n, person in enumerate(people):
        role = "chair" if n == 0 else rng.choice(["member", "standing_member", "advisor", "mediator"])
        org.admit(str(person.id), role, rng.choice(CATEGORIES), "2020-01-01")
    for person in people[-5:]:
        org.depart(str(person.id), "left", None)
    fund = Fund.open(str(org.id), "基金", PURPOSES, 1)
    for _ in range(100):
        donor = rng.choice(people)
        fund.receive_donation(
            str(uuid4()),
            rng.randrange(1, 5000) * 100,
            str(donor.id),
            None,
            rng.choice(PURPOSES),
            "2021-03-01",
        )
    project = Project.propose("公益项目", "community_service", str(org.id), [], 500_000, None)
    project.approve()
    project.start()
    project.report_progress("进展", rng.randrange(100))
    for _ in range(5):
        disbursement = str(uuid4())
        amount = min(fund.available_fen, rng.randrange(1, 2000) * 100)
        fund.request_disbursement(
            disbursement, amount, rng.choice(PURPOSES), "收款人", str(project.id), "clerk"
        )
        fund.approve_disbursement(disbursement, "chair")
        fund.pay_disbursement(disbursement, "2021-06-01", None)
    project.complete("完成")
    return [*people, org, fund, project]


def generate(app: Gongzhi, events: int, seed: int = 7) -> int:
    """Adds organisation units until at least ``events`` more events are stored."""
    rng = random.Random(seed)
    progress = Progress("generating events", events)
    written = 0
    with acting(CommandContext(actor="generator")):
        while written < events:
            unit = organisation_unit(rng)
            recordings = app.save(*unit)
            written += len(recordings)
            progress.advance(len(recordings))
    progress.finish()
    return written
