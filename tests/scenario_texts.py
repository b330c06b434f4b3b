"""Scenario texts shared by tests: a small valid scenario and ways to break it."""

STAG_HUNT = """\
kurilsim: 1
title: Stag hunt with a parameter
era: textbook
sources:
  - id: R1755
    title: Discourse on the Origin of Inequality
    author: Jean-Jacques Rousseau
parameters:
  stag:
    default: 4
    range: [2, 10]
    unit: meals
    description: value of a shared stag
    assumption: textbook illustration
  hare:
    default: 1
    range: [0, 3]
    unit: meals
    description: value of a hare caught alone
    evidence: [E01]
players:
  A: [stag, hare]
  B: [stag, hare]
outcomes:
  both_stag:
    description: both hunt the stag
    rules:
      - when: {A: stag, B: stag}
        value: 1
  a_hare:
    description: A hunts hare
    rules:
      - when: {A: hare}
        value: 1
  b_hare:
    description: B hunts hare
    rules:
      - when: {B: [hare]}
        value: 1
payoffs:
  A: stag * both_stag + hare * a_hare
  B: stag * both_stag + hare * b_hare
"""

PRISONERS_TABLE = """\
kurilsim: 1
title: Prisoner's dilemma
players:
  Row: [Cooperate, Defect]
  Column: [Cooperate, Defect]
payoff_table:
  - {profile: [Cooperate, Cooperate], payoffs: [3, 3]}
  - {profile: [Cooperate, Defect], payoffs: [0, 5]}
  - {profile: [Defect, Cooperate], payoffs: [5, 0]}
  - {profile: [Defect, Defect], payoffs: [1, 1]}
"""

# A bargaining scenario: two islands against joint activity, with a public that ratifies.
ISLANDS = """\
kurilsim: 1
form: bargaining
title: Two islands or joint activity
parameters:
  opposition:
    default: 0.71
    range: [0.5, 0.9]
    unit: share of the public
    description: opposed to a transfer
    evidence: [E50]
players: [Japan, Russia]
first_mover: Japan
variables:
  islands:
    description: island groups transferred
  package:
    description: economic package
    range: [0, 1]
    points: 3
deals:
  joint:
    description: joint activity
  two:
    description: two islands
    values: {islands: 2}
utilities:
  Japan: 0.3 + islands * 0.25 - 0.2 * package
  Russia: 0.1 - islands * 0.1 + 0.4 * package
disagreement: {Japan: 0, Russia: 0}
discount: {Japan: 0.8, Russia: 0.95}
ratification:
  public:
    description: the Russian public
    approval: where(islands > 0, 1 - opposition, 0.8)
    threshold: 0.5
history:
  summary: joint activity only
  outcome: {deal: joint}
  evidence: [E70]
"""
