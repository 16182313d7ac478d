"""``python -m symbptt``."""

from .launch import main

main()
