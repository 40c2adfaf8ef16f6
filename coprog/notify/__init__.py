"""E-mail: an outbox written in the same transaction as the change, and a sender that drains it."""
