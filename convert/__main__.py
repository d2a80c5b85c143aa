"""`python -m convert` runs the `bulletin` command."""

from .cli import main

main()
