"""Demo data drawn from the seed articles: Longxiang's "亲新家园" council with its
five member units, the Putang village sage association with its sage fund (its
assembly elects its officers and passes the elder-care resolution the fund's
disbursement cites), and projects from Longxiang and Pinghu. Names are generated, never real people's."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any, TextIO
from uuid import UUID

from domain.application import Gongzhi
from domain.context import CommandContext, CommandResult, acting
from infra.demo_community import load_community
from infra.progress import Progress

ZAOLIN = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"
PUTANG = "浙江省/金华市/金东区/澧浦镇/蒲塘村"
BEIHELOU = "浙江省/嘉兴市/平湖市/当湖街道/北河溇社区"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰春梅建国志红海燕文斌林峰国庆德"

# (name, kind, jurisdiction, [(role, category, count)])
UNITS = [
    (
        "皂林村微小经营户互助会",
        "mutual_aid_association",
        ZAOLIN,
        [
            ("chair", "business_owner", 1),
            ("secretary", "business_owner", 1),
            ("member", "business_owner", 50),
        ],
    ),
    (
        "皂林村业主自治委员会",
        "self_governance_committee",
        ZAOLIN,
        [
            ("chair", "resident", 1),
            ("standing_member", "resident", 25),
            ("liaison_representative", "resident", 8),
            ("grid_head", "party_member", 4),
        ],
    ),
    (
        "皂林村新居民服务中队",
        "mutual_aid_association",
        ZAOLIN,
        [("chair", "new_resident", 1), ("member", "new_resident", 14)],
    ),
    (
        "翔和促进会",
        "self_governance_committee",
        ZAOLIN,
        [("chair", "party_member", 1), ("mediator", "resident", 8)],
    ),
    (
        "亲新家园顾问团",
        "advisory_group",
        ZAOLIN,
        [("chair", "professional", 1), ("advisor", "professional", 7)],
    ),
]
SAGES = 64
OFFICERS = [("chair", 1), ("vice_chair", 2), ("secretary", 1), ("treasurer", 1)]
"""Elected by the sages' founding assembly, from the first members admitted, in this order."""
PRESENT = 52
"""Of the 64 sages, those at each assembly."""


class DemoLoader:
    def __init__(self, app: Gongzhi, seed: int = 2014, progress: TextIO = sys.stderr) -> None:
        self.app = app
        self.random = random.Random(seed)
        self.progress = Progress("demo commands", None, progress)
        self.units: list[UUID] = []
        self.unit_members: dict[UUID, list[UUID]] = {}

    SUMMARY = (
        "the Longxiang 亲新家园 coordination council with its five member units, the Putang "
        "sage association with 64 sages and its fund, projects, meetings and resolutions, "
        "mediation cases, hazard reports and volunteer activities"
    )

    def load(self) -> dict[str, UUID]:
        if self.app.recorder.max_notification_id():
            raise RuntimeError("The store already holds events; the demo loads only into an empty store")
        ids = {"council": self._council()} | self._sages() | self._projects() | self._community()
        self.progress.finish()
        return ids

    def _run(
        self,
        command: Callable[..., CommandResult],
        *args: object,
        actor: str = "demo:clerk",
        **kwargs: object,
    ) -> CommandResult:
        with acting(CommandContext(actor=actor)):
            result = command(*args, **kwargs)
        self.progress.advance()
        return result

    def _name(self) -> str:
        given = "".join(self.random.choice(GIVEN) for _ in range(self.random.choice((1, 2))))
        return self.random.choice(SURNAMES) + given

    def _phone(self) -> str:
        return "13" + "".join(self.random.choice("0123456789") for _ in range(9))

    def _organisation(self, name: str, kind: str, jurisdiction: str, charter: str | None = None) -> UUID:
        return self._run(self.app.register_organisation, kind, name, jurisdiction, charter).id

    def _members(self, organisation: UUID, roles: list[tuple[str, str, int]], since: str) -> list[UUID]:
        people = []
        for role, category, count in roles:
            for _ in range(count):
                person = self._run(self.app.register_person, self._name(), self._phone()).id
                self._run(self.app.admit_member, organisation, person, role, category, since)
                people.append(person)
        return people

    def _council(self) -> UUID:
        council = self._organisation(
            "亲新家园协调自治委员会",
            "coordination_council",
            ZAOLIN,
            "政府搭台、群众唱戏:五类成员单位共商新居民管理与出租房屋整治",
        )
        units = []
        for name, kind, jurisdiction, roles in UNITS:
            unit = self._organisation(name, kind, jurisdiction)
            self.unit_members[unit] = self._members(unit, roles, "2014-03-01")
            self._run(self.app.join_council, council, unit)
            units.append(unit)
        self.units = units
        mutual_aid, owners = units[0], units[1]
        retrofit = self._run(
            self.app.propose_project,
            "出租房屋消防安全改造",
            "fire_safety",
            owners,
            [mutual_aid],
            2_500_000,
            "样板房配齐灭火器、逃生指示和应急照明,由点及面推广",
        ).id
        self._run(self.app.approve_project, retrofit)
        self._run(self.app.start_project, retrofit)
        self._run(self.app.report_progress, retrofit, "样板房建成,首批出租房完成改造", 312)
        return council

    def _community(self) -> dict[str, UUID]:
        """The council's units at community work (``infra.demo_community``)."""
        owners, team, society = self.units[1], self.units[2], self.units[3]
        people = {
            "mediators": self.unit_members[society][1:],
            "residents": self.unit_members[owners][1:26],
            "grid_heads": self.unit_members[owners][-4:],
            "team": self.unit_members[team],
        }
        units = {"mediation_society": society, "owners_committee": owners, "service_team": team}
        return load_community(self.app, self._run, ZAOLIN, units, people)

    def _sages(self) -> dict[str, UUID]:
        association = self._organisation(
            "蒲塘村乡贤协会",
            "sage_association",
            PUTANG,
            "有实力、有影响、有专长的蒲塘籍人服务家乡建设",
        )
        sages = self._members(association, [("member", "sage", SAGES)], "2017-04-05")
        self._founding_assembly(association, sages)
        fund = self._run(
            self.app.open_fund,
            association,
            "蒲塘村乡贤基金",
            ["elder_care", "scholarship", "culture", "military_support", "relief"],
            2,
            600_000,
        ).id
        for donor in sages[:40]:
            amount = self.random.choice((50_000, 100_000, 200_000, 500_000, 1_000_000))
            self._run(self.app.receive_donation, fund, amount, donor, None, None, "2017-04-05")
        self._run(
            self.app.receive_donation,
            fund,
            300_000,
            None,
            "蒲塘籍在外企业家联谊会",
            "scholarship",
            "2017-06-01",
        )
        elder_care = self._elder_care_resolution(association, sages, fund)
        spending = [
            (800_000, "elder_care", "蒲塘村居家养老服务中心", "2017-10-28", elder_care),
            (600_000, "scholarship", "2017年考取大学的蒲塘籍学子", "2017-08-20", None),
            (300_000, "culture", "蒲塘村村史馆", None, None),
        ]
        for amount, purpose, payee, paid_on, resolution in spending:
            request = self._run(
                self.app.request_disbursement,
                fund,
                amount,
                purpose,
                payee,
                None,
                resolution,
                actor="demo:treasurer",
            )
            disbursement = UUID(request.extra["disbursement_id"])
            for approver in ("demo:chair", "demo:supervisor"):
                self._run(self.app.approve_disbursement, fund, disbursement, actor=approver)
            if paid_on:
                self._run(self.app.pay_disbursement, fund, disbursement, paid_on, "村账户转账")
        return {"sage_association": association, "sage_fund": fund}

    def _assembly(self, association: UUID, sages: list[UUID], title: str, on: str) -> UUID:
        meeting = self._run(self.app.schedule_meeting, association, title, "members_assembly", on).id
        self._run(self.app.open_meeting, meeting, sages[:PRESENT])
        return meeting

    def _carried(self, meeting: UUID, present: list[UUID], title: str, kind: str, **details: Any) -> UUID:
        """A motion put to the assembly and carried by everyone present."""
        motion = UUID(
            self._run(self.app.propose_motion, meeting, title, "", kind, **details).extra["motion_id"]
        )
        election = details.get("election")
        for person in present:
            if election:
                self._run(self.app.cast_vote, meeting, motion, person, candidates=election["candidates"])
            else:
                self._run(self.app.cast_vote, meeting, motion, person, "yes")
        self._run(self.app.close_motion, meeting, motion)
        return motion

    def _founding_assembly(self, association: UUID, sages: list[UUID]) -> None:
        """The sages elect their chair, two vice-chairs, secretary and treasurer."""
        meeting = self._assembly(association, sages, "蒲塘村乡贤协会成立大会", "2017-04-05")
        candidates = iter(sages)
        for office, seats in OFFICERS:
            elected = [next(candidates) for _ in range(seats)]
            election = {"office": office, "seats": seats, "candidates": elected}
            self._carried(meeting, sages[:PRESENT], f"选举{office}", "election", election=election)
        self._run(self.app.close_meeting, meeting, "选举产生会长、副会长二人、秘书长、财务")

    def _elder_care_resolution(self, association: UUID, sages: list[UUID], fund: UUID) -> UUID:
        """The spending resolution that the elder-care centre's disbursement cites."""
        meeting = self._assembly(association, sages, "2017年第二次会员大会", "2017-10-20")
        spending = {"fund_id": fund, "amount_fen": 800_000, "purpose": "elder_care"}
        resolution = self._carried(
            meeting, sages[:PRESENT], "资助居家养老服务中心", "spending", spending=spending
        )
        self._run(self.app.close_meeting, meeting, "通过乡贤基金资助居家养老服务中心八千元")
        return resolution

    def _projects(self) -> dict[str, UUID]:
        committee = self._organisation("北河溇社区居民议事会", "self_governance_committee", BEIHELOU)
        self._members(committee, [("chair", "party_member", 1), ("member", "resident", 11)], "2018-05-01")
        car_wash = self._run(
            self.app.propose_project,
            "免费公共洗车点",
            "community_service",
            committee,
            [],
            1_200_000,
            "洗车点旁收取停车费,以服务换共识",
        ).id
        self._run(self.app.approve_project, car_wash)
        self._run(self.app.start_project, car_wash)
        self._run(self.app.report_progress, car_wash, "洗车点开放,居民主动缴纳停车费", 860)
        self._run(self.app.complete_project, car_wash, "停车费很快收齐,小区停车秩序好转")
        classroom = self._run(
            self.app.propose_project, "3:30课堂", "education", committee, [], 400_000, "放学后看护与辅导"
        ).id
        self._run(self.app.approve_project, classroom)
        return {"car_wash_project": car_wash, "classroom_project": classroom}
