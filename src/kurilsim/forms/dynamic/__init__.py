"""Dynamic games with state: stage games linked by transitions; Markov perfect equilibria."""
