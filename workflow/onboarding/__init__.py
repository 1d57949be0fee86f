"""Onboarding: a person joins (their unit by phone number, a staff invitation), chooses a
language, and is shown what they can do."""
