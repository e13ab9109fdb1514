"""Peer allocators the benchmark measures the CP-SAT solver against."""
