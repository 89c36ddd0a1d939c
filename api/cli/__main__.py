"""`python -m api.cli` runs the command line."""

from api.cli.main import main

main()
