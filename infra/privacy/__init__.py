"""Personal details encrypted at rest, and erased by destroying their key (crypto-shredding).

Each person has a data key of their own (AES-256-GCM). The mapper encrypts the
person's ``Person.PERSONAL_DETAILS`` in every event it stores, so the events,
their hash chain, exports and Kafka messages hold only ciphertext. The data keys
live apart from the events in ``person_keys``, in the store's database, each
wrapped with the master key from the settings. Erasing a person deletes the
row in the transaction that records ``Person.Erased``: from then on those
details cannot be decrypted anywhere, while the stored bytes (and so the audit
chain over them) stay as they were.

It may import ``domain`` (the person's events), ``projections.events`` and
``infra.settings``; the event store composes its mapper and key table.
"""
