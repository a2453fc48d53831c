"""``python -m emag_sandbox``: same as the ``emag-sandbox`` console script."""

import sys

from emag_sandbox.cli import main

sys.exit(main())
