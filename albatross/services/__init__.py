"""What the API promises, one module per capability. Handlers call these; these call the job
store and the regions. No HTTP here."""
