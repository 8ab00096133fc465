"""The command lines, on the top layer: data.py (python -m loaders), metrics.py (python -m
metrics), briefing.py (python -m briefing) and serve.py (python -m cli.serve); common.py holds
what they share: one way to fail in Vietnamese, --format json. The __main__.py of loaders/,
metrics/ and briefing/ only run these modules by name, so the documented commands still work."""
