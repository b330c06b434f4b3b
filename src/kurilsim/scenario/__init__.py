"""Scenario files: reading, validation, and payoffs at parameter values."""

from kurilsim.scenario.loader import load_scenario, parse_scenario
from kurilsim.scenario.model import FORMAT_VERSION, ScenarioFile
from kurilsim.scenario.scenario import Scenario

__all__ = ["FORMAT_VERSION", "Scenario", "ScenarioFile", "load_scenario", "parse_scenario"]
