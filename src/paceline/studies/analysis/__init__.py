"""After a race: its speed profile from the splits, the physics along it, where its time went, the report's results."""
