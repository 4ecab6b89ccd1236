#!/usr/bin/env python3
"""Run openbook from a checkout without installing it: python cli.py validate FILE"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from openbook.cli import cli  # noqa: E402

if __name__ == "__main__":
    cli()
