"""stacklang: the tutorial's small stack-bytecode language (see docs/tutorial.md)."""
