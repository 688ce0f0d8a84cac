"""Planning an attempt: prediction, pacer roles and rotation, formations, lights, pacer cards, what it would take."""
