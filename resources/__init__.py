"""Dagster resources: where artifacts live, how batches are parsed, which document is processed."""
