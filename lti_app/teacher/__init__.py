"""The teacher's side: choosing modules from inside the LMS."""
