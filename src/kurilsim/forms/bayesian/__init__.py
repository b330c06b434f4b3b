"""Games of incomplete information: Bayesian games, signalling and perfect Bayesian equilibrium."""
