"""`python -m ncquiz` runs the command line."""

import sys

from ncquiz.cli import main

sys.exit(main())
