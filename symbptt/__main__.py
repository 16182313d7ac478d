"""``python -m symbptt``."""

from symbptt.launch import main

main()
