"""The process's plumbing shared by every layer but the domain and the engine: logs,
metrics, fast JSON, the garbage collector's settings, the HTTP server."""
