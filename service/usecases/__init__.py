"""Use-cases: one function per thing a user does; they validate, write, commit and index."""
