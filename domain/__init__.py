"""The co-governance domain: aggregates, their rules, and the application service."""
