"""python -m loaders: runs cli/data.py, where the data commands live (same arguments, output and
exit codes). loaders is layer 1 and cli/ the top layer (tests/test_layers.py), so this file runs
that module by name and imports nothing of ours."""
import runpy

if __name__ == "__main__":  # imported, it does nothing
    runpy.run_module("cli.data", run_name="__main__", alter_sys=True)
