"""Repairs: the report, dispatch to a technician or a responsible unit, the work on site,
the repair form's signatures, and one fault's many callers."""
