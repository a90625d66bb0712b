"""Everything that adapts gongzhi to Kafka.

- ``contract``: the public event contract, what the events look like on Kafka;
- ``producing``: what every publisher shares (producer settings, topic creation,
  the table of positions published, the failure to be acknowledged);
- ``relay``: the outbox relay, publishing every stored event;
- ``feeder``: views fed from the topics, through the same handlers as from the log;
- ``ordering``: the messages of several partitions put back in store order for it;
- ``offsets``: what a group of projectors keeps in the views' database (offsets,
  dead letters, the applied versions);
- ``rebuild``: every view rebuilt from offset 0 of the topics.

It may import ``projections`` (the records of events and the views' handlers),
``infra.settings``, ``infra.database``, ``infra.progress`` and ``infra.viewstore``;
never ``domain`` (the contract maps stored records, not aggregates), ``api`` or
another adapter (``infra.audit``, ``infra.privacy``), which import it instead.
"""
