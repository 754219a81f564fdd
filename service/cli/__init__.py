"""The `matchfair` command line (entry point: service.cli.main:main)."""
