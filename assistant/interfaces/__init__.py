"""The ways in: the command line (`cli`) and the parents' web chat (`web`)."""
