"""``python -m lti_app``: the ``milclicks`` command."""

from .cli import main

main()
