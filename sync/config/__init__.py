"""Configuration: the environment (``settings``) and the programme file (``programme_file``)."""
