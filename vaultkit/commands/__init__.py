"""One module per subcommand: each builds the parts, calls the engine, and returns an exit code."""
