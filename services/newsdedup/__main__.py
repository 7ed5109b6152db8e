"""`python -m newsdedup` runs the command line."""

from newsdedup.cli import main

# Guarded: the worker's index process is started with multiprocessing's "spawn", which imports the
# parent's main module again in the child.
if __name__ == "__main__":
    main()
