"""What the tests and the benchmarks share: a Kafka broker to start, a large store to
generate, API servers in processes of their own, and the environment of the processes
they start.

It imports the product's packages (``domain``, ``infra``) and never ``tests`` or
``benchmarks``, so that either can import it without importing the other.
"""
