"""Tamper evidence: a hash chain per stream, signed checkpoints over the log, verification and export."""
