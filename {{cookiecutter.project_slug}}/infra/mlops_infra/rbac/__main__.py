"""``python -m mlops_infra.rbac``: see ``mlops_infra.rbac.cli``."""

import sys

from mlops_infra.rbac.cli import main

sys.exit(main())
