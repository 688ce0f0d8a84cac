"""After a race: its speed profile rebuilt from splits, the physics along it, and where its time went."""
