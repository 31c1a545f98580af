"""Ways to deliver a composed letter: one small module each."""
