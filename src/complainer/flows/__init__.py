"""What a command does from start to end: the draft run, the interactive wizard, the campaign check."""
