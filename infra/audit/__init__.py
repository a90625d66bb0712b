"""Tamper evidence and the auditors' reads: a hash chain per stream written with the
events, signed checkpoints over the log (sealed, and published to Kafka when it is
configured), verification and export, each stream's history and past states, and
views as they stood at a moment.

It may import ``domain``, ``projections``, ``infra.settings``, ``infra.viewstore``
(past views and point-in-time builds) and ``infra.kafka`` (publishing checkpoints);
the event store imports its chain writer, never the reverse.
"""
