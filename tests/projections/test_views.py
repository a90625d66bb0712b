"""The view handlers: stories of hand-built events, then a property over random commands.

The property runs random command sequences through the application, folds the
store's notifications through every view, and checks each view against the
aggregates themselves.
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.errors import DomainError
from domain.fund import Fund
from domain.jurisdiction import prefixes
from domain.organisation import Organisation
from domain.project import Project
from projections import ALL_VIEWS, fold
from projections.events import EventRecord, from_stored
from projections.funds import FundsView
from projections.membership import MembershipView
from projections.projects import ProjectsView
from projections.rows import Key, MemoryRows, Row, Table, View
from projections.statistics import StatisticsView

TONGXIANG = "浙江省/嘉兴市/桐乡市"
LONGXIANG = "浙江省/嘉兴市/桐乡市/龙翔街道"
HAINING = "浙江省/嘉兴市/海宁市"
SUZHOU = "江苏省/苏州市"
START = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


# Hand-built events


class Story:
    """Events as the store would number and stamp them, one second apart."""

    def __init__(self) -> None:
        self.events: list[EventRecord] = []
        self.versions: Counter[str] = Counter()

    def emit(self, type_: str, aggregate_id: str | None = None, **payload: Any) -> str:
        aggregate_id = aggregate_id or str(uuid4())
        self.versions[aggregate_id] += 1
        position = len(self.events) + 1
        recorded_at = (START + timedelta(seconds=position)).isoformat()
        event = EventRecord(type_, aggregate_id, self.versions[aggregate_id], position, recorded_at, payload)
        self.events.append(event)
        return aggregate_id

    @property
    def last(self) -> EventRecord:
        return self.events[-1]

    def organisation(self, jurisdiction: str = TONGXIANG, kind: str = "self_governance_committee") -> str:
        return self.emit(
            "Organisation.Registered", kind=kind, name="居民议事会", jurisdiction=jurisdiction, charter=None
        )

    def person(self) -> str:
        return self.emit("Person.Registered", name="王芳", phone="13800000000", id_number=None)

    def admit(self, org: str, person: str | None = None, role: str = "member") -> str:
        person = person or self.person()
        self.emit(
            "Organisation.MemberAdmitted",
            org,
            person_id=person,
            role=role,
            category="new_resident",
            joined_on="2023-03-15",
        )
        return person

    def project(self, lead: str, partners: Iterable[str] = ()) -> str:
        return self.emit(
            "Project.Proposed",
            title="出租房屋消防安全改造",
            category="fire_safety",
            lead_organisation_id=lead,
            partner_organisation_ids=list(partners),
            budget_fen=500_000,
            description=None,
        )

    def fund(self, org: str, approvals_required: int = 1) -> str:
        return self.emit(
            "Fund.Opened",
            organisation_id=org,
            name="乡贤基金",
            purposes=["elder_care", "scholarship"],
            approvals_required=approvals_required,
        )

    def donate(
        self, fund: str, amount: int, donor: str = "沈先生", purpose: str | None = None, person: bool = False
    ) -> str:
        donation = str(uuid4())
        self.emit(
            "Fund.DonationReceived",
            fund,
            donation_id=donation,
            amount_fen=amount,
            donor_person_id=donor if person else None,
            donor_name=None if person else donor,
            purpose=purpose,
            received_on="2024-04-30",
        )
        return donation

    def request(self, fund: str, amount: int, project: str | None = None, by: str = "wang") -> str:
        disbursement = str(uuid4())
        self.emit(
            "Fund.DisbursementRequested",
            fund,
            disbursement_id=disbursement,
            amount_fen=amount,
            purpose="elder_care",
            payee="敬老院",
            project_id=project,
            requested_by=by,
        )
        return disbursement

    def approve(self, fund: str, disbursement: str, by: str = "li", fully: bool = True) -> None:
        self.emit(
            "Fund.DisbursementApproved", fund, disbursement_id=disbursement, approver=by, fully_approved=fully
        )

    def reject(self, fund: str, disbursement: str) -> None:
        self.emit(
            "Fund.DisbursementRejected", fund, disbursement_id=disbursement, reason="重复", rejected_by="li"
        )

    def pay(self, fund: str, disbursement: str, amount: int) -> None:
        self.emit(
            "Fund.DisbursementPaid",
            fund,
            disbursement_id=disbursement,
            amount_fen=amount,
            paid_on="2024-05-02",
            reference=None,
        )


PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {"text": str, "integer": int, "json": (list, dict)}


class StrictRows(MemoryRows):
    """Memory rows that refuse incomplete rows and in-place changes of what they hand out."""

    def __init__(self, tables: tuple[Table, ...]) -> None:
        super().__init__(tables)
        self.columns = {t.name: t.columns for t in tables}

    def get(self, table: str, key: Key) -> Row | None:
        row = super().get(table, key)
        return None if row is None else MappingProxyType(copy.deepcopy(row))  # type: ignore[return-value]

    def put(self, table: str, row: Row) -> None:
        columns = self.columns[table]
        assert set(row) == set(columns), f"{table}: {set(row) ^ set(columns)}"
        for column, kind in columns.items():
            expected = PYTHON_TYPES[kind]
            assert row[column] is None or isinstance(row[column], expected), (table, column, row[column])
        super().put(table, copy.deepcopy(row))


def apply(view: View, story: Story) -> StrictRows:
    rows = StrictRows(view.tables)
    for event in story.events:
        view.handle(event, rows)
    return rows


def table(rows: MemoryRows, name: str) -> list[Row]:
    return [rows.data[name][key] for key in sorted(rows.data[name])]


def row(rows: MemoryRows, name: str, *key: Any) -> Row:
    return rows.data[name][key]


# Every view


def test_the_views_are_the_seven_the_product_serves_with_consistent_tables() -> None:
    assert [view.name for view in ALL_VIEWS] == [
        "membership",
        "projects",
        "funds",
        "statistics",
        "governance",
        "casework",
        "volunteering",
    ]
    for view in ALL_VIEWS:
        for spec in view.tables:
            assert set(spec.columns.values()) <= {"text", "integer", "json"}
            assert set(spec.key) <= set(spec.columns)
            assert all(set(index) <= set(spec.columns) for index in spec.indexes)


@pytest.mark.parametrize("view", ALL_VIEWS, ids=lambda view: view.name)
def test_unknown_event_types_are_ignored(view: type[View]) -> None:
    story = Story()
    org = story.organisation()
    before = copy.deepcopy(apply(view(), story).data)
    story.emit("Organisation.Renamed", org, name="新名字")
    story.emit("Mediation.CaseOpened", summary="邻里纠纷")
    story.emit("Fund", org)

    assert apply(view(), story).data == before


def test_fold_applies_events_in_order_to_empty_memory_rows() -> None:
    story = Story()
    org = story.organisation()
    story.admit(org)

    rows = fold(MembershipView(), story.events)

    assert isinstance(rows, MemoryRows)
    assert row(rows, "organisations", org)["member_count"] == 1


# Membership


def test_members_are_listed_with_role_category_and_admission_and_counted() -> None:
    story = Story()
    org = story.organisation()
    chair = story.admit(org, role="chair")
    admitted_at = story.last.position
    member = story.admit(org)
    story.emit(
        "Organisation.MemberRoleChanged", org, person_id=member, previous_role="member", role="secretary"
    )

    rows = apply(MembershipView(), story)

    assert row(rows, "organisations", org) == {
        "id": org,
        "kind": "self_governance_committee",
        "name": "居民议事会",
        "jurisdiction": TONGXIANG,
        "status": "active",
        "member_count": 2,
    }
    assert row(rows, "members", org, chair) == {
        "organisation_id": org,
        "person_id": chair,
        "role": "chair",
        "category": "new_resident",
        "joined_on": "2023-03-15",
        "admitted_position": admitted_at,
    }
    assert row(rows, "members", org, member)["role"] == "secretary"


def test_a_departure_leaves_a_record_of_the_role_held_and_the_day_it_was_recorded() -> None:
    story = Story()
    org = story.organisation()
    person = story.admit(org, role="mediator")
    story.emit("Organisation.MemberDeparted", org, person_id=person, reason="expelled", note="长期缺席")
    departed = story.last

    rows = apply(MembershipView(), story)

    assert table(rows, "members") == []
    assert row(rows, "organisations", org)["member_count"] == 0
    assert table(rows, "departures") == [
        {
            "organisation_id": org,
            "person_id": person,
            "role": "mediator",
            "category": "new_resident",
            "joined_on": "2023-03-15",
            "left_on": departed.recorded_at[:10],
            "reason": "expelled",
            "note": "长期缺席",
            "position": departed.position,
        }
    ]


def test_a_person_who_left_can_join_again() -> None:
    story = Story()
    org = story.organisation()
    person = story.admit(org)
    story.emit("Organisation.MemberDeparted", org, person_id=person, reason="left", note=None)
    story.admit(org, person, role="advisor")

    rows = apply(MembershipView(), story)

    assert row(rows, "members", org, person)["role"] == "advisor"
    assert row(rows, "organisations", org)["member_count"] == 1
    assert len(table(rows, "departures")) == 1


def test_the_organisation_status_follows_suspension_reinstatement_and_dissolution() -> None:
    story = Story()
    org = story.organisation()
    statuses = []
    for event in ("Suspended", "Reinstated", "Dissolved"):
        story.emit(f"Organisation.{event}", org, **({} if event == "Reinstated" else {"reason": "换届"}))
        statuses.append(row(apply(MembershipView(), story), "organisations", org)["status"])

    assert statuses == ["suspended", "active", "dissolved"]


def test_a_councils_member_units_are_not_members_and_no_personal_details_are_kept() -> None:
    story = Story()
    council = story.organisation(kind="coordination_council")
    unit = story.organisation()
    story.emit("Organisation.MemberOrganisationJoined", council, organisation_id=unit)
    story.admit(unit)

    rows = apply(MembershipView(), story)

    assert row(rows, "organisations", council)["member_count"] == 0
    assert [m["organisation_id"] for m in table(rows, "members")] == [unit]
    assert "王芳" not in repr(rows.data)
    assert "13800000000" not in repr(rows.data)


# Projects


def test_a_project_records_each_transition_its_progress_and_its_leads_jurisdiction() -> None:
    story = Story()
    lead, partner = story.organisation(LONGXIANG), story.organisation(SUZHOU)
    project = story.project(lead, [partner])
    stamps = {"proposed_at": story.last.recorded_at}
    for event, stamp in (("Approved", "approved_at"), ("Started", "started_at")):
        story.emit(f"Project.{event}", project)
        stamps[stamp] = story.last.recorded_at
    story.emit("Project.ProgressReported", project, note="示范房建成", beneficiaries=30)
    story.emit("Project.ProgressReported", project, note="完成 12 户", beneficiaries=12)
    story.emit("Project.Completed", project, outcome="42 户完成改造")
    stamps["completed_at"] = story.last.recorded_at

    found = row(apply(ProjectsView(), story), "projects", project)

    assert found == {
        "id": project,
        "title": "出租房屋消防安全改造",
        "category": "fire_safety",
        "lead_organisation_id": lead,
        "partner_organisation_ids": [partner],
        "jurisdiction": LONGXIANG,
        "status": "completed",
        "budget_fen": 500_000,
        "disbursed_fen": 0,
        "beneficiaries": 42,
        "last_progress_note": "完成 12 户",
        **stamps,
        "cancelled_at": None,
        "outcome": "42 户完成改造",
        "cancellation_reason": None,
        "version": 6,
    }


def test_a_cancelled_project_keeps_its_reason_and_when() -> None:
    story = Story()
    project = story.project(story.organisation())
    story.emit("Project.Approved", project)
    story.emit("Project.Cancelled", project, reason="经费不足")

    found = row(apply(ProjectsView(), story), "projects", project)

    assert (found["status"], found["cancellation_reason"]) == ("cancelled", "经费不足")
    assert found["cancelled_at"] == story.last.recorded_at
    assert found["approved_at"] is not None
    assert found["started_at"] is None


def test_a_project_counts_only_the_paid_disbursements_that_named_it() -> None:
    story = Story()
    org = story.organisation()
    project, other = story.project(org), story.project(org)
    fund = story.fund(org)
    story.donate(fund, 100_000)
    paid = story.request(fund, 20_000, project)
    rejected = story.request(fund, 30_000, project)
    unpaid = story.request(fund, 5_000, project)
    elsewhere = story.request(fund, 7_000, other)
    general = story.request(fund, 1_000)
    for disbursement in (paid, rejected, unpaid, elsewhere, general):
        story.approve(fund, disbursement)
    story.reject(fund, rejected)
    for disbursement, amount in ((paid, 20_000), (elsewhere, 7_000), (general, 1_000)):
        story.pay(fund, disbursement, amount)

    rows = apply(ProjectsView(), story)

    assert row(rows, "projects", project)["disbursed_fen"] == 20_000
    assert row(rows, "projects", other)["disbursed_fen"] == 7_000
    assert [d["id"] for d in table(rows, "disbursements")] == [unpaid]


# Funds


def test_donations_count_per_purpose_and_per_distinct_donor() -> None:
    story = Story()
    fund = story.fund(story.organisation())
    story.donate(fund, 10_000, "沈先生", "elder_care")
    story.donate(fund, 5_000, "沈先生")
    person = str(uuid4())
    story.donate(fund, 2_000, person, "elder_care", person=True)

    rows = apply(FundsView(), story)

    found = row(rows, "funds", fund)
    assert (found["donated_fen"], found["balance_fen"], found["available_fen"]) == (17_000, 17_000, 17_000)
    assert (found["donor_count"], found["version"]) == (2, 4)
    assert found["purposes"] == ["elder_care", "scholarship"]
    assert {r["purpose"]: (r["donated_fen"], r["paid_fen"]) for r in table(rows, "fund_purposes")} == {
        "": (5_000, 0),
        "elder_care": (12_000, 0),
        "scholarship": (0, 0),
    }
    assert {r["donor"] for r in table(rows, "fund_donors")} == {"沈先生", person}


def test_a_disbursement_is_reserved_once_fully_approved_and_leaves_the_balance_when_paid() -> None:
    story = Story()
    fund = story.fund(story.organisation(), approvals_required=2)
    story.donate(fund, 50_000)
    disbursement = story.request(fund, 20_000, by="wang")
    requested_at = story.last.recorded_at
    story.approve(fund, disbursement, by="li", fully=False)

    def state() -> tuple[Row, Row]:
        rows = apply(FundsView(), story)
        return row(rows, "funds", fund), row(rows, "disbursements", fund, disbursement)

    found, request = state()
    assert (request["status"], request["approvals"], request["decided_at"]) == ("requested", ["li"], None)
    assert (found["reserved_fen"], found["available_fen"]) == (0, 50_000)

    story.approve(fund, disbursement, by="zhang")
    found, request = state()
    assert (request["status"], request["approvals"]) == ("approved", ["li", "zhang"])
    assert request["decided_at"] == story.last.recorded_at
    assert request["requested_at"] == requested_at
    assert (found["balance_fen"], found["reserved_fen"], found["available_fen"]) == (50_000, 20_000, 30_000)

    story.pay(fund, disbursement, 20_000)
    rows = apply(FundsView(), story)
    found, request = row(rows, "funds", fund), row(rows, "disbursements", fund, disbursement)
    assert request["status"] == "paid"
    assert (found["paid_fen"], found["balance_fen"], found["reserved_fen"]) == (20_000, 30_000, 0)
    assert (found["available_fen"], found["version"]) == (30_000, 6)
    assert row(rows, "fund_purposes", fund, "elder_care")["paid_fen"] == 20_000


def test_rejecting_an_approved_disbursement_releases_what_it_reserved() -> None:
    story = Story()
    fund = story.fund(story.organisation())
    story.donate(fund, 50_000)
    disbursement = story.request(fund, 20_000)
    story.approve(fund, disbursement)
    story.reject(fund, disbursement)

    rows = apply(FundsView(), story)

    found = row(rows, "funds", fund)
    assert (found["reserved_fen"], found["available_fen"], found["paid_fen"]) == (0, 50_000, 0)
    assert row(rows, "disbursements", fund, disbursement)["status"] == "rejected"
    assert row(rows, "disbursements", fund, disbursement)["decided_at"] == story.last.recorded_at


def test_the_ledger_shows_each_donation_and_payment_with_the_running_balance() -> None:
    story = Story()
    fund = story.fund(story.organisation())
    first = story.donate(fund, 50_000, "陈女士")
    second = story.donate(fund, 30_000, "沈先生")
    disbursement = story.request(fund, 20_000)
    story.approve(fund, disbursement)
    story.pay(fund, disbursement, 20_000)

    lines = table(apply(FundsView(), story), "ledger")

    assert [(line["position"], line["fund_id"]) for line in lines] == [(3, fund), (4, fund), (7, fund)]
    assert [
        (line["entry"], line["amount_fen"], line["balance_fen"], line["reference"], line["counterparty"])
        for line in lines
    ] == [
        ("donation", 50_000, 50_000, first, "陈女士"),
        ("donation", 30_000, 80_000, second, "沈先生"),
        ("payment", -20_000, 60_000, disbursement, "敬老院"),
    ]
    assert [line["business_date"] for line in lines] == ["2024-04-30", "2024-04-30", "2024-05-02"]


# Statistics


def test_the_prefixes_of_a_jurisdiction_run_from_the_whole_country_to_the_full_path() -> None:
    assert prefixes(TONGXIANG) == ["", "浙江省", "浙江省/嘉兴市", TONGXIANG]
    assert prefixes(None) == [""]


def rolled_up(rows: MemoryRows) -> Counter[tuple[str, str]]:
    """The figures per (prefix, metric), summed here from the view's per-path rows."""
    totals: Counter[tuple[str, str]] = Counter()
    for row in table(rows, "figures"):
        for prefix in prefixes(row["jurisdiction"] or None):
            totals[prefix, row["metric"]] += row["value"]
    return totals


def figures(rows: MemoryRows, prefix: str) -> dict[str, int]:
    return {metric: value for (at, metric), value in rolled_up(rows).items() if at == prefix}


def test_organisations_and_members_roll_up_by_every_prefix() -> None:
    story = Story()
    here = story.organisation(LONGXIANG, kind="sage_association")
    story.organisation(HAINING)
    story.organisation(SUZHOU, kind="advisory_group")
    story.admit(here)
    gone = story.admit(here)
    story.emit("Organisation.MemberDeparted", here, person_id=gone, reason="left", note=None)
    story.admit(here)

    rows = apply(StatisticsView(), story)

    assert figures(rows, "")["organisations"] == 3
    assert figures(rows, "浙江省/嘉兴市") == {
        "organisations": 2,
        "organisations.kind.sage_association": 1,
        "organisations.kind.self_governance_committee": 1,
        "organisations.status.active": 2,
        "members": 2,
        "projects": 0,
        "donated_fen": 0,
        "paid_fen": 0,
    }
    assert figures(rows, LONGXIANG)["members"] == 2
    assert figures(rows, HAINING)["members"] == 0
    assert figures(rows, "江苏省")["organisations.kind.advisory_group"] == 1
    assert figures(rows, "浙江省/嘉") == {}


def test_statuses_move_between_counts() -> None:
    story = Story()
    org = story.organisation()
    project = story.project(org)
    story.emit("Organisation.Suspended", org, reason="换届")
    story.emit("Project.Approved", project)
    story.emit("Project.Started", project)

    rows = apply(StatisticsView(), story)

    found = figures(rows, TONGXIANG)
    # A status count back at zero is not kept (absent means 0).
    assert "organisations.status.active" not in found
    assert found["organisations.status.suspended"] == 1
    assert "projects.status.proposed" not in found and "projects.status.approved" not in found
    assert (found["projects.status.started"], found["projects"]) == (1, 1)


def test_projects_count_at_the_leads_jurisdiction_and_money_at_the_fund_owners() -> None:
    story = Story()
    lead, partner = story.organisation(HAINING), story.organisation(SUZHOU)
    story.project(lead, [partner])
    fund = story.fund(partner)
    story.donate(fund, 9_000)
    disbursement = story.request(fund, 4_000)
    story.approve(fund, disbursement)
    story.pay(fund, disbursement, 4_000)

    rows = apply(StatisticsView(), story)

    assert figures(rows, HAINING)["projects"] == 1
    assert figures(rows, SUZHOU)["projects"] == 0
    assert (figures(rows, SUZHOU)["donated_fen"], figures(rows, SUZHOU)["paid_fen"]) == (9_000, 4_000)
    assert (figures(rows, "")["donated_fen"], figures(rows, HAINING)["donated_fen"]) == (9_000, 0)


# The property: views fold the store's events into what the aggregates say


JURISDICTIONS = (LONGXIANG, "浙江省/嘉兴市/桐乡市/梧桐街道", HAINING, SUZHOU)
KINDS = (
    "self_governance_committee",
    "mutual_aid_association",
    "sage_association",
    "advisory_group",
    "coordination_council",
)
ROLES = ("chair", "vice_chair", "secretary", "member", "mediator")
CATEGORIES = ("resident", "new_resident", "sage")
ACTORS = ("wang", "li", "zhang")
AMOUNTS = (1, 500, 2_000, 10_000, 0)
DONORS = ("沈先生", "陈女士")
PURPOSES = ("elder_care", "scholarship")


class World:
    """An application driven by small integers, which pick among what exists."""

    def __init__(self) -> None:
        self.app = Gongzhi(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.popo",
                "TRANSCODER_TOPIC": "infra.store.transcoder:OrjsonTranscoder",
            }
        )
        self.people: list[UUID] = []
        self.organisations: list[UUID] = []
        self.projects: list[UUID] = []
        self.funds: list[UUID] = []
        self.departures: Counter[str] = Counter()
        self.donors: defaultdict[str, set[str]] = defaultdict(set)

    def organisation(self, id_: UUID) -> Organisation:
        return self.app.get(Organisation, id_)

    def project(self, id_: UUID) -> Project:
        return self.app.get(Project, id_)

    def fund(self, id_: UUID) -> Fund:
        return self.app.get(Fund, id_)

    def run(self, command: str, a: int, b: int, c: int) -> None:
        actor = CommandContext(actor=ACTORS[c % len(ACTORS)])
        with acting(actor), suppress(DomainError, NothingToPick):  # refused, or nothing to pick
            COMMANDS[command](self, a, b, c)

    def events(self) -> list[EventRecord]:
        notifications = self.app.recorder.select_notifications(start=1, limit=10**6)
        return [
            from_stored(n.topic, n.originator_id, n.originator_version, n.id, n.state) for n in notifications
        ]


class NothingToPick(Exception):
    pass


def pick(pool: list[Any], index: int) -> Any:
    if not pool:
        raise NothingToPick
    return pool[index % len(pool)]


def register_person(w: World, a: int, b: int, c: int) -> None:
    w.people.append(w.app.register_person("王芳").id)


def register_organisation(w: World, a: int, b: int, c: int) -> None:
    kind, where = KINDS[a % len(KINDS)], JURISDICTIONS[b % len(JURISDICTIONS)]
    w.organisations.append(w.app.register_organisation(kind, "议事会", where).id)


def member_of(w: World, org: UUID, b: int) -> UUID:
    """Mostly a current member, sometimes anyone (to be refused)."""
    members = [UUID(p) for p in w.organisation(org).members]
    return pick(members if members and b % 4 else w.people, b)


def admit_member(w: World, a: int, b: int, c: int) -> None:
    org, person = pick(w.organisations, a), pick(w.people, b)
    w.app.admit_member(org, person, ROLES[c % len(ROLES)], CATEGORIES[b % len(CATEGORIES)])


def change_member_role(w: World, a: int, b: int, c: int) -> None:
    org = pick(w.organisations, a)
    w.app.change_member_role(org, member_of(w, org, b), ROLES[c % len(ROLES)])


def record_departure(w: World, a: int, b: int, c: int) -> None:
    org = pick(w.organisations, a)
    w.app.record_departure(org, member_of(w, org, b), ("left", "expelled")[c % 2], "搬走了")
    w.departures[str(org)] += 1


def change_status(w: World, a: int, b: int, c: int) -> None:
    org = pick(w.organisations, a)
    if b % 5 == 0:
        w.app.dissolve_organisation(org, "合并")
    elif w.organisation(org).status == "active":
        w.app.suspend_organisation(org, "整顿")
    else:
        w.app.reinstate_organisation(org)  # refused once dissolved


def council(w: World, a: int, b: int, c: int) -> None:
    council, unit = pick(w.organisations, a), pick(w.organisations, b)
    (w.app.join_council if c % 2 else w.app.leave_council)(council, unit)


def propose_project(w: World, a: int, b: int, c: int) -> None:
    lead = pick(w.organisations, a)
    partners = [pick(w.organisations, b)] if c % 2 else []
    w.projects.append(w.app.propose_project("消防改造", "fire_safety", lead, partners, c * 100 or None).id)


def move_project(w: World, a: int, b: int, c: int) -> None:
    """Mostly the project's next step; sometimes a cancellation (refused once it has ended)."""
    project = pick(w.projects, a)
    status = w.project(project).status
    if b % 5 == 0:
        w.app.cancel_project(project, "取消")
    elif status == "proposed":
        w.app.approve_project(project)
    elif status == "approved":
        w.app.start_project(project)
    elif b % 5 < 3:
        w.app.report_progress(project, f"第{c}次", c)
    else:
        w.app.complete_project(project, "完成")


def open_fund(w: World, a: int, b: int, c: int) -> None:
    org = pick(w.organisations, a)
    w.funds.append(w.app.open_fund(org, "乡贤基金", list(PURPOSES[: 1 + b % 2]), 1 + c % 2).id)


def receive_donation(w: World, a: int, b: int, c: int) -> None:
    fund = pick(w.funds, a)
    person = pick(w.people, c) if c % 3 == 0 and w.people else None
    name = None if person else DONORS[c % 2]
    purpose = (None, *PURPOSES)[b % 3]
    w.app.receive_donation(fund, AMOUNTS[c % len(AMOUNTS)], person, name, purpose)
    w.donors[str(fund)].add(str(person) if person else str(name))


def request_disbursement(w: World, a: int, b: int, c: int) -> None:
    fund = pick(w.funds, a)
    project = pick(w.projects, b) if b % 2 and w.projects else None
    w.app.request_disbursement(fund, AMOUNTS[b % len(AMOUNTS)], PURPOSES[c % 2], "敬老院", project)


def decide_disbursement(w: World, a: int, b: int, c: int) -> None:
    """Approval by someone who may approve, or payment once approved; a sixth are rejections."""
    fund_id = pick(w.funds, a)
    fund = w.fund(fund_id)
    request = fund.disbursements[pick(sorted(fund.disbursements), b)]
    disbursement = UUID(request.id)
    if c % 6 == 0:
        w.app.reject_disbursement(fund_id, disbursement, "不符合")
    elif request.status != "requested":
        w.app.pay_disbursement(fund_id, disbursement)  # refused unless approved
    else:
        approvers = [x for x in ACTORS if x != request.requested_by and x not in request.approvals]
        with acting(CommandContext(actor=pick(approvers or list(ACTORS), c))):
            w.app.approve_disbursement(fund_id, disbursement)


COMMANDS: dict[str, Callable[[World, int, int, int], None]] = {
    f.__name__: f
    for f in (
        register_person,
        register_organisation,
        admit_member,
        change_member_role,
        record_departure,
        change_status,
        council,
        propose_project,
        move_project,
        open_fund,
        receive_donation,
        request_disbursement,
        decide_disbursement,
    )
}
WEIGHTED = [*COMMANDS, "admit_member", "move_project", "receive_donation", "request_disbursement"]
WEIGHTED += ["move_project", "decide_disbursement", "decide_disbursement"]

Command = tuple[str, int, int, int]
PEOPLE: list[Command] = [("register_person", 0, 0, 0)] * 3
choices = st.integers(0, 30)


def founded(organisations: list[tuple[int, int]], body: list[Command]) -> list[Command]:
    """People, organisations, a funded fund and a project first, so that most commands find something."""
    founding = [("register_organisation", kind, where, 0) for kind, where in organisations]
    return [
        *PEOPLE,
        *founding,
        ("open_fund", 0, 1, 0),
        ("receive_donation", 0, 0, 3),
        ("propose_project", 0, 0, 0),
        *body,
    ]


scripts = st.builds(
    founded,
    st.lists(st.tuples(choices, choices), min_size=1, max_size=4),
    st.lists(st.tuples(st.sampled_from(WEIGHTED), choices, choices, choices), min_size=15, max_size=80),
)


def of(rows: MemoryRows, name: str, column: str, value: Any) -> list[Row]:
    return [r for r in table(rows, name) if r[column] == value]


def check_membership(w: World, rows: MemoryRows) -> None:
    assert set(rows.data["organisations"]) == {(str(o),) for o in w.organisations}
    for id_ in map(str, w.organisations):
        org = w.organisation(UUID(id_))
        found = row(rows, "organisations", id_)
        assert (found["kind"], found["name"], found["jurisdiction"]) == (org.kind, org.name, org.jurisdiction)
        assert (found["status"], found["member_count"]) == (org.status, len(org.members))
        members = {
            m["person_id"]: (m["role"], m["category"], m["joined_on"])
            for m in of(rows, "members", "organisation_id", id_)
        }
        assert members == {p: (m.role, m.category, m.joined_on) for p, m in org.members.items()}
        assert len(of(rows, "departures", "organisation_id", id_)) == w.departures[id_]


def paid_for(w: World, project: str) -> int:
    return sum(
        d.amount_fen
        for fund in map(w.fund, w.funds)
        for d in fund.disbursements.values()
        if d.status == "paid" and d.project_id == project
    )


def check_projects(w: World, rows: MemoryRows) -> None:
    assert set(rows.data["projects"]) == {(str(p),) for p in w.projects}
    for id_ in map(str, w.projects):
        project, found = w.project(UUID(id_)), row(rows, "projects", id_)
        lead = w.organisation(UUID(project.lead_organisation_id))
        assert (found["status"], found["beneficiaries"]) == (project.status, project.beneficiaries)
        assert (found["outcome"], found["cancellation_reason"]) == (
            project.outcome,
            project.cancellation_reason,
        )
        assert (found["last_progress_note"], found["version"]) == (
            project.last_progress_note,
            project.version,
        )
        assert found["partner_organisation_ids"] == project.partner_organisation_ids
        assert (found["jurisdiction"], found["disbursed_fen"]) == (lead.jurisdiction, paid_for(w, id_))
        assert found[f"{project.status}_at"] is not None


def check_funds(w: World, rows: MemoryRows) -> None:
    assert set(rows.data["funds"]) == {(str(f),) for f in w.funds}
    for id_ in map(str, w.funds):
        fund, found = w.fund(UUID(id_)), row(rows, "funds", id_)
        assert (found["donated_fen"], found["paid_fen"]) == (fund.donated_fen, fund.paid_fen)
        assert (found["balance_fen"], found["reserved_fen"]) == (fund.balance_fen, fund.reserved_fen)
        assert (found["available_fen"], found["version"]) == (fund.available_fen, fund.version)
        assert found["donor_count"] == len(w.donors[id_])
        disbursements = {
            d["id"]: (d["status"], d["approvals"]) for d in of(rows, "disbursements", "fund_id", id_)
        }
        assert disbursements == {i: (d.status, d.approvals) for i, d in fund.disbursements.items()}
        purposes = of(rows, "fund_purposes", "fund_id", id_)
        assert sum(p["donated_fen"] for p in purposes) == fund.donated_fen
        for purpose in fund.purposes:
            paid = sum(
                d.amount_fen
                for d in fund.disbursements.values()
                if d.status == "paid" and d.purpose == purpose
            )
            assert row(rows, "fund_purposes", id_, purpose)["paid_fen"] == paid
        balance = 0
        for line in of(rows, "ledger", "fund_id", id_):
            balance += line["amount_fen"]
            assert line["balance_fen"] == balance >= 0
        assert balance == fund.balance_fen


def expected_figures(w: World) -> Counter[tuple[str, str]]:
    expected: Counter[tuple[str, str]] = Counter()

    def count(jurisdiction: str, metric: str, value: int = 1) -> None:
        segments = jurisdiction.split("/")
        for n in range(len(segments) + 1):
            expected["/".join(segments[:n]), metric] += value

    for org in map(w.organisation, w.organisations):
        for metric in (
            "organisations",
            f"organisations.kind.{org.kind}",
            f"organisations.status.{org.status}",
        ):
            count(org.jurisdiction, metric)
        count(org.jurisdiction, "members", len(org.members))
    for project in map(w.project, w.projects):
        where = w.organisation(UUID(project.lead_organisation_id)).jurisdiction
        count(where, "projects")
        count(where, f"projects.status.{project.status}")
    for fund in map(w.fund, w.funds):
        where = w.organisation(UUID(fund.organisation_id)).jurisdiction
        count(where, "donated_fen", fund.donated_fen)
        count(where, "paid_fen", fund.paid_fen)
    return expected


def check_statistics(w: World, rows: MemoryRows) -> None:
    found = {key: value for key, value in rolled_up(rows).items() if value}
    assert found == {key: value for key, value in expected_figures(w).items() if value}


def check_governance(w: World, rows: MemoryRows) -> None:
    """These scripts hold no meetings: the view knows each organisation's place and the
    payments that settle no reservation, nothing more."""
    jurisdictions = {(str(o),): w.organisation(o).jurisdiction for o in w.organisations}
    assert {key: row["jurisdiction"] for key, row in rows.data["organisations"].items()} == jurisdictions
    paid = {
        (d.id,) for fund in map(w.fund, w.funds) for d in fund.disbursements.values() if d.status == "paid"
    }
    assert set(rows.data["payments"]) == paid  # none cites a resolution
    assert not any(rows.data[table] for table in rows.data if table not in ("organisations", "payments"))


def check_nothing_recorded(w: World, rows: MemoryRows) -> None:
    """The scripts record no community work (``test_community_views`` has its stories)."""
    assert all(not table for table in rows.data.values())


CHECKS: dict[str, Callable[[World, MemoryRows], None]] = {
    "membership": check_membership,
    "projects": check_projects,
    "funds": check_funds,
    "statistics": check_statistics,
    "governance": check_governance,
    "casework": check_nothing_recorded,
    "volunteering": check_nothing_recorded,
}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts)
def test_every_view_folds_the_stored_events_into_what_the_aggregates_say(script: list[Command]) -> None:
    world = World()
    for command in script:
        world.run(*command)
    events = world.events()

    for view_class in ALL_VIEWS:
        view = view_class()
        rows = fold(view, events)
        CHECKS[view.name](world, rows)
        strict = StrictRows(view.tables)
        for event in events:
            view.handle(event, strict)
        assert strict.data == rows.data
