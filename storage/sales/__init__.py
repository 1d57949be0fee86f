"""The sales side: buyers before move-in, and units' sales."""
