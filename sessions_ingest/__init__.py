"""Streaming readers the dbt models use for the input files (see `records`)."""
