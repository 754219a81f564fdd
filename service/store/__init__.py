"""Every query lives here: rows in, core documents out."""
