"""`python -m sessions_retention`: see the package's docstring."""

import sys

from sessions_retention import main

sys.exit(main())
