"""Several `gongzhi` processes on one store keep one set of views, each event in them once.

Two API servers (`gongzhi serve`, real processes on loopback ports) share a store:
one SQLite data directory, or one PostgreSQL schema. Eight connections, half to each
server, send 300 donations of 1-7 fen to one fund, each with an ``Idempotency-Key``
of its own and sent again on a concurrency conflict, among admissions to the
fund's organisation and project proposals. Then, on both servers:

(a) every view, read at the highest position any command returned, shows what the
    aggregates show (``GET /funds/{id}`` and ``GET /organisations/{id}``, folded
    from the events themselves): the fund's totals, the statistics, the members,
    the projects;
(b) once every view is at the store's head (``/views/status``), its tables hold
    exactly the rows a rebuild from the store makes (see ``tests.processes.tables``).

The views are kept by the servers themselves (the embedded default), by two
`gongzhi project` processes beside servers that keep none, or, in the crash test,
by whichever server survives ``kill -9`` of the one applying them.

The PostgreSQL variants fail, never skip, when the server is not there (as every
PostgreSQL test here does).
"""

from __future__ import annotations

import pytest

from infra.settings import Settings
from tests.processes.checks import aggregates, applier, caught_up, recorded_once, views_match
from tests.processes.running import Processes, Server
from tests.processes.story import Scene, Traffic, open_fund, workload
from tests.processes.tables import compare_with_rebuild

DONATIONS = 300
ADMISSIONS = 8
PROPOSALS = 2
CONNECTIONS = 8
CATCH_UP_SECONDS = 15


def settled(settings: Settings, servers: list[Server], scene: Scene, target: str) -> list[str]:
    """Everything the servers' views show wrong, once the commands are in: (a), then (b)."""
    fund, organisation = aggregates(servers[0], scene)
    wrong = recorded_once(fund, organisation, scene)
    for server in servers:
        wrong += views_match(server, scene, fund, organisation)
    behind = [problem for server in servers for problem in caught_up(server, CATCH_UP_SECONDS)]
    return wrong + (behind or compare_with_rebuild(settings, target))


@pytest.mark.parametrize("projectors", [0, 2], ids=["views-in-serve", "views-in-project"])
def test_two_servers_show_each_command_once_in_every_view(
    settings: Settings, processes: Processes, rebuild_target: str, projectors: int
) -> None:
    """The servers keep the views themselves, each applying batches as the other does;
    or two `gongzhi project` processes keep them for servers that keep none."""
    servers = processes.servers(2, projections_in_process=not projectors)
    processes.projectors(projectors)
    scene = open_fund(servers)

    with Traffic(workload(scene, DONATIONS, ADMISSIONS, PROPOSALS), servers, CONNECTIONS):
        pass

    wrong = settled(settings, servers, scene, rebuild_target)
    assert not wrong, "\n".join(wrong)


def test_the_survivor_of_the_killed_applier_brings_every_view_up_to_date(
    settings: Settings, processes: Processes, rebuild_target: str
) -> None:
    """Half-way through the donations, ``kill -9`` of the server that applies the views
    (its ``/views/status`` says ``applying_here``; the first started when no status
    says). Its connections send their commands on to the survivor (a command the dead
    process recorded is only replayed, by its key); then more commands go to the
    survivor, whose views must reach the head within ``CATCH_UP_SECONDS``."""
    servers = processes.servers(2)
    scene = open_fund(servers)
    jobs = workload(scene, DONATIONS, ADMISSIONS, PROPOSALS)

    with Traffic(jobs, servers, CONNECTIONS) as traffic:
        traffic.wait_for(len(jobs) // 2)
        victim = applier(servers)
        assert traffic.done < len(jobs), "every command was in before the kill"
        victim.kill()
    survivors = [server for server in servers if server.alive]
    assert len(survivors) == 1
    with Traffic(workload(scene, 30, 2, 1, seed=8), survivors, 2):
        pass

    wrong = settled(settings, survivors, scene, rebuild_target)
    assert not wrong, "\n".join(wrong)
