"""target-emag: the planned offer changes, written back to eMAG."""
