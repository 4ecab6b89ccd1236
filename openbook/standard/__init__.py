"""The open-book standard as code: its schemas, code lists and profiles (the data is in
schemas/ at the top of the repository), the period, the About sheet and the templates."""
