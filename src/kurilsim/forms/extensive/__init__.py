"""Game trees of perfect information with chance moves: backward induction and Gambit .efg files."""
