"""Planning a race: the prediction, pacer roles and rotation, the plan of an attempt, formations compared, designed
and searched, the lights' schedule, pacer cards and what it would take."""
