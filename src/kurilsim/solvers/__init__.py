"""Solution methods for normal-form games, one module per method family."""
