"""Scores to the LMS gradebook through AGS, via an outbox that survives outages and restarts."""
