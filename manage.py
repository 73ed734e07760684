#!/usr/bin/env python
"""Developers' entry point; operators use the installed `linli` command instead."""

from linli.__main__ import main

if __name__ == "__main__":
    main()
