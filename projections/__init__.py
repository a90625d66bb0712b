"""Read-model projections (pure handlers of domain events)."""
