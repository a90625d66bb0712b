"""The view store: the SQL behind the views, in the event store's own database.

Each view's tables exist in generations (``generations``); a batch
(``batch``) changes rows through units of work (``tables``), remembered between
batches (``cache``) and written as statements (``statements``), together with
the views' positions (``positions``) in one transaction. The log follower and the
rebuilds are in ``runner``, reads for the API in ``queries`` and ``sources``.

It may import ``projections`` (the handlers it runs), ``infra.database`` and
``infra.gc_tuning``/``infra.background``; never the API, Kafka or the event store's
recorders (it reads the log through the library's recorder interface).
"""
