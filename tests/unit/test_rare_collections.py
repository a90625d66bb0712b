"""While projectors poll or a rebuild runs, the cyclic collector runs rarely; once none does, as before."""

from __future__ import annotations

import gc
import threading

from infra.gc_tuning import RARE_THRESHOLDS, rare_collections


def test_the_thresholds_come_back_once_the_last_projector_stops_polling() -> None:
    before = gc.get_threshold()
    first, second = rare_collections(), rare_collections()
    first.__enter__()
    rare = gc.get_threshold()
    second.__enter__()
    first.__exit__(None, None, None)  # they need not finish in the order they began

    assert rare != before
    assert gc.get_threshold() == rare
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_projectors_polling_on_threads_of_their_own_leave_the_thresholds_as_they_were() -> None:
    before = gc.get_threshold()

    def poll() -> None:
        for _ in range(2_000):
            with rare_collections():
                pass

    threads = [threading.Thread(target=poll) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert gc.get_threshold() == before


def test_a_rebuild_sets_apart_what_it_starts_with_and_gives_it_back() -> None:
    before = gc.get_freeze_count()

    with rare_collections(freeze=True):
        assert gc.get_freeze_count() > before
        assert gc.get_threshold() == RARE_THRESHOLDS

    assert gc.get_freeze_count() == before
