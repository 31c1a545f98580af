"""Talking to a person: the stderr console, questions and prompts, pickers and tables."""
