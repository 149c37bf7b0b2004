"""Indicators: numbers read from every region each round (health, capacity, usage, counts),
kept as time series. The modules here are pure (no I/O) so they can be tested exhaustively:
what is collected (`catalog`), how samples are made from what the regions answered
(`samples`), how series are downsampled (`downsample`), time specs (`timespec`) and the
global summary (`summary`)."""
