import sys

from civicline.cli import main

sys.exit(main())
