"""The command line: ``partnersync`` (``main``) and its subcommands, one module each.

The top layer: it reads the environment, wires the services (``sync.wiring``) and runs
jobs or ledger commands; nothing below imports it.
"""
