"""Infinitely repeated games: a normal-form stage game played every round, discounted per player."""
