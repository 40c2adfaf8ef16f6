"""The actors known to the platform: who can take part, contribute and collaborate.

An actor is an ETS (an organisation), a co-opted subject named in an application, a body
invited through a sub-procedure, or another subject named by staff or at a table (a public
service such as a Comune's social services, a CSM). The tables' minutes (Part 2: who can
contribute) and the resource mapping (contributions, collaborations, the network) point to
actors, so that one subject is one node whatever the path it came through.
"""
