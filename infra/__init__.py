"""Adapters: what connects the domain and the views to the world.

A room an adapter: ``store`` (the event store), ``viewstore`` (the views' SQL),
``kafka`` (the relay, the contract and the Kafka-fed projectors), ``audit``
(tamper evidence and the auditors' reads), ``privacy`` (sealed personal data).
Beside them: settings, the general database handle, API keys, the status figures,
wiring the views, demo data and small helpers (background threads, collector
tuning, progress). ``docs/architecture.md`` says what each may import.
"""
