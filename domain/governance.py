"""The governance commands: rules, meetings, motions, votes, and the resolutions that
offices and large disbursements trace back to. A command that changes a meeting and
the organisation (an election's handover) or a meeting and a fund (a reservation of a
resolution) saves both in one transaction (``CommandService._update_together``)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.commanding import CommandService
from domain.context import CommandResult, current_context
from domain.errors import InvalidValue, NotFound, ResolutionRequired, VersionMismatch
from domain.fund import Fund
from domain.governance_rules import GovernanceRules
from domain.meeting import Meeting, MeetingKind, Motion, MotionKind, MotionStatus
from domain.offices import Office, term_end
from domain.organisation import Organisation
from domain.values import choice, iso_date


class GovernanceCommands(CommandService):
    # Rules

    def change_rules(
        self, organisation_id: UUID, rules: dict[str, Any], motion_id: UUID | None = None
    ) -> CommandResult:
        """Changes the rules named (the others stay), by the special motion ``motion_id``
        passed at one of the organisation's meetings (the API lets an admin give none)."""
        GovernanceRules.from_dict(rules)

        def change(org: Organisation) -> None:
            if motion_id is not None:
                self._passed(org, str(motion_id), MotionKind.SPECIAL)
            merged = GovernanceRules.from_dict({**org.rules, **rules})
            org.change_rules(merged, str(motion_id) if motion_id is not None else None)

        return self._update(Organisation, organisation_id, change)

    def _passed(self, org: Organisation, motion_id: str, kind: str) -> tuple[Meeting, Motion]:
        """A passed motion of this kind at one of the organisation's meetings."""
        meeting_id = org.resolutions.get(motion_id)
        if meeting_id is None:
            raise ResolutionRequired(f"No passed motion {motion_id} of organisation {org.id}")
        meeting = self.read(Meeting, UUID(meeting_id))
        return meeting, meeting.resolution(motion_id, kind)

    # Meetings

    def schedule_meeting(
        self, organisation_id: UUID, title: str, kind: str, scheduled_for: date | str | None = None
    ) -> CommandResult:
        day = iso_date("scheduled_for", scheduled_for, date.today())

        def build() -> Meeting:
            org = self.read(Organisation, organisation_id)
            expected = current_context().expected_version  # If-Match names the organisation's
            if expected is not None and expected != org.version:
                raise VersionMismatch(expected, org.version)
            org.require_active()
            return Meeting.schedule(str(org.id), title, kind, day)

        return self._create(build)

    def open_meeting(self, meeting_id: UUID, present: list[UUID]) -> CommandResult:
        """Freezes the electorate: a members' assembly's is the active members, a
        committee's the current office holders."""

        def change(meeting: Meeting) -> None:
            org = self.read(Organisation, UUID(meeting.organisation_id))
            if meeting.kind == MeetingKind.MEMBERS_ASSEMBLY:
                electorate = list(org.members)
            else:
                electorate = org.office_holders(meeting.scheduled_for)
            meeting.open(electorate, [str(p) for p in present], org.governance_rules)

        return self._update(Meeting, meeting_id, change)

    def propose_motion(
        self,
        meeting_id: UUID,
        title: str,
        text: str,
        kind: str,
        spending: dict[str, Any] | None = None,
        election: dict[str, Any] | None = None,
    ) -> CommandResult:
        """``spending``: fund_id, amount_fen, purpose; ``election``: office, seats, candidates."""
        motion_id = str(uuid4())
        spent = _spending(spending) if spending is not None else None
        elects = _election(election) if election is not None else None

        def change(meeting: Meeting) -> dict[str, Any]:
            org = self.read(Organisation, UUID(meeting.organisation_id))
            if spent is not None:
                self._require_fund_of(org, spent)
            if elects is not None:
                choice(Office, "election.office", elects["office"])
                org.require_eligible(elects["office"], elects["candidates"])
            meeting.propose(motion_id, title, text, kind, spent, elects)
            return {"motion_id": motion_id}

        return self._update(Meeting, meeting_id, change)

    def _require_fund_of(self, org: Organisation, spending: dict[str, Any]) -> None:
        try:
            fund = self.read(Fund, UUID(spending["fund_id"]))
        except NotFound:
            fund = None
        if fund is None or fund.organisation_id != str(org.id):
            raise InvalidValue("spending.fund_id", f"no fund {spending['fund_id']} of the organisation")
        if spending["purpose"] not in fund.purposes:
            raise InvalidValue("spending.purpose", f"{spending['purpose']!r} is not one of {fund.purposes}")

    def cast_vote(
        self,
        meeting_id: UUID,
        motion_id: UUID,
        person_id: UUID,
        vote_choice: str | None = None,
        candidates: list[UUID] | None = None,
    ) -> CommandResult:
        chosen = [str(c) for c in candidates] if candidates is not None else None
        return self._update(
            Meeting, meeting_id, lambda m: m.vote(str(motion_id), str(person_id), vote_choice, chosen)
        )

    def close_motion(self, meeting_id: UUID, motion_id: UUID) -> CommandResult:
        """Counts and records the outcome; a passed motion is a resolution of the organisation,
        and a passed election hands its office over, in the same transaction."""
        organisation_id = UUID(self.read(Meeting, meeting_id).organisation_id)

        def change(org: Organisation, meeting: Meeting) -> dict[str, Any]:
            outcome = meeting.close_motion(str(motion_id))
            if outcome["outcome"] == MotionStatus.PASSED:
                motion = meeting.motions[str(motion_id)]
                org.record_resolution(motion.id, str(meeting.id), motion.kind)
                if motion.election is not None:
                    start = meeting.scheduled_for
                    end = term_end(start, org.governance_rules.term_months)
                    office, seats = motion.election["office"], motion.election["seats"]
                    org.hand_over(office, seats, outcome["elected"], start, end, motion.id)
            return outcome

        return self._update_together([(Organisation, organisation_id), (Meeting, meeting_id)], change)

    def close_meeting(self, meeting_id: UUID, minutes: str) -> CommandResult:
        return self._update(Meeting, meeting_id, lambda m: m.close(minutes))

    # Disbursements that cite a resolution

    def _request_citing(
        self,
        fund_id: UUID,
        resolution_id: UUID,
        request: dict[str, Any],
    ) -> CommandResult:
        """Requests a disbursement and reserves its amount of the resolution, together."""
        meeting_id = self._meeting_of(fund_id, str(resolution_id))

        def change(meeting: Meeting, fund: Fund) -> dict[str, Any]:
            fund.request_disbursement(resolution_id=str(resolution_id), **request)
            meeting.reserve(
                str(resolution_id),
                str(fund.id),
                request["purpose"],
                request["disbursement_id"],
                request["amount_fen"],
            )
            return {"disbursement_id": request["disbursement_id"]}

        return self._update_together([(Meeting, meeting_id), (Fund, fund_id)], change)

    def _reject_releasing(
        self, fund_id: UUID, disbursement_id: str, resolution_id: str, reason: str, actor: str
    ) -> CommandResult:
        meeting_id = self._meeting_of(fund_id, resolution_id)

        def change(meeting: Meeting, fund: Fund) -> None:
            fund.reject_disbursement(disbursement_id, reason, actor)
            meeting.release(resolution_id, disbursement_id)

        return self._update_together([(Meeting, meeting_id), (Fund, fund_id)], change)

    def _meeting_of(self, fund_id: UUID, resolution_id: str) -> UUID:
        """The meeting that passed the resolution, among the fund's organisation's."""
        fund = self.read(Fund, fund_id)
        org = self.read(Organisation, UUID(fund.organisation_id))
        meeting_id = org.resolutions.get(resolution_id)
        if meeting_id is None:
            raise ResolutionRequired(f"No passed resolution {resolution_id} of the fund's organisation")
        return UUID(meeting_id)

    def set_resolution_limit(self, fund_id: UUID, amount_fen: int | None) -> CommandResult:
        return self._update(Fund, fund_id, lambda f: f.require_resolutions_above(amount_fen))


def _spending(spending: dict[str, Any]) -> dict[str, Any]:
    return {
        "fund_id": str(spending["fund_id"]),
        "amount_fen": spending["amount_fen"],
        "purpose": spending["purpose"],
    }


def _election(election: dict[str, Any]) -> dict[str, Any]:
    return {
        "office": str(election["office"]),
        "seats": election["seats"],
        "candidates": [str(c) for c in election["candidates"]],
    }
