"""``python -m sync.cli``: the same as the ``partnersync`` console script."""

import sys

from sync.cli.main import main

sys.exit(main())
