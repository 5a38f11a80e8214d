"""Parents' feedback and the records behind it: the store, the gaps report, retention."""
