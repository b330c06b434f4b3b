"""The shared core: errors, expressions, parameters, evidence, outcome rules and tables.

Nothing here knows a particular game form; every form builds on it.
"""
