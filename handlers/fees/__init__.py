"""Fees (收費管理): bills, payments, the daily close and the monthly statement."""
