"""`python -m ncquiz` runs the command line."""

import sys

from ncquiz.cli import main

if __name__ == "__main__":
    sys.exit(main())
