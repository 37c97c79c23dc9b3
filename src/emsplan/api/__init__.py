"""What every interface (the command line, the web server) shares: how errors are
reported (:mod:`.errors`)."""
