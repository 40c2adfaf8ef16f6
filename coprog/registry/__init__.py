"""RUNTS mirror: the Ministry's list of registered entities, its import, lookup and the
eligibility rules of an art. 55 notice (pure functions)."""
