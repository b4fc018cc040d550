"""Start the panel: migrate the database, create the first admin if needed, serve with uvicorn."""

import sys

from admin_app.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
