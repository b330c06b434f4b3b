"""Normal-form games: payoff tensors, their solvers and the scenarios that build them."""
