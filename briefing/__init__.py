"""Keeps the documented ``python -m briefing {deck,tasks,plan,report,progress}`` working: its
__main__.py runs cli/briefing.py, where the command lives; the exports are in exports/."""
