"""`python -m service.cli ...` runs the `matchfair` command (tests and benchmarks start the
server this way, with the interpreter they run under)."""

from service.cli.main import main

main()
