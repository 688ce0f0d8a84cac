"""paceline.fit."""
