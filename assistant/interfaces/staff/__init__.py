"""The staff area (/staff): login, the documents list, uploads and background ingest."""
