"""The event store: the application built on SQLite or PostgreSQL (``application``),
its recorders (events with idempotency keys, audit hashes and person keys in one
transaction), group commit, aggregate locks across processes, reading the log
straight into event records, the orjson transcoder and the setup lock.

It may import ``domain``, ``projections.events`` (the records it reads into),
``infra.settings``, ``infra.audit`` (the hash chain written with the events) and
``infra.privacy`` (the person keys and the sealing mapper); nothing of the API,
the views or Kafka.
"""
