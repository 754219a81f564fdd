"""Build-time tools: the seeded demo-fair generator behind data/demo/ (not in the service)."""
