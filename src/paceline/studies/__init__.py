"""paceline.studies."""
