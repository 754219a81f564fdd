"""Thin HTTP routers: parse, authorise, call one use-case, return its result."""
