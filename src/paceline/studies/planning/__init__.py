"""Planning a race: pacer roles and rotation, formation design and search, the lights' schedule, pacer cards and what
it would take."""
