"""paceline.io."""
