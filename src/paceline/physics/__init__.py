"""paceline.physics."""
