"""Analyses over solved scenarios: concepts compared, blockers, explanations, backtests, tipping."""
