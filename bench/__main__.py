"""python -m bench: the same as python -m bench.run (every figure, then the TARGETS block)."""
import sys

from bench.run import main

sys.exit(main())
