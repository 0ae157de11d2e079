"""``python -m tumorboard``."""

from tumorboard.cli import main

if __name__ == "__main__":
    main()
