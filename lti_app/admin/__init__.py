"""The tool admin's side: sign-in, LMS registrations, registration links, keys and the grade outbox."""
