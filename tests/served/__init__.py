"""Tests against `matchfair serve` running in a process of its own."""
