"""After a race: its speed profile rebuilt from splits, the physics along it, where its time went, and the results
a report shows."""
