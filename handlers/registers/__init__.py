"""The desk's registers: keys, the archive, renovation permits."""
