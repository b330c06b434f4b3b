"""The game forms, one subpackage each, and the registry that reads scenario files into them."""
