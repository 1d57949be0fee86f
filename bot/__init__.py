"""The composition root: configuration, the command line, the Application and its jobs."""
