"""Use-cases of the tables, one module per part of the work (planning, registrations,
check-in, minutes, figures); `access` says on whose behalf a user registers people.
A package rather than one services.py: the domain has five independent parts."""
