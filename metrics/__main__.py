"""python -m metrics: runs cli/metrics.py, where the command lives (same arguments, output and
exit codes). metrics is layer 3 and cli/ the top layer (tests/test_layers.py), so this file runs
that module by name and imports nothing of ours."""
import runpy

if __name__ == "__main__":  # imported, it does nothing
    runpy.run_module("cli.metrics", run_name="__main__", alter_sys=True)
