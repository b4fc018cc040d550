"""Benchmarks of the admin panel against stock SQLAdmin and raw SQL (see bench/README.md)."""
