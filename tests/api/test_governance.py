"""Governance over HTTP: an association's assembly opens with a quorum, votes, elects its
officers for a term and passes the spending resolution that its fund's large disbursement
cites; the views show offices and resolutions. Refused commands record nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pytest

from domain.principals import PrincipalRole

if TYPE_CHECKING:
    from tests.conftest import Api

VILLAGE = "浙江省/金华市/金东区/澧浦镇/蒲塘村"


class Assembly:
    """A sage association of ``size`` members with a fund that needs a resolution above 1,000 yuan."""

    def __init__(self, api: Api, size: int = 6) -> None:
        self.api = api
        self.org = api.organisation("sage_association", "蒲塘村乡贤协会", VILLAGE)
        self.members = [api.member(self.org, category="sage") for _ in range(size)]
        body = {
            "organisation_id": self.org,
            "name": "乡贤基金",
            "purposes": ["elder_care", "culture"],
            "approvals_required": 1,
            "resolution_required_above_fen": 100_000,
        }
        self.fund = api.command("/funds", body, status=201)["id"]
        api.donate(self.fund, 5_000_000)

    def meeting(self, kind: str = "members_assembly", on: str = "2024-05-01") -> str:
        body = {"title": "2024年会员大会", "kind": kind, "scheduled_for": on}
        return self.api.command(f"/organisations/{self.org}/meetings", body, status=201)["id"]

    def opened(self, present: list[str] | None = None, on: str = "2024-05-01") -> str:
        meeting = self.meeting(on=on)
        self.api.command(
            f"/meetings/{meeting}/opening", {"present": self.members if present is None else present}
        )
        return meeting

    def motion(self, meeting: str, kind: str = "ordinary", **details: Any) -> str:
        body = {"title": "修缮祠堂", "text": "提议动用基金修缮祠堂", "kind": kind, **details}
        return self.api.command(f"/meetings/{meeting}/motions", body, status=201)["motion_id"]

    def vote(self, meeting: str, motion: str, person: str, **ballot: Any) -> dict[str, Any]:
        body = {"person_id": person, **ballot}
        return self.api.command(f"/meetings/{meeting}/motions/{motion}/votes", body, status=201)

    def close(self, meeting: str, motion: str) -> dict[str, Any]:
        return self.api.command(f"/meetings/{meeting}/motions/{motion}/closing")

    def carried(self, meeting: str, kind: str = "ordinary", **details: Any) -> str:
        motion = self.motion(meeting, kind, **details)
        for person in self.members:
            if kind == "election":
                self.vote(meeting, motion, person, candidates=details["election"]["candidates"])
            else:
                self.vote(meeting, motion, person, choice="yes")
        assert self.close(meeting, motion)["outcome"] == "passed"
        return motion

    def resolution(self, amount_fen: int = 1_000_000, purpose: str = "elder_care") -> str:
        spending = {"fund_id": self.fund, "amount_fen": amount_fen, "purpose": purpose}
        return self.carried(self.opened(), "spending", spending=spending)

    def request(self, amount_fen: int, **fields: Any) -> dict[str, Any]:
        body = {"amount_fen": amount_fen, "purpose": "elder_care", "payee": "居家养老服务中心", **fields}
        return self.api.command(f"/funds/{self.fund}/disbursements", body, status=201)


@pytest.fixture
def assembly(api: Api) -> Assembly:
    return Assembly(api)


def test_a_meeting_reads_back_with_its_motions_tallies_and_outcomes(api: Api, assembly: Assembly) -> None:
    meeting = assembly.opened(assembly.members[:4])
    motion = assembly.motion(meeting)
    for person, choice in zip(assembly.members[:4], ["yes", "yes", "yes", "no"], strict=True):
        assembly.vote(meeting, motion, person, choice=choice)
    closed = assembly.close(meeting, motion)
    assert (closed["outcome"], closed["tally"]) == ("passed", {"yes": 3, "no": 1, "abstain": 0, "present": 4})
    api.command(f"/meetings/{meeting}/closing", {"minutes": "通过修缮祠堂动议"})
    state = api.get(f"/meetings/{meeting}")
    assert (state["status"], state["quorate"], state["minutes"]) == ("closed", True, "通过修缮祠堂动议")
    assert state["electorate"] == sorted(assembly.members)
    assert state["present"] == assembly.members[:4]
    [shown] = state["motions"]
    assert (shown["id"], shown["status"], shown["votes"], shown["tally"]) == (
        motion,
        "passed",
        4,
        closed["tally"],
    )


def test_below_quorum_the_meeting_is_inquorate_and_takes_no_motions(api: Api, assembly: Assembly) -> None:
    meeting = assembly.opened(assembly.members[:3])
    assert api.get(f"/meetings/{meeting}")["status"] == "inquorate"
    body = {"title": "修缮祠堂", "text": "", "kind": "ordinary"}
    problem = api.refuses(f"/meetings/{meeting}/motions", body, status=409)
    assert problem["type"] == "/problems/meeting-inquorate"


def test_someone_outside_the_electorate_is_refused_by_name(api: Api, assembly: Assembly) -> None:
    meeting = assembly.meeting()
    stranger = api.person("外村人")
    problem = api.refuses(
        f"/meetings/{meeting}/opening", {"present": [stranger]}, status=422, field="present"
    )
    assert stranger in problem["detail"]


def test_only_those_present_vote_and_only_once(api: Api, assembly: Assembly) -> None:
    meeting = assembly.opened(assembly.members[:4])
    motion = assembly.motion(meeting)
    path = f"/meetings/{meeting}/motions/{motion}/votes"
    api.refuses(path, {"person_id": assembly.members[5], "choice": "yes"}, status=422, field="person_id")
    assembly.vote(meeting, motion, assembly.members[0], choice="yes")
    problem = api.refuses(path, {"person_id": assembly.members[0], "choice": "no"}, status=409)
    assert problem["type"] == "/problems/already-voted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "动议", "kind": "referendum"}, "kind"),
        ({"title": "", "kind": "ordinary"}, "title"),
        ({"title": "动议", "kind": "spending"}, "spending"),
        (
            {
                "title": "动议",
                "kind": "election",
                "election": {"office": "king", "seats": 1, "candidates": []},
            },
            None,
        ),
        ({"title": "动议", "kind": "ordinary", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_motion_is_refused_naming_the_field(
    api: Api, assembly: Assembly, body: dict[str, Any], field: str | None
) -> None:
    meeting = assembly.opened()
    problem = api.refuses(f"/meetings/{meeting}/motions", body, status=422, field=field)
    if field is None:
        fields = {error["field"] for error in problem["errors"]}
        assert {"election.office", "election.candidates"} <= fields


def test_a_meeting_does_not_close_while_a_motion_is_open(api: Api, assembly: Assembly) -> None:
    meeting = assembly.opened()
    assembly.motion(meeting)
    problem = api.refuses(f"/meetings/{meeting}/closing", {"minutes": "纪要"}, status=409)
    assert problem["type"] == "/problems/motions-open"


def test_the_assembly_elects_its_officers_and_the_offices_view_shows_their_terms(
    api: Api, assembly: Assembly
) -> None:
    chair, vice_chairs, secretary = assembly.members[0], assembly.members[1:3], assembly.members[3]
    meeting = assembly.opened()
    elections = [("chair", [chair]), ("vice_chair", vice_chairs), ("secretary", [secretary])]
    motions = {
        office: assembly.carried(
            meeting, "election", election={"office": office, "seats": len(people), "candidates": people}
        )
        for office, people in elections
    }
    closed = api.command(f"/meetings/{meeting}/closing", {"minutes": "选举产生会长、副会长、秘书长"})
    offices = api.read(
        f"/views/organisations/{assembly.org}/offices?min_position={closed['position']}"
    ).json()
    assert {(i["office"], i["person_id"], i["motion_id"]) for i in offices["items"]} == {
        (office, person, motions[office]) for office, people in elections for person in people
    }
    assert {(i["term_start"], i["term_end"], i["expired"]) for i in offices["items"]} == {
        ("2024-05-01", "2027-04-30", False)
    }
    roles = {m["person_id"]: m["role"] for m in api.get(f"/organisations/{assembly.org}")["members"]}
    assert [roles[p] for p in (chair, *vice_chairs, secretary)] == [
        "chair",
        "vice_chair",
        "vice_chair",
        "secretary",
    ]
    members = api.read(
        f"/views/organisations/{assembly.org}/members?min_position={closed['position']}"
    ).json()
    assert {m["person_id"]: m["role"] for m in members["items"]}[chair] == "chair"


def test_a_tie_for_the_last_seat_leaves_it_vacant(api: Api, assembly: Assembly) -> None:
    a, b, c = assembly.members[:3]
    meeting = assembly.opened()
    motion = assembly.motion(
        meeting, "election", election={"office": "vice_chair", "seats": 2, "candidates": [a, b, c]}
    )
    ballots = [[a, b], [a, b], [a, c], [a, c], [a, b], [a, c]]
    for person, ballot in zip(assembly.members, ballots, strict=True):
        assembly.vote(meeting, motion, person, candidates=ballot)
    closed = assembly.close(meeting, motion)
    assert (closed["elected"], closed["tally"]) == ([a], {a: 6, b: 3, c: 3})
    offices = api.read(
        f"/views/organisations/{assembly.org}/offices?min_position={closed['position']}"
    ).json()
    assert offices["vacant"] == {"vice_chair": 1}


def test_a_candidate_at_the_term_limit_is_refused(api: Api, assembly: Assembly) -> None:
    chair = assembly.members[0]
    election = {"office": "chair", "seats": 1, "candidates": [chair]}
    for year in ("2018", "2021"):
        assembly.carried(assembly.opened(on=f"{year}-05-01"), "election", election=election)
    meeting = assembly.opened(on="2024-05-01")
    body = {"title": "换届", "text": "", "kind": "election", "election": election}
    problem = api.refuses(f"/meetings/{meeting}/motions", body, status=409)
    assert problem["type"] == "/problems/term-limit-reached"


def test_the_offices_view_as_of_a_moment_shows_the_holders_then(api: Api, assembly: Assembly) -> None:
    first, second = assembly.members[:2]
    chair = {"office": "chair", "seats": 1}
    assembly.carried(assembly.opened(on="2021-05-01"), "election", election=chair | {"candidates": [first]})
    between = datetime.now(UTC).isoformat()
    assembly.carried(assembly.opened(on="2024-05-01"), "election", election=chair | {"candidates": [second]})
    now = api.read(f"/views/organisations/{assembly.org}/offices?min_position={api.store_head()}").json()
    then = api.client.get(
        f"/views/organisations/{assembly.org}/offices", params={"as_of": between}, headers=api.headers()
    ).json()
    assert [i["person_id"] for i in now["items"]] == [second]
    # the 2021 term ended in April 2024: expired then, and shown until the next election
    assert [(i["person_id"], i["term_end"], i["expired"]) for i in then["items"]] == [
        (first, "2024-04-30", True)
    ]


def test_rules_change_by_a_passed_special_motion_or_an_admin(api: Api, assembly: Assembly) -> None:
    officer = {"Authorization": f"Bearer {api.token('secretary', assembly.org)}"}
    path = f"/organisations/{assembly.org}/rules"
    api.refuses(path, {"term_months": 24}, status=403, field="motion_id", headers=officer)
    api.refuses(path, {"term_months": 0}, status=422, field="term_months")
    api.refuses(path, {"quorum": {"numerator": 1, "denominator": 2}}, status=422, field="quorum.inclusive")
    ordinary = assembly.carried(assembly.opened())
    problem = api.refuses(path, {"term_months": 24, "motion_id": ordinary}, status=409, headers=officer)
    assert problem["type"] == "/problems/resolution-required"
    special = assembly.carried(assembly.opened(), "special")
    api.command(path, {"term_months": 24, "motion_id": special}, headers=officer)
    api.command(path, {"quorum": {"numerator": 1, "denominator": 3, "inclusive": True}})
    meeting = assembly.opened(assembly.members[:2])
    assert api.get(f"/meetings/{meeting}")["rules"]["term_months"] == 24
    assert api.get(f"/meetings/{meeting}")["status"] == "open"


def test_a_large_disbursement_cites_a_spending_resolution_and_draws_on_it(
    api: Api, assembly: Assembly
) -> None:
    refused = api.refuses(
        f"/funds/{assembly.fund}/disbursements",
        {"amount_fen": 600_000, "purpose": "elder_care", "payee": "养老中心"},
        status=409,
    )
    assert refused["type"] == "/problems/resolution-required"
    resolution = assembly.resolution(1_000_000)
    first = assembly.request(600_000, resolution_id=resolution)["disbursement_id"]
    exhausted = api.refuses(
        f"/funds/{assembly.fund}/disbursements",
        {"amount_fen": 500_000, "purpose": "elder_care", "payee": "养老中心", "resolution_id": resolution},
        status=409,
    )
    assert exhausted["type"] == "/problems/resolution-required"
    assert "400000 fen left" in exhausted["detail"]
    second = assembly.request(300_000, resolution_id=resolution)["disbursement_id"]
    officer = api.officer("chair", assembly.fund)
    api.command(f"/funds/{assembly.fund}/disbursements/{first}/approvals", headers=officer)
    paid = api.command(f"/funds/{assembly.fund}/disbursements/{first}/payment", {})
    rejected = api.command(
        f"/funds/{assembly.fund}/disbursements/{second}/rejection",
        {"reason": "改由村集体承担"},
        headers=officer,
    )
    assert rejected["position"] > paid["position"]
    views = api.read(
        f"/views/organisations/{assembly.org}/resolutions?min_position={rejected['position']}"
    ).json()
    [shown] = [r for r in views["items"] if r["kind"] == "spending"]
    assert (shown["motion_id"], shown["amount_fen"], shown["reserved_fen"], shown["paid_fen"]) == (
        resolution,
        1_000_000,
        0,
        600_000,
    )
    assert (shown["remaining_fen"], shown["passed_on"], shown["tally"]["yes"]) == (400_000, "2024-05-01", 6)


@pytest.mark.parametrize("reason", ["unknown", "other purpose", "rejected"])
def test_a_resolution_that_does_not_cover_the_request_records_nothing(
    api: Api, assembly: Assembly, reason: str
) -> None:
    if reason == "unknown":
        cited = assembly.members[0]
    elif reason == "other purpose":
        cited = assembly.resolution(purpose="culture")
    else:
        meeting = assembly.opened()
        spending = {"fund_id": assembly.fund, "amount_fen": 1_000_000, "purpose": "elder_care"}
        cited = assembly.motion(meeting, "spending", spending=spending)
        for person in assembly.members:
            assembly.vote(meeting, cited, person, choice="no")
        assembly.close(meeting, cited)
    body = {"amount_fen": 600_000, "purpose": "elder_care", "payee": "养老中心", "resolution_id": cited}
    problem = api.refuses(f"/funds/{assembly.fund}/disbursements", body, status=409)
    assert problem["type"] == "/problems/resolution-required"


def test_a_repeated_vote_with_its_idempotency_key_is_answered_once(api: Api, assembly: Assembly) -> None:
    meeting = assembly.opened()
    motion = assembly.motion(meeting)
    key = {"Idempotency-Key": "show-of-hands-1"}
    body = {"person_id": assembly.members[0], "choice": "yes"}
    first = api.command(f"/meetings/{meeting}/motions/{motion}/votes", body, status=201, headers=key)
    again = api.post(f"/meetings/{meeting}/motions/{motion}/votes", body, headers=key)
    assert (again.status_code, again.json(), again.headers["Idempotent-Replayed"]) == (201, first, "true")


def test_a_request_that_reserves_a_resolution_is_idempotent_and_takes_if_match(
    api: Api, assembly: Assembly
) -> None:
    resolution = assembly.resolution()
    version = api.get(f"/funds/{assembly.fund}")["version"]
    body = {"amount_fen": 600_000, "purpose": "elder_care", "payee": "养老中心", "resolution_id": resolution}
    path = f"/funds/{assembly.fund}/disbursements"
    api.refuses(path, body, status=412, headers={"If-Match": f'"{version - 1}"'})
    key = {"Idempotency-Key": "elder-care-2024", "If-Match": f'"{version}"'}
    first = api.command(path, body, status=201, headers=key)
    again = api.post(path, body, headers=key)
    assert (again.status_code, again.json()) == (201, first)
    assert api.get(f"/funds/{assembly.fund}")["version"] == version + 1


def test_officers_of_another_organisation_do_not_reach_its_meetings(api: Api, assembly: Assembly) -> None:
    meeting = assembly.meeting()
    other = api.organisation(name="别的协会")
    outsider = {"Authorization": f"Bearer {api.token('outsider', other)}"}
    assert api.client.get(f"/meetings/{meeting}", headers=outsider).status_code == 404
    api.refuses(f"/meetings/{meeting}/opening", {"present": []}, status=404, headers=outsider)
    own = {"Authorization": f"Bearer {api.token('secretary', assembly.org)}"}
    api.command(f"/meetings/{meeting}/opening", {"present": assembly.members}, headers=own)
    dashboard = api.key("screen", PrincipalRole.DASHBOARD)
    assert (
        api.client.get(f"/views/organisations/{assembly.org}/resolutions", headers=dashboard).status_code
        == 200
    )
    assert api.client.get(f"/meetings/{meeting}", headers=dashboard).status_code == 403


def test_statistics_count_meetings_turnout_resolutions_and_vacancies(api: Api, assembly: Assembly) -> None:
    a, b, c = assembly.members[:3]
    meeting = assembly.opened(assembly.members[:4], on="2020-05-01")
    motion = assembly.motion(
        meeting, "election", election={"office": "vice_chair", "seats": 2, "candidates": [a, b, c]}
    )
    for person in assembly.members[:4]:
        assembly.vote(meeting, motion, person, candidates=[a])
    closed = assembly.close(meeting, motion)
    assembly.opened(assembly.members[:2])  # inquorate, held all the same
    path = f"/views/statistics?jurisdiction={VILLAGE}&min_position={api.store_head()}"
    statistics = api.read(path).json()
    figures = statistics["figures"]
    assert closed["elected"] == [a]
    assert (figures["meetings.held"], statistics["averages"]["meetings.turnout_percent"]) == (2, 50.0)
    assert (figures["resolutions.passed"], figures["offices.vacant"], figures["offices.expired"]) == (1, 1, 1)
    # elected in 2020 for 36 months: expired, and shown so until the next election


def test_a_key_bound_to_a_person_acts_as_them_and_approves_only_in_office(
    api: Api, assembly: Assembly
) -> None:
    treasurer, chair = assembly.members[:2]
    today = date.today().isoformat()
    assembly.carried(
        assembly.opened(on=today),
        "election",
        election={"office": "treasurer", "seats": 1, "candidates": [treasurer]},
    )

    def bound(name: str, person: str) -> dict[str, str]:
        return api.key(name, PrincipalRole.OFFICER, organisations=[assembly.org], person=person)

    body = {"amount_fen": 50_000, "purpose": "elder_care", "payee": "养老中心"}
    requested = api.command(
        f"/funds/{assembly.fund}/disbursements", body, status=201, headers=bound("t1", treasurer)
    )
    approvals = f"/funds/{assembly.fund}/disbursements/{requested['disbursement_id']}/approvals"
    problem = api.refuses(approvals, status=409, headers=bound("t2", treasurer))
    assert problem["type"] == "/problems/self-approval"
    problem = api.refuses(approvals, status=409, headers=bound("c1", chair))
    assert problem["type"] == "/problems/not-in-office"
    assembly.carried(
        assembly.opened(on=today), "election", election={"office": "chair", "seats": 1, "candidates": [chair]}
    )
    api.command(approvals, headers=bound("c2", chair))
    [shown] = api.get(f"/funds/{assembly.fund}")["disbursements"]
    assert (shown["requested_by"], shown["approvals"], shown["status"]) == (treasurer, [chair], "approved")
    history = api.read(f"/audit/streams/{assembly.fund}/events").json()["items"]
    assert history[-1]["actor"] == "c2"


def test_a_meetings_history_and_past_state_are_on_the_audit_trail(api: Api, assembly: Assembly) -> None:
    meeting = assembly.opened()
    motion = assembly.motion(meeting)
    opened_version = api.get(f"/meetings/{meeting}")["version"] - 1
    history = api.read(f"/audit/streams/{meeting}/events").json()
    assert [item["type"] for item in history["items"]] == [
        "Meeting.Scheduled",
        "Meeting.Opened",
        "Meeting.MotionProposed",
    ]
    assert all(item["hash"] for item in history["items"])
    past = api.read(f"/audit/streams/{meeting}/state?version={opened_version}").json()
    assert (past["aggregate_type"], past["state"]["status"], past["state"]["motions"]) == (
        "meeting",
        "open",
        [],
    )
    assert motion
    verified = api.read("/audit/verify").json()
    assert verified["status"] == "ok", verified


def test_a_committees_electorate_is_the_office_holders_on_its_date(api: Api, assembly: Assembly) -> None:
    standing = assembly.members[:3]
    election = {"office": "standing_member", "seats": 3, "candidates": standing}
    assembly.carried(assembly.opened(on="2024-05-01"), "election", election=election)
    body = {"title": "常务委员会", "kind": "committee", "scheduled_for": "2024-06-01"}
    committee = api.command(f"/organisations/{assembly.org}/meetings", body, status=201)["id"]
    api.refuses(
        f"/meetings/{committee}/opening", {"present": assembly.members[3:5]}, status=422, field="present"
    )
    api.command(f"/meetings/{committee}/opening", {"present": standing[:2]})
    state = api.get(f"/meetings/{committee}")
    assert (state["electorate"], state["status"]) == (sorted(standing), "open")
