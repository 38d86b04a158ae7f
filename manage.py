#!/usr/bin/env python
from registry.cli import main

if __name__ == "__main__":
    main()
