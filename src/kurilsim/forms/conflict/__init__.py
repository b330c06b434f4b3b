"""Conflicts in option form (the graph model): Nash, GMR, SMR and SEQ stability."""
