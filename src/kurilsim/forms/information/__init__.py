"""Game trees with information sets: imperfect information, chance and outcomes anywhere."""
