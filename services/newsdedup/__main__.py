"""`python -m newsdedup` runs the command line."""

from newsdedup.cli import main

main()
