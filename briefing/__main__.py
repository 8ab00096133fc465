"""python -m briefing: runs cli/briefing.py, where the command lives (same arguments, output and
exit codes). Written like the shims of loaders/ and metrics/, which sit below cli/ and so must
run it by name rather than import it."""
import runpy

if __name__ == "__main__":  # imported, it does nothing
    runpy.run_module("cli.briefing", run_name="__main__", alter_sys=True)
