"""Complaints: a resident's complaint, routed to a department, and its replies."""
