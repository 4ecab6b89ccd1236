"""`python -m openbook` (on Windows, `py -m openbook`): the same command line as `openbook`."""
from openbook.cli import cli

if __name__ == "__main__":
    cli(prog_name="openbook")
