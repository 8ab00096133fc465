"""Where the product's data lives. (The vocabulary read from it grows here.)"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
