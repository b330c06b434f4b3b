"""Bargaining problems: Nash, Kalai-Smorodinsky and Rubinstein solutions, with ratification."""
