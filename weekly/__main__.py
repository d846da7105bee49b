import sys

from weekly.cli import main

sys.exit(main())
