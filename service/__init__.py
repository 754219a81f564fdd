"""Matchfair: supply-demand matchmaking for trade fairs."""
