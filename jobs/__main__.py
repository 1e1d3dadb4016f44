"""`python -m jobs` is `otc`."""

from jobs.cli import main

main()
