"""Surveys: a resident rates a closed ticket, the desk calls back about a poor rating."""
