"""Reading text formats with bounds: YAML scenario documents and Gambit's tokens."""
