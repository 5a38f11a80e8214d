"""`python -m assistant ...`: see assistant/interfaces/cli.py."""

import sys

from assistant.interfaces.cli import main

sys.exit(main())
