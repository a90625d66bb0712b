"""Someone with write access to the database edits recorded events in SQL; verification
names the first position that fails and how."""

from __future__ import annotations

import pytest

from domain.fund import Fund
from infra.audit.chain import event_hash, stream_key
from infra.audit.report import Kind, Report
from infra.settings import Settings
from tests.audit.tampering import Tamperer, audit, audit_settings, auditor_api, seal, village_story
from tests.conftest import Api, serving

__all__ = ["audit_settings", "auditor_api"]  # fixtures


def fails(report: Report, kind: Kind, position: int) -> None:
    assert report.failure is not None, report
    assert (report.failure.kind, report.failure.position) == (kind, position), report.failure


def test_an_untouched_store_verifies_ok_and_sealed_to_its_head(auditor_api: Api) -> None:
    village_story(auditor_api)
    seal(auditor_api)
    report = audit(auditor_api)
    assert report.ok, report.failure
    head = auditor_api.store_head()
    assert (report.from_position, report.to_position, report.sealed_up_to, report.events) == (
        1,
        head,
        head,
        head,
    )


def test_a_donation_whose_amount_was_changed_is_modified_at_its_position(
    auditor_api: Api, audit_settings: Settings
) -> None:
    story = village_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    second_donation = dba.positions(story.fund)[2]
    state = dba.event(second_donation)[3]
    assert b'"amount_fen":120000' in state
    dba.set_state(second_donation, state.replace(b'"amount_fen":120000', b'"amount_fen":920000'))

    report = audit(auditor_api)

    fails(report, Kind.MODIFIED, second_donation)
    assert report.failure is not None and report.failure.aggregate_id == story.fund
    assert report.failure.version == 3


def test_an_event_deleted_from_the_middle_of_a_stream_is_missing(
    auditor_api: Api, audit_settings: Settings
) -> None:
    story = village_story(auditor_api)
    dba = Tamperer(audit_settings)
    middle = dba.positions(story.fund)[2]
    dba.delete_events(middle)

    fails(audit(auditor_api), Kind.MISSING, middle)


def test_the_newest_events_of_a_stream_deleted_are_truncated(
    auditor_api: Api, audit_settings: Settings
) -> None:
    story = village_story(auditor_api)
    dba = Tamperer(audit_settings)
    newest = dba.positions(story.fund)[-2:]
    dba.delete_events(*newest)

    report = audit(auditor_api)

    fails(report, Kind.TRUNCATED, newest[0])
    assert report.failure is not None and report.failure.aggregate_id == story.fund


def test_newest_events_deleted_with_their_hashes_are_missing_from_the_sealed_history(
    auditor_api: Api, audit_settings: Settings
) -> None:
    story = village_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    newest = dba.positions(story.fund)[-2:]
    dba.delete_events(*newest)
    dba.delete_hashes(*newest)

    fails(audit(auditor_api), Kind.MISSING, newest[0])


def test_the_last_events_of_the_log_deleted_with_their_hashes_are_truncated(
    auditor_api: Api, audit_settings: Settings
) -> None:
    story = village_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    last = dba.positions(story.late_person)
    dba.delete_events(*last)
    dba.delete_hashes(*last)

    fails(audit(auditor_api), Kind.TRUNCATED, last[0])


def test_two_events_whose_versions_were_swapped_are_reordered(
    auditor_api: Api, audit_settings: Settings
) -> None:
    story = village_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    positions = dba.positions(story.organisation)
    dba.swap_versions(story.organisation, 2, 3)

    fails(audit(auditor_api), Kind.REORDERED, positions[1])


def test_a_forged_donation_without_a_hash_is_inserted(auditor_api: Api, audit_settings: Settings) -> None:
    story = village_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    fund_id, version, topic, state = dba.event(dba.positions(story.fund)[-1])
    forged_at = dba.head() + 1
    dba.insert_event(forged_at, fund_id, version + 1, topic, state.replace(b"30000", b"99999"))

    fails(audit(auditor_api), Kind.INSERTED, forged_at)


def test_a_forged_donation_with_a_recomputed_hash_slipped_into_sealed_history_is_inserted(
    auditor_api: Api, audit_settings: Settings
) -> None:
    story = village_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    fund_id, version, topic, state = dba.event(dba.positions(story.fund)[-1])
    forged = state.replace(b"30000", b"99999")
    digest = event_hash(dba.stored_hash(fund_id, version), stream_key(fund_id), version + 1, topic, forged)
    free_sealed_position = 0  # every position from 1 to the head holds an event
    dba.insert_event(free_sealed_position, fund_id, version + 1, topic, forged)
    dba.insert_hash(fund_id, version + 1, free_sealed_position, digest)

    report = audit(auditor_api)

    fails(report, Kind.INSERTED, free_sealed_position)
    assert report.failure is not None and "no checkpoint sealed" in report.failure.detail


def test_a_forgery_with_a_recomputed_hash_after_the_last_checkpoint_is_reported_as_not_sealed(
    auditor_api: Api, audit_settings: Settings
) -> None:
    """What verification cannot prove: events after the last checkpoint."""
    story = village_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    fund_id, version, topic, state = dba.event(dba.positions(story.fund)[-1])
    digest = event_hash(dba.stored_hash(fund_id, version), stream_key(fund_id), version + 1, topic, state)
    forged_at = dba.head() + 1
    dba.insert_event(forged_at, fund_id, version + 1, topic, state)
    dba.insert_hash(fund_id, version + 1, forged_at, digest)

    report = audit(auditor_api)

    assert report.ok
    assert report.to_position == forged_at
    assert report.sealed_up_to == forged_at - 1


def test_a_person_whose_every_event_was_deleted_is_missing(
    auditor_api: Api, audit_settings: Settings
) -> None:
    story = village_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    person = dba.positions(story.members[1])
    dba.delete_events(*person)

    report = audit(auditor_api)

    fails(report, Kind.MISSING, person[0])
    assert report.failure is not None and report.failure.aggregate_id == story.members[1]


def test_a_stream_deleted_with_its_hashes_is_missing_from_the_sealed_history(
    auditor_api: Api, audit_settings: Settings
) -> None:
    story = village_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    person = dba.positions(story.members[1])
    dba.delete_events(*person)
    dba.delete_hashes(*person)

    fails(audit(auditor_api), Kind.MISSING, person[0])


def test_a_checkpoint_edited_in_the_database_has_a_bad_signature(
    auditor_api: Api, audit_settings: Settings
) -> None:
    village_story(auditor_api)
    checkpoints = seal(auditor_api)
    dba = Tamperer(audit_settings)
    second = checkpoints[1].position
    dba.sql("UPDATE {checkpoints} SET event_count = event_count + 1 WHERE position = ?", (second,))

    fails(audit(auditor_api), Kind.BAD_SIGNATURE, second)


def test_a_deleted_checkpoint_is_missing(auditor_api: Api, audit_settings: Settings) -> None:
    village_story(auditor_api)
    checkpoints = seal(auditor_api)
    Tamperer(audit_settings).sql("DELETE FROM {checkpoints} WHERE position = ?", (checkpoints[1].position,))

    fails(audit(auditor_api), Kind.MISSING, checkpoints[2].position)


def test_one_stream_is_checked_on_its_own(auditor_api: Api, audit_settings: Settings) -> None:
    from infra.audit.tables import audit_tables
    from infra.audit.verify import verify_stream

    story = village_story(auditor_api)
    tables = audit_tables(auditor_api.client.app.state.application.recorder)
    assert verify_stream(tables, story.fund).ok
    dba = Tamperer(audit_settings)
    middle = dba.positions(story.fund)[2]
    dba.delete_events(middle)

    report = verify_stream(tables, story.fund)

    fails(report, Kind.MISSING, middle)
    assert verify_stream(tables, story.organisation).ok


def test_events_recorded_after_a_restart_chain_onto_the_streams_recorded_before(
    audit_settings: Settings,
) -> None:
    with serving(audit_settings) as api:
        story = village_story(api)
    with serving(audit_settings) as restarted:  # no stream heads in memory: read from the store
        restarted.donate(story.fund, 66_600)
        restarted.member(story.organisation)
        seal(restarted)
        report = audit(restarted)
        assert report.ok, report.failure
        assert report.sealed_up_to == restarted.store_head()


def test_events_stored_before_an_event_class_was_upcast_to_a_new_version_still_verify(
    auditor_api: Api, audit_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = village_story(auditor_api)  # donations stored at class version 1
    seal(auditor_api)
    # Version 2 of the event keeps donors' names without surrounding spaces; the
    # upcaster brings version 1 events to that form when they are read.
    monkeypatch.setattr(Fund.DonationReceived, "class_version", 2, raising=False)
    monkeypatch.setattr(
        Fund.DonationReceived,
        "upcast_v1_v2",
        staticmethod(lambda state: state.update(donor_name=(state["donor_name"] or "").strip() or None)),
        raising=False,
    )
    auditor_api.donate(story.fund, 1_000, donor_name="王女士")  # stored at class version 2
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    stored = [dba.event(position)[3] for position in dba.positions(story.fund)]
    assert b'"class_version":2' in stored[-1] and b'"class_version"' not in stored[1]

    report = audit(auditor_api)

    assert report.ok, report.failure
    assert report.sealed_up_to == auditor_api.store_head()
    fund = auditor_api.get(f"/funds/{story.fund}")
    assert fund["donated_fen"] == 50_000 + 120_000 + 8_800 + 30_000 + 1_000


@pytest.mark.parametrize("batch_size", [1, 2, 3])
def test_a_walk_in_small_batches_chains_every_stream_across_them_and_still_finds_a_change(
    auditor_api: Api, audit_settings: Settings, batch_size: int
) -> None:
    story = village_story(auditor_api)
    seal(auditor_api)
    assert audit(auditor_api, batch_size=batch_size).ok

    dba = Tamperer(audit_settings)
    last_donation = dba.positions(story.fund)[-1]
    state = dba.event(last_donation)[3]
    dba.set_state(last_donation, state.replace(b'"amount_fen":30000', b'"amount_fen":90000'))

    fails(audit(auditor_api, batch_size=batch_size), Kind.MODIFIED, last_donation)
