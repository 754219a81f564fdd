"""The organizer's and participants' actions at a fair, one module per part of the workflow."""
