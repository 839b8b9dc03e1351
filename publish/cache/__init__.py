"""What builds keep for later builds: one content hash, rendered chapters, kept files and the freshness of outputs."""
