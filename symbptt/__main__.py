"""``python -m symbptt``."""

from .cli import main

main()
