"""HTTP entrypoints and the command-line interface."""
