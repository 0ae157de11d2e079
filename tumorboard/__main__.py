"""``python -m tumorboard``."""

from tumorboard.cli import run

if __name__ == "__main__":
    run()
