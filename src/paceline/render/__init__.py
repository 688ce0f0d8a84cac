"""paceline.render."""
