"""The learner's side of an activity: lesson, quiz and result."""
