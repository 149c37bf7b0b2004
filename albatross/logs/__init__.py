"""Service logs: the oslo.log line format, ingestion batches, and the shipping agent."""
