"""Briefing exports from the command line: python -m briefing {deck,tasks,report}."""
