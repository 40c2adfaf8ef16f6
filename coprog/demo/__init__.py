"""Demo data: the AUSL di Bologna 2025 co-programming procedure (seed 002), fictional people."""
